"""An auto-generated, copy-ready methods paragraph for the current view."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from analytics.report import Report

_PACKAGES = ("lifelines", "statsmodels", "scipy", "numpy", "pandas")


def software_versions() -> dict[str, str]:
    out = {}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def methods_text(report: Report) -> str:
    """What was computed and how, in the words a methods section uses."""
    grace = report.filters.grace_months
    parts = [
        "Treatment failure was defined as at least one relapse more than "
        f"{grace:g} months after the first rituximab infusion; patients without failure were "
        "censored at last follow-up.",
        "Time to failure was estimated with the Kaplan–Meier method (Greenwood variance, "
        "95% confidence intervals on the log(−log) scale, as R survfit with "
        'conf.type = "log-log"); median follow-up by the reverse Kaplan–Meier method.',
    ]
    if report.group_by:
        parts.append(f"Groups defined by {report.group_by} were compared with the log-rank test.")
    parts.append(
        "Hazard ratios were estimated by Cox proportional-hazards regression with Efron's "
        "method for ties and Wald 95% confidence intervals; proportional hazards were assessed "
        "with the score test of R cox.zph (survival ≥ 3; Kaplan–Meier time transform)."
    )
    if report.firth is not None:
        parts.append(
            "Because a group had no more than one failure, Firth-penalized Cox regression with "
            "profile penalized-likelihood confidence intervals was also fitted."
        )
    parts.append(
        "To avoid immortal-time bias, asymptomatic MRI lesions were also analysed as a "
        "time-dependent covariate and in a landmark analysis."
    )
    parts.append(
        "Failure proportions have exact Clopper–Pearson intervals and incidence rates exact "
        "Poisson intervals. Baseline characteristics were compared with Fisher's exact or "
        "chi-square tests and the Mann–Whitney U test; MANCOVA used Wilks' lambda and "
        "Pillai's trace."
    )
    versions = ", ".join(f"{k} {v}" for k, v in software_versions().items())
    parts.append(f"Analyses used the RTX-Refractory NMOSD Cohort Explorer (Python; {versions}).")
    return " ".join(parts)
