"""Asymptomatic lesions three ways: naive baseline, time-dependent and landmark Cox.

Lesions "during follow-up" are known only once they appear. Treating them as a baseline
covariate (as the source study's Cox model reads) hands the lesion group the failure-free
time before each lesion was seen: immortal-time bias, which for a harmful factor usually
pulls the hazard ratio towards 1. Showing the three estimates side by side lets a reader
see how much that bias matters in their cohort.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.hazards import CoxModel, cox_model, landmark_cox, time_dependent_cox
from analytics.jsonsafe import json_dict

LESION_FLAG = "asymptomatic_lesions"
LESION_MONTHS = "asymptomatic_lesion_months"
DEFAULT_LANDMARK_MONTHS = 12.0

EXPLANATION = (
    "A lesion first seen at month 20 was not known during months 0-20, yet a baseline model "
    "counts that time as lesion time: this immortal time distorts the hazard ratio, because "
    "it credits the lesion group with failure-free months it had before any lesion was seen. "
    "The time-dependent model counts each patient as lesion-free until the lesion is seen, "
    "and the landmark model compares patients still failure-free at the landmark by their "
    "lesion status then, so these two are the fairer estimates."
)


@dataclass(frozen=True)
class LesionTiming:
    """The three lesion hazard-ratio estimates (None where the data cannot support one)."""

    naive: CoxModel
    time_dependent: CoxModel | None
    landmark: CoxModel | None
    landmark_months: float
    explanation: str = EXPLANATION

    def to_dict(self) -> dict[str, object]:
        return json_dict(
            {
                "naive": self.naive.to_dict(),
                "time_dependent": None
                if self.time_dependent is None
                else self.time_dependent.to_dict(),
                "landmark": None if self.landmark is None else self.landmark.to_dict(),
                "landmark_months": self.landmark_months,
                "explanation": self.explanation,
            }
        )


def lesion_timing(
    frame: pd.DataFrame,
    landmark_months: float | None = None,
    *,
    naive: CoxModel | None = None,
    conf_level: float = 0.95,
) -> LesionTiming | None:
    """Naive, time-dependent and landmark Cox models of asymptomatic lesions.

    Returns None when the cohort has no lesion column; the time-dependent and landmark
    models need lesion times too and are None without them. ``naive`` is the baseline model
    of the lesion flag when the caller has already fitted it (the report's univariable lesion
    model is that same fit), so it is not fitted twice.
    """
    if LESION_FLAG not in frame.columns:
        return None
    landmark = DEFAULT_LANDMARK_MONTHS if landmark_months is None else float(landmark_months)
    # The models read their few columns as arrays (the time-dependent split and the landmark
    # set are built from those), so the frame is passed as it is, not copied down first.
    naive = naive if naive is not None else cox_model(frame, [LESION_FLAG], conf_level=conf_level)
    if LESION_MONTHS not in frame.columns:
        return LesionTiming(
            naive=naive, time_dependent=None, landmark=None, landmark_months=landmark
        )
    return LesionTiming(
        naive=naive,
        time_dependent=time_dependent_cox(frame, conf_level=conf_level),
        landmark=landmark_cox(frame, landmark, conf_level=conf_level),
        landmark_months=landmark,
    )
