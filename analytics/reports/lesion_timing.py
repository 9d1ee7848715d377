"""A time-varying exposure three ways: naive baseline, time-dependent and landmark Cox.

The study's exposure is asymptomatic lesions (the default); any 0/1 column with an onset
column works the same way (``exposure``, ``exposure_months``).

Lesions "during follow-up" are known only once they appear. Treating them as a baseline
covariate (as the source study's Cox model reads) hands the lesion group the failure-free
time before each lesion was seen: immortal-time bias, which for a harmful factor usually
pulls the hazard ratio towards 1. Showing the three estimates side by side lets a reader
see how much that bias matters in their cohort.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analytics.data.labels import column_message
from analytics.jsonsafe import json_dict
from analytics.stats.cox.models import CoxModel, cox_model, landmark_cox, time_dependent_cox
from i18n.language import N_, Message

LESION_FLAG = "asymptomatic_lesions"
LESION_MONTHS = "asymptomatic_lesion_months"
DEFAULT_LANDMARK_MONTHS = 12.0

EXPLANATION = N_(
    "A lesion first seen at month 20 was not known during months 0-20, yet a baseline model "
    "counts that time as lesion time: this immortal time distorts the hazard ratio, because "
    "it credits the lesion group with failure-free months it had before any lesion was seen. "
    "The time-dependent model counts each patient as lesion-free until the lesion is seen, "
    "and the landmark model compares patients still failure-free at the landmark by their "
    "lesion status then, so these two are the fairer estimates."
)

# The same explanation for any exposure: the flag column, then the onset column.
EXPOSURE_EXPLANATION = N_(
    "{exposure} is known only from its onset ({onset}): a baseline model counts the time "
    "before the onset as exposed time, and this immortal time distorts the hazard ratio, "
    "because it credits the exposed group with failure-free months it had before the exposure "
    "began. The time-dependent model counts each patient as unexposed until the onset, and the "
    "landmark model compares patients still failure-free at the landmark by their exposure "
    "then, so these two are the fairer estimates."
)


@dataclass(frozen=True)
class LesionTiming:
    """The three hazard-ratio estimates of the exposure (None where the data cannot support
    one); ``covariates`` adjust all three."""

    naive: CoxModel
    time_dependent: CoxModel | None
    landmark: CoxModel | None
    landmark_months: float
    explanation: str = EXPLANATION
    exposure: str = LESION_FLAG
    exposure_months: str = LESION_MONTHS
    covariates: tuple[str, ...] = ()

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
                "exposure": self.exposure,
                "exposure_months": self.exposure_months,
                "covariates": list(self.covariates),
            }
        )


def lesion_timing(
    frame: pd.DataFrame,
    landmark_months: float | None = None,
    *,
    naive: CoxModel | None = None,
    conf_level: float = 0.95,
    exposure: str = LESION_FLAG,
    exposure_months: str = LESION_MONTHS,
    covariates: Sequence[str] = (),
) -> LesionTiming | None:
    """Naive, time-dependent and landmark Cox models of a time-varying 0/1 exposure.

    ``exposure`` is the 0/1 flag and ``exposure_months`` its onset (asymptomatic lesions by
    default); ``covariates`` are baseline columns every model is adjusted for. Returns None
    when the cohort has no ``exposure`` column; the time-dependent and landmark models need
    the onset too and are None without it. ``naive`` is the baseline model of the flag when
    the caller has already fitted it (the report's univariable model is that same fit when
    there are no covariates), so it is not fitted twice.
    """
    if exposure not in frame.columns:
        return None
    landmark = DEFAULT_LANDMARK_MONTHS if landmark_months is None else float(landmark_months)
    covariates = tuple(covariates)
    # The models read their few columns as arrays (the time-dependent split and the landmark
    # set are built from those), so the frame is passed as it is, not copied down first.
    naive = (
        naive
        if naive is not None
        else cox_model(frame, [exposure, *covariates], conf_level=conf_level)
    )
    explanation = (
        EXPLANATION
        if (exposure, exposure_months) == (LESION_FLAG, LESION_MONTHS)
        else Message(
            EXPOSURE_EXPLANATION,
            exposure=column_message(exposure),
            onset=column_message(exposure_months),
        )
    )
    timed = exposure_months in frame.columns
    return LesionTiming(
        naive=naive,
        time_dependent=time_dependent_cox(
            frame,
            switch_col=exposure_months,
            flag_col=exposure,
            covariates=covariates,
            conf_level=conf_level,
        )
        if timed
        else None,
        landmark=landmark_cox(
            frame,
            landmark,
            switch_col=exposure_months,
            flag_col=exposure,
            covariates=covariates,
            conf_level=conf_level,
        )
        if timed
        else None,
        landmark_months=landmark,
        explanation=explanation,
        exposure=exposure,
        exposure_months=exposure_months,
        covariates=covariates,
    )
