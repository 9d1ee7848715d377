"""An auto-generated, copy-ready methods paragraph for the current view, in the page's language.

It names what this view computed (its patients, grouping, covariates, landmark and grace
period) and how (estimators, tests, confidence intervals, the R functions they match), and
the software versions: what a methods section needs to let others reproduce the numbers.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

from analytics.language import integer, short, t
from analytics.lesion_timing import LesionTiming
from analytics.report import Report

APP_PACKAGE = "nmosd-cohort-explorer"
# What runs at analysis time (our survival engines are our own code, validated against R).
_PACKAGES = ("numpy", "scipy", "pandas", "statsmodels")
# The R survival version the reference fixtures were generated with (tests/data/reference).
R_SURVIVAL_CHECKED = "3.5.3"


def software_versions() -> dict[str, str]:
    return {name: t("not installed") if v is None else v for name, v in _installed_versions()}


@cache
def _installed_versions() -> tuple[tuple[str, str | None], ...]:
    # Looked up once per process: each lookup scans the installed packages' metadata (~15 ms
    # for the five), and the paragraph is rebuilt on every filter change.
    found: list[tuple[str, str | None]] = []
    for name in (APP_PACKAGE, *_PACKAGES):
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, None))
    return tuple(found)


def methods_text(report: Report) -> str:
    """What was computed and how, in the words a methods section uses."""
    parts = [_population(report), _outcome(report), _survival(report)]
    parts += _hazards(report)
    if report.lesion_timing is not None and report.lesion_timing.exposure != "asymptomatic_lesions":
        parts.append(_exposure(report.lesion_timing))
    elif report.lesion_timing is not None:
        parts.append(
            t(
                "To avoid immortal-time bias, asymptomatic MRI lesions were also analysed as a "
                "time-dependent covariate and in a landmark analysis at {months} months."
            ).format(months=short(report.lesion_timing.landmark_months))
        )
    parts.append(
        t(
            "Failure proportions have exact Clopper–Pearson intervals and incidence rates exact "
            "Poisson intervals. Baseline characteristics were compared with Fisher's exact or "
            "chi-square tests and the Mann–Whitney U test; MANCOVA used Wilks' lambda and "
            "Pillai's trace."
        )
    )
    if report.table_one is not None:
        parts.append(_table_one_rule(report))
    if report.relapse_rates is not None:
        parts.append(
            t(
                "Annualized relapse rates before and on rituximab were compared with "
                "negative-binomial and Poisson regression with a log person-years offset (as R "
                "MASS glm.nb and glm); the mean cumulative number of relapses was estimated "
                "with Lawless–Nadeau standard errors, and all relapses were modelled with an "
                "Andersen–Gill Cox model with robust standard errors clustered by patient."
            )
        )
    versions = ", ".join(f"{name} {v}" for name, v in software_versions().items())
    parts.append(
        t(
            "Analyses used the RTX-Refractory NMOSD Cohort Explorer (Python; {versions}); its "
            "estimates are checked against R survival {survival}."
        ).format(versions=versions, survival=R_SURVIVAL_CHECKED)
    )
    return " ".join(parts)


def _population(report: Report) -> str:
    restricted = [name for name in report.filters.active() if name != "grace_months"]
    scope = (
        t("the whole cohort")
        if not restricted
        else t("a subgroup selected by {filters}").format(filters=", ".join(restricted))
    )
    return t("The analysis included {n} patients ({scope}), of whom {events} failed.").format(
        n=integer(report.n), scope=scope, events=integer(report.events)
    )


def _outcome(report: Report) -> str:
    return t(
        "Treatment failure was defined as at least one relapse more than {grace} months after "
        "the first rituximab infusion; patients without failure were censored at last "
        "follow-up."
    ).format(grace=short(report.filters.grace_months))


def _survival(report: Report) -> str:
    text = t(
        "Time to failure was estimated with the Kaplan–Meier method (Greenwood variance, 95% "
        "confidence intervals on the log(−log) scale, as R survfit with conf.type = "
        '"log-log"); median follow-up by the reverse Kaplan–Meier method.'
    )
    if report.group_by:
        text += " " + t("Groups defined by {column} were compared with the log-rank test.").format(
            column=report.group_by
        )
    return text


def _hazards(report: Report) -> list[str]:
    parts = [
        t(
            "Hazard ratios were estimated by Cox proportional-hazards regression with Efron's "
            "method for ties and Wald 95% confidence intervals; proportional hazards were "
            "assessed with the score test of R cox.zph (survival ≥ 3; Kaplan–Meier time "
            "transform)."
        )
    ]
    if report.covariates:
        parts.append(
            t("The multivariable model included {covariates}.").format(
                covariates=", ".join(report.covariates)
            )
        )
    if report.firth is not None:
        parts.append(
            t(
                "Because a group had no more than one failure, Firth-penalized Cox regression "
                "with profile penalized-likelihood confidence intervals was also fitted."
            )
        )
    return parts


def _exposure(timing: LesionTiming) -> str:
    """The chosen time-varying exposure, named as in the data (not the study's lesions)."""
    text = t(
        "To avoid immortal-time bias, {exposure} was also analysed as a time-dependent "
        "covariate from its onset ({onset}; R tmerge and coxph) and in a landmark analysis at "
        "{months} months."
    ).format(
        exposure=timing.exposure,
        onset=timing.exposure_months,
        months=short(timing.landmark_months),
    )
    if timing.covariates:
        text += " " + t("These models were adjusted for {covariates}.").format(
            covariates=", ".join(timing.covariates)
        )
    return text


def _table_one_rule(report: Report) -> str:
    """Which test Table 1 uses for which row (the r x c rule is this product's choice)."""
    groups = "" if report.table_one is None else report.table_one.by
    return t(
        "Table 1 compares the groups of {by}: continuous variables with the Mann–Whitney U "
        "test (two groups) or the Kruskal–Wallis test (three or more); 2 × 2 tables with "
        "Fisher's exact test; larger tables with Pearson's chi-square test when every "
        "expected count is at least 5, otherwise the Fisher–Freeman–Halton exact test (R "
        "fisher.test), or chi-square with a note when the table is too large to enumerate."
    ).format(by=groups)
