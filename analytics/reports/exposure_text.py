"""Words of the Lesion timing tab and its report section for the chosen exposure.

The study's exposure (asymptomatic lesions) keeps its own wording; any other 0/1 column is
named as it is in the data, so the page never says "lesion" about something else.
"""

from __future__ import annotations

from analytics.data.labels import column_label
from analytics.reports.lesion_timing import LESION_FLAG, LESION_MONTHS, LesionTiming
from i18n.language import short, t


def is_lesions(timing: LesionTiming) -> bool:
    return (timing.exposure, timing.exposure_months) == (LESION_FLAG, LESION_MONTHS)


def model_names(timing: LesionTiming) -> tuple[str, str, str]:
    """The three models' row names: naive, time-dependent, landmark."""
    landmark = t("Landmark at {months} months").format(months=short(timing.landmark_months))
    exposure = column_label(timing.exposure)
    if is_lesions(timing):
        return (
            t("Naive (lesion as a baseline covariate)"),
            t("Time-dependent (lesion from the month it is seen)"),
            landmark,
        )
    return (
        t("Naive ({exposure} as a baseline covariate)").format(exposure=exposure),
        t("Time-dependent ({exposure} from its onset, {months})").format(
            exposure=exposure, months=column_label(timing.exposure_months)
        ),
        landmark,
    )


def title(timing: LesionTiming) -> str:
    if is_lesions(timing):
        return t("Asymptomatic lesions and treatment failure: three ways to count time")
    return t("{exposure} and treatment failure: three ways to count time").format(
        exposure=column_label(timing.exposure)
    )


def report_heading(timing: LesionTiming | None) -> str:
    if timing is None or is_lesions(timing):
        return t("Asymptomatic lesions: immortal-time bias")
    return t("{exposure}: immortal-time bias").format(exposure=column_label(timing.exposure))


def needs_onset(timing: LesionTiming) -> str:
    return t("needs {column}").format(column=column_label(timing.exposure_months))


def adjusted_for(timing: LesionTiming) -> str | None:
    if not timing.covariates:
        return None
    return t(
        "Each model is adjusted for {covariates}; the hazard ratio shown is the exposure's."
    ).format(covariates=", ".join(column_label(c) for c in timing.covariates))
