"""An auto-generated, copy-ready methods paragraph for the current view, in the page's language.

It names what this view computed (its patients, grouping, covariates, landmark and grace
period) and how (estimators, tests, confidence intervals, the R functions they match), and
the software versions: what a methods section needs to let others reproduce the numbers.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

from analytics.data.labels import column_label
from analytics.reports.filters_text import filters_text
from analytics.reports.lesion_timing import LESION_FLAG, LesionTiming
from analytics.reports.report import Report
from analytics.stats.cox.models import CoxModel
from analytics.stats.levels import level_percent
from analytics.stats.table_one import (
    TEST_CHISQ,
    TEST_FISHER,
    TEST_FISHER_RXC,
    TEST_KRUSKAL,
    TEST_MANN_WHITNEY,
)
from i18n.language import N_, integer, short, t

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
    """What was computed and how, in the words a methods section uses: only the analyses
    this view ran (no log-rank test with one group, no Cox model that was not fitted)."""
    parts = [_population(report), _outcome(report), *_derived(report), *_survival(report)]
    parts += _hazards(report)
    parts += _lesion_timing(report)
    parts += _tables(report)
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


def _count(value: int, one: str, many: str) -> str:
    """ "1 patient" / "54 patients": ``one`` and ``many`` are templates with ``{n}``."""
    return t(one if value == 1 else many).format(n=integer(value))


def _count_of(value: float, one: str, many: str) -> str:
    """As ``_count`` for a measure that may have decimals ("1 month", "4.5 months")."""
    return t(one if value == 1 else many).format(n=short(value))


def _months(value: float) -> str:
    return _count_of(value, N_("1 month"), N_("{n} months"))


def _joined(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c" in the page's language."""
    if len(items) < 2:
        return "".join(items)
    return t("{first} and {last}").format(first=", ".join(items[:-1]), last=items[-1])


def _population(report: Report) -> str:
    restricted = [name for name in report.filters.active() if name != "grace_months"]
    # The filters as the page labels them ('Sex: female; age 30–60 years'); the grace
    # period is the outcome's sentence.
    scope = (
        t("the whole cohort")
        if not restricted
        else t("a subgroup selected by {filters}").format(
            filters=filters_text(report.filters, grace_applied=False)
        )
    )
    return t("The analysis included {patients} ({scope}), with {failures}.").format(
        patients=_count(report.n, N_("1 patient"), N_("{n} patients")),
        scope=scope,
        failures=_count(report.events, N_("1 treatment failure"), N_("{n} treatment failures")),
    )


def _derived(report: Report) -> list[str]:
    """How months were derived from dates, when the upload's mapping step did it."""
    if not report.derived_months:
        return []
    return [
        t(
            "Times ({columns}) were derived from calendar dates as the days from the first "
            "rituximab infusion divided by 365.25/12."
        ).format(columns=", ".join(report.derived_months))
    ]


def _outcome(report: Report) -> str:
    if not report.grace_applied:
        # The patients file's failure column already encodes its own definition; no grace
        # period can be re-applied without the relapse dates.
        return t(
            "Treatment failure was taken as recorded in the cohort file's failure column "
            "(no relapses file, so no grace period was applied); patients without failure "
            "were censored at last follow-up."
        )
    return t(
        "Treatment failure was defined as at least one relapse more than {grace} after the "
        "first rituximab infusion; patients without failure were censored at last follow-up."
    ).format(grace=_months(report.filters.grace_months))


def _survival(report: Report) -> list[str]:
    parts = []
    if report.km:
        parts.append(
            t(
                "Time to failure was estimated with the Kaplan–Meier method (Greenwood "
                "variance, {level}% confidence intervals on the log(−log) scale, as R survfit "
                'with conf.type = "log-log").'
            ).format(level=level_percent(report.conf_level))
        )
    if report.follow_up is not None:
        parts.append(t("Median follow-up was estimated by the reverse Kaplan–Meier method."))
    if report.logrank is not None:
        parts.append(
            t("Groups defined by {column} were compared with the log-rank test.").format(
                column=column_label(report.group_by)
            )
        )
    if report.n:
        parts.append(
            t(
                "Failure proportions have exact Clopper–Pearson intervals and incidence rates "
                "exact Poisson intervals."
            )
        )
    return parts


def _fitted(model: CoxModel | None) -> bool:
    return model is not None and bool(model.terms)


_TRANSFORM_NAMES = {
    "km": N_("Kaplan–Meier time transform"),
    "rank": N_("rank time transform"),
    "identity": N_("identity time transform"),
    "log": N_("log time transform"),
}


def _hazards(report: Report) -> list[str]:
    models = [*report.univariable_models.values(), report.cox]
    if not any(_fitted(model) for model in models):
        return []
    parts = [
        t(
            "Hazard ratios were estimated by Cox proportional-hazards regression with Efron's "
            "method for ties and Wald {level}% confidence intervals."
        ).format(level=level_percent(report.conf_level))
    ]
    if report.cox is not None and report.cox.terms:
        covariates = [
            column_label(c) for c in dict.fromkeys(term.covariate for term in report.cox.terms)
        ]
        parts.append(
            t("The multivariable model included {covariates}.").format(
                covariates=_joined(covariates)
            )
        )
    if report.ph_test is not None:
        parts.append(
            t(
                "Proportional hazards were assessed with the score test of R cox.zph "
                "(survival ≥ 3; {transform})."
            ).format(transform=t(_TRANSFORM_NAMES.get(report.zph_transform, report.zph_transform)))
        )
    if report.firth is not None and report.firth.terms:
        parts.append(
            t(
                "Because a group had no more than one failure, Firth-penalized Cox regression "
                "with profile penalized-likelihood confidence intervals was also fitted."
            )
        )
    return parts


def _lesion_timing(report: Report) -> list[str]:
    timing = report.lesion_timing
    if timing is None:
        return []
    dependent, landmark = _fitted(timing.time_dependent), _fitted(timing.landmark)
    if timing.exposure != LESION_FLAG:
        return _exposure(timing, dependent, landmark)
    if dependent and landmark:
        text = N_(
            "To avoid immortal-time bias, asymptomatic MRI lesions were also analysed as a "
            "time-dependent covariate and in a landmark analysis at {months}."
        )
    elif dependent:
        text = N_(
            "To avoid immortal-time bias, asymptomatic MRI lesions were also analysed as a "
            "time-dependent covariate."
        )
    elif landmark:
        text = N_(
            "To avoid immortal-time bias, asymptomatic MRI lesions were also analysed in a "
            "landmark analysis at {months}."
        )
    else:
        return []
    return [t(text).format(months=_months(timing.landmark_months)), *_adjusted(timing)]


def _exposure(timing: LesionTiming, dependent: bool, landmark: bool) -> list[str]:
    """The chosen time-varying exposure, named as in the data (not the study's lesions), with
    only the models that were fitted."""
    if dependent and landmark:
        text = N_(
            "To avoid immortal-time bias, {exposure} was also analysed as a time-dependent "
            "covariate from its onset ({onset}; R tmerge and coxph) and in a landmark analysis "
            "at {months}."
        )
    elif dependent:
        text = N_(
            "To avoid immortal-time bias, {exposure} was also analysed as a time-dependent "
            "covariate from its onset ({onset}; R tmerge and coxph)."
        )
    elif landmark:
        text = N_(
            "To avoid immortal-time bias, {exposure} was also analysed in a landmark analysis "
            "at {months}."
        )
    else:
        return []
    sentence = t(text).format(
        exposure=column_label(timing.exposure),
        onset=column_label(timing.exposure_months),
        months=_months(timing.landmark_months),
    )
    return [sentence, *_adjusted(timing)]


def _adjusted(timing: LesionTiming) -> list[str]:
    if not timing.covariates:
        return []
    return [
        t("These models were adjusted for {covariates}.").format(
            covariates=_joined([column_label(c) for c in timing.covariates])
        )
    ]


# Table 1's test names (analytics.stats.table_one) as a methods section words them.
_TESTS = {
    TEST_FISHER: N_("Fisher's exact test"),
    TEST_FISHER_RXC: N_("the Fisher–Freeman–Halton exact test (R fisher.test)"),
    TEST_CHISQ: N_("the Pearson chi-square test"),
    TEST_MANN_WHITNEY: N_("the Mann–Whitney U test"),
    TEST_KRUSKAL: N_("the Kruskal–Wallis test"),
}


def _tables(report: Report) -> list[str]:
    parts = []
    if report.table_one is not None:
        run = {row.test for row in report.table_one.rows if row.p is not None and row.test}
        named = [t(words) for test, words in _TESTS.items() if test in run]
        by = report.table_one.by
        if named and by == "failure":
            parts.append(
                t("Baseline characteristics were compared with {tests}.").format(
                    tests=_joined(named)
                )
            )
        elif named:
            parts.append(
                t(
                    "Baseline characteristics were compared across the groups of {by} with {tests}."
                ).format(by=column_label(by), tests=_joined(named))
            )
    if report.mancova is not None:
        parts.append(t("MANCOVA used Wilks' lambda and Pillai's trace."))
    return parts
