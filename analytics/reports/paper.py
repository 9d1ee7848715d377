"""The source study's published figures beside the same quantities recomputed on a cohort.

Published values are from the abstract (Ann Clin Transl Neurol 2025;12(8):1566-74); the full
text was not at hand. Two of them cannot both be right, and the comparison says so rather
than quietly picking one.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from analytics.data.cohort import Cohort, Filters
from analytics.jsonsafe import json_dict
from analytics.reports.display import p_parts
from analytics.reports.report import Report, build_report
from i18n.language import Message, fixed

PUBLISHED_N = 54


@dataclass(frozen=True)
class PaperRow:
    """One published quantity, its recomputed value, and whether the published one holds up."""

    quantity: str
    published: str
    recomputed: str
    consistent: bool
    note: str = ""


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


def _female_row(frame_sex: list[str]) -> PaperRow:
    women = sum(1 for s in frame_sex if s == "F")
    # 82.5% of 54 is 44.55 women: no whole number of the 54 gives 82.5% (44 = 81.5%, 45 = 83.3%).
    return PaperRow(
        Message("Female", context="a row of the paper reproduction"),
        "82.5%",
        _pct(women, len(frame_sex)),
        consistent=False,
        note="82.5% of 54 is not a whole number of patients (44 = 81.5%, 45 = 83.3%).",
    )


def _mancova_rows(report: Report) -> list[PaperRow]:
    recomputed = "not computed"
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
        PaperRow("Patients", "54", str(report.n), consistent=True),
        PaperRow(
            "Treatment failures",
            "12 (22.2%)",
            _pct(report.events, report.n),
            consistent=True,
            note="12/54 = 22.2%: consistent.",
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
            )
        )
    lesion_p = None
    if report.table_one is not None:
        for row in report.table_one.rows:
            if row.variable == "asymptomatic_lesions":
                lesion_p = row.p
    rows.append(PaperRow("Lesions vs failure (Fisher)", "p = 0.02", f"p {_p(lesion_p)}", True))
    rows += _mancova_rows(report)
    hr = "n/a"
    for term in report.univariable:
        if term.covariate == "asymptomatic_lesions":
            hr = f"{term.hr:.1f} ({term.ci_low:.2f}–{term.ci_high:.0f}), p {_p(term.p)}"
    rows.append(
        PaperRow(
            "Cox HR, asymptomatic lesions",
            "25.9 (3.09–218), p < 0.01",
            hr,
            consistent=True,
            note="The CI's geometric midpoint √(3.09 × 218) = 26.0 matches HR 25.9. As a "
            "baseline covariate this estimate carries immortal-time bias (see Lesion timing).",
        )
    )
    return PaperComparison(rows=tuple(rows), cohort_label=cohort.label, synthetic=cohort.synthetic)
