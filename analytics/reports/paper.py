"""The source study's published figures beside the same quantities recomputed on a cohort.

Published values are from the abstract (Ann Clin Transl Neurol 2025;12(8):1566-74); the full
text was not at hand. Two of them cannot both be right, and the comparison says so rather
than quietly picking one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from analytics.data.cohort import Cohort, Filters
from analytics.jsonsafe import json_dict
from analytics.reports.display import p_parts
from analytics.reports.report import Report, build_report
from i18n.language import Message, fixed

PUBLISHED_N = 54
PUBLISHED_HR = 25.9


@dataclass(frozen=True)
class PaperRow:
    """One published quantity and its recomputed value. ``consistent``: whether the
    published numbers agree with each other (not with ours); ``comparison``: how the
    published value compares with the recomputed one, with the rule used."""

    quantity: str
    published: str
    recomputed: str
    consistent: bool
    note: str = ""
    comparison: str = ""


@dataclass(frozen=True)
class PaperComparison:
    rows: tuple[PaperRow, ...]
    cohort_label: str
    synthetic: bool

    def to_dict(self) -> dict[str, object]:
        return json_dict(asdict(self))


def _pct(part: int, whole: int) -> str:
    return "n/a" if whole == 0 else f"{part}/{whole} ({part / whole:.1%})"


def _p(value: float | None) -> str:
    """'< 0.001' or '= 0.012' after 'p ': the page's p-value rule (the page localizes it)."""
    if value is None or not math.isfinite(value):
        return "= n/a"
    relation, shown = p_parts(value)
    return f"{relation} {shown}"


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _digits(published: str) -> int:
    return len(published.partition(".")[2])


def _rounded_comparison(pairs: Sequence[tuple[str, float | None]]) -> Message:
    """Each recomputed number rounded to the digits the abstract prints, against the
    published number: "equal" only when every one of them is."""
    if any(value is None for _, value in pairs):
        return Message("Not compared: the recomputed value is not available.")
    differing = [
        (text, fixed(value, _digits(text)))
        for text, value in pairs
        if value is not None and fixed(value, _digits(text)) != fixed(float(text), _digits(text))
    ]
    if not differing:
        return Message("Equal at the published precision.")
    return Message(
        "Different at the published precision: published {published}, recomputed {recomputed}.",
        published=", ".join(text for text, _ in differing),
        recomputed=", ".join(str(value) for _, value in differing),
    )


def _interval_comparison(published: float, hr: float, low: float, high: float) -> Message:
    """The published HR against the recomputed confidence interval: inside it means the two
    are compatible, not that they are the same number (say both)."""
    values: dict[str, Any] = {
        "published": fixed(published, 1),
        "recomputed": fixed(hr, 1),
        # The comparison is built at the report's default level (95%), in the page's words.
        "ci": Message("{level}% CI", level=95),
        "low": fixed(low, 2),
        "high": fixed(high, 1),
    }
    if low <= published <= high:
        return Message(
            "Published {published}, recomputed {recomputed} ({ci} {low}–{high}): the published "
            "value lies inside our CI — compatible, not equal.",
            **values,
        )
    return Message(
        "Published {published}, recomputed {recomputed} ({ci} {low}–{high}): the published "
        "value lies outside our CI — not compatible.",
        **values,
    )


def _female_row(frame_sex: list[str]) -> PaperRow:
    women = sum(1 for s in frame_sex if s == "F")
    # 82.5% of 54 is 44.55 women: no whole number of the 54 gives 82.5% (44 = 81.5%, 45 = 83.3%).
    return PaperRow(
        Message("Female", context="a row of the paper reproduction"),
        "82.5%",
        _pct(women, len(frame_sex)),
        consistent=False,
        note="82.5% of 54 is not a whole number of patients (44 = 81.5%, 45 = 83.3%).",
        comparison=_rounded_comparison([("82.5", _share(women, len(frame_sex)))]),
    )


def _mancova_rows(report: Report) -> list[PaperRow]:
    recomputed = "not computed"
    pairs: list[tuple[str, float | None]] = [("0.01", None)]
    if report.mancova is not None:
        try:
            term = report.mancova.term("asymptomatic_lesions")
        except KeyError:
            term = None
        if term is not None:
            recomputed = Message(
                "λ = {wilks}, F = {f}, partial η² = {eta}, p {p}",
                wilks=fixed(term.wilks_lambda, 3),
                f=fixed(term.f, 1),
                eta=fixed(term.partial_eta_sq, 3),
                p=_p(term.p),
            )
            pairs = [
                ("0.01", term.wilks_lambda),
                ("20.5", term.f),
                ("0.357", term.partial_eta_sq),
            ]
    return [
        PaperRow(
            "MANCOVA, asymptomatic lesions",
            "Wilks' λ = 0.01, F = 20.5, η² = 0.357, p < 0.001",
            recomputed,
            consistent=False,
            note=(
                "With one hypothesis df, partial η² = 1 − λ: λ = 0.01 implies η² = 0.99, and "
                "η² = 0.357 implies λ = 0.643. The published λ and η² cannot both be right."
            ),
            comparison=_rounded_comparison(pairs),
        )
    ]


def compare_with_paper(cohort: Cohort) -> PaperComparison:
    """Recompute the abstract's quantities on ``cohort`` (all patients, 6-month grace)."""
    has_lesions = "asymptomatic_lesions" in cohort.patients.columns
    report = build_report(
        cohort, Filters(), group_by="asymptomatic_lesions" if has_lesions else None
    )
    frame_sex = list(cohort.patients["sex"]) if "sex" in cohort.patients.columns else []
    rows = [
        PaperRow(
            "Patients",
            "54",
            str(report.n),
            consistent=True,
            comparison=_rounded_comparison([("54", report.n)]),
        ),
        PaperRow(
            "Treatment failures",
            "12 (22.2%)",
            _pct(report.events, report.n),
            consistent=True,
            note="12/54 = 22.2%: consistent.",
            comparison=_rounded_comparison(
                [
                    ("12", report.events),
                    ("22.2", 100 * report.events / report.n if report.n else None),
                ]
            ),
        ),
    ]
    if frame_sex:
        rows.append(_female_row(frame_sex))
    if "age_at_rtx" in cohort.patients.columns:
        age = cohort.patients["age_at_rtx"].dropna()
        rows.append(
            PaperRow(
                "Median age (IQR)",
                "45 (34–54.5)",
                f"{age.median():.1f} ({age.quantile(0.25):.1f}–{age.quantile(0.75):.1f})",
                consistent=True,
                comparison=_rounded_comparison(
                    [
                        ("45", float(age.median())),
                        ("34", float(age.quantile(0.25))),
                        ("54.5", float(age.quantile(0.75))),
                    ]
                ),
            )
        )
    lesion_p = None
    if report.table_one is not None:
        for row in report.table_one.rows:
            if row.variable == "asymptomatic_lesions":
                lesion_p = row.p
    rows.append(
        PaperRow(
            "Lesions vs failure (Fisher)",
            "p = 0.02",
            f"p {_p(lesion_p)}",
            True,
            comparison=_rounded_comparison([("0.02", lesion_p)]),
        )
    )
    rows += _mancova_rows(report)
    hr = "n/a"
    compared: str = Message("Not compared: the recomputed value is not available.")
    for term in report.univariable:
        if term.covariate == "asymptomatic_lesions":
            hr = f"{term.hr:.1f} ({term.ci_low:.2f}–{term.ci_high:.0f}), p {_p(term.p)}"
            compared = _interval_comparison(PUBLISHED_HR, term.hr, term.ci_low, term.ci_high)
    rows.append(
        PaperRow(
            "Cox HR, asymptomatic lesions",
            "25.9 (3.09–218), p < 0.01",
            hr,
            consistent=True,
            note="The CI's geometric midpoint √(3.09 × 218) = 26.0 matches HR 25.9. As a "
            "baseline covariate this estimate carries immortal-time bias (see Lesion timing).",
            comparison=compared,
        )
    )
    return PaperComparison(rows=tuple(rows), cohort_label=cohort.label, synthetic=cohort.synthetic)
