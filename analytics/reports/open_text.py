"""The open analyses in the CLI's ``--format text``: exposure timing, Table 1 and MANCOVA.

Rows come from the builders the page and the HTML report use
(:mod:`analytics.reports.exposure_text`, :mod:`analytics.reports.table_one_text`), so the CLI prints
the same numbers with the same rounding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.data.labels import column_label
from analytics.reports.display import hazard_ratio_line
from analytics.reports.exposure_text import adjusted_for, model_names, needs_onset
from analytics.reports.model_notes import named_warnings
from analytics.reports.table_one_text import mancova_cells, table_one_cells
from analytics.stats.cox.results import term_label

if TYPE_CHECKING:
    from collections.abc import Sequence

    from analytics.reports.lesion_timing import LesionTiming
    from analytics.stats.cox.models import CoxModel
    from analytics.stats.table_one import MancovaResult, TableOne


def _cells(cells: Sequence[object]) -> str:
    return "  " + " | ".join(str(cell) for cell in cells)


def _notes(notes: Sequence[str]) -> list[str]:
    return [f"  - {note}" for note in dict.fromkeys(notes)]


def _model_line(name: str, model: CoxModel | None, timing: LesionTiming) -> str:
    # ", HR " rather than ": HR ": one line per model, not a Cox term of the Cox sections.
    if model is None:
        return f"  {name}: {needs_onset(timing)}"
    if not model.terms:
        return f"  {name}: not estimable; n {model.n}, failures {model.events}"
    term = model.terms[0]
    return (
        f"  {name}: {term_label(term)}, {hazard_ratio_line(term)}; "
        f"n {model.n}, failures {model.events}"
    )


def exposure_lines(timing: LesionTiming | None) -> list[str]:
    """The Lesion timing tab's three models of the chosen exposure, then its notes."""
    if timing is None:
        return []
    models = (timing.naive, timing.time_dependent, timing.landmark)
    lines = [
        "",
        f"Exposure timing, {column_label(timing.exposure)}: naive vs time-dependent vs landmark "
        "Cox (Efron ties, Wald CI):",
    ]
    lines += [
        _model_line(name, model, timing)
        for name, model in zip(model_names(timing), models, strict=True)
    ]
    adjusted = adjusted_for(timing)
    if adjusted:
        lines.append(f"  {adjusted}")
    named = [
        w
        for name, model in zip(model_names(timing), models, strict=True)
        if model is not None
        for w in named_warnings(model.warnings, name)
    ]
    return lines + _notes(named)


def table_one_lines(table: TableOne | None) -> list[str]:
    """The Table 1 tab: header (groups with their n), then one line per variable."""
    if table is None:
        return ["", "Table 1: no patients"]
    lines = ["", f"Table 1 (by {column_label(table.by)}; median (IQR) or n (%)):"]
    header, rows = table_one_cells(table)
    return [*lines, _cells(header), *[_cells(row) for row in rows], *_notes(table.warnings)]


def mancova_lines(result: MancovaResult | None) -> list[str]:
    """The MANCOVA table: its caption (design and n), header, one line per term, notes."""
    lines = ["", "MANCOVA (partial eta² = 1 - lambda^(1/s); with one hypothesis df 1 - lambda):"]
    if result is None:
        return [*lines, "  MANCOVA needs its factor column and at least 10 patients."]
    header, rows, caption = mancova_cells(result)
    return [
        *lines,
        f"  {caption}",
        _cells(header),
        *[_cells(row) for row in rows],
        *_notes(result.warnings),
    ]
