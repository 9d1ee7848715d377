"""The CLI's ``--format text`` rounds as the page does (README: "the same numbers as the
page, rounded as the page rounds them"): same view, page strings rendered by the components,
CLI text by ``python -m analytics report``; the numbers of each item must be the same text."""

from __future__ import annotations

import re

import pytest

from analytics.__main__ import main
from analytics.data.cohort import Filters
from analytics.data.labels import column_label, level_label
from analytics.reports.report import build_report
from components.panels import analyses as panels
from components.panels import cards
from tests.dash_text import component_texts

# Numbers as printed, with "< " / "> " kept (a p or a huge HR) and "NR" (median not reached).
NUMBER = re.compile(r"[<>] \d+(?:\.\d+)?|\d+(?:\.\d+)?%?|NR")

VIEWS = [
    ("asymptomatic_lesions", ["asymptomatic_lesions"]),  # HR 22.8: one decimal from 10
    ("sex", ["sex", "age_at_rtx"]),  # p from 0.1 on: two decimals
    ("fcgr3a_v158f", ["edss_baseline"]),  # three groups
]


def _numbers(text: str) -> list[str]:
    # "95% CI" is a label, not a number.
    return NUMBER.findall(text.replace("95% CI", ""))


def _cli_lines(capsys, group: str, covariates: list[str]) -> list[str]:
    argv = ["report", "--cohort", "demo", "--group-by", group, "--format", "text"]
    assert main([*argv, "--covariates", ",".join(covariates)]) == 0
    return capsys.readouterr().out.splitlines()


def _rows(component) -> list[list[str]]:
    """The table's body rows as lists of cell texts."""
    table = component if hasattr(component, "children") else None
    found = []

    def walk(node):
        if getattr(node, "__class__", None).__name__ == "Tr":
            found.append([" ".join(component_texts(cell)) for cell in node.children])
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if child is not None and not isinstance(child, str | int | float):
                walk(child)

    walk(table)
    return found[1:]  # the header row first


@pytest.mark.parametrize(("group", "covariates"), VIEWS)
def test_cli_text_rounds_as_the_page(demo, capsys, group, covariates) -> None:
    report = build_report(demo, Filters(), group_by=group, covariates=covariates)
    lines = _cli_lines(capsys, group, covariates)
    compared = 0

    # Kaplan–Meier medians with their limits: the KM table's median column.
    km_rows = _rows(panels.km_summary(report))
    for label, row in zip(report.km, km_rows, strict=True):
        (cli,) = [
            line
            for line in _section(lines, "Kaplan-Meier")
            if line.startswith(f"  {level_label(report.group_by, label)}: n ")
        ]
        assert _numbers(cli.split("median ")[1]) == _numbers(row[3]), (cli, row[3])
        compared += 1

    # Log-rank: the KM table's caption.
    if report.logrank is not None:
        caption = " ".join(component_texts(panels.km_summary(report)))
        page = re.search(r"Log-rank χ² = (.*?)\.(?:\s|$)", caption).group(1)
        (cli,) = [line for line in lines if line.startswith("  Log-rank:")]
        assert _numbers(cli) == _numbers(page), (cli, page)
        compared += 1

    # Cox terms: the hazard table's "HR (95% CI)" and p cells, model by model.
    cox_rows = _rows(panels.hazard_notes(report))
    cli_terms = [line for line in lines if ": HR " in line and re.match(r"  \S", line)]
    page_terms = [f"{row[2]} {row[3]}" for row in cox_rows]
    assert len(cli_terms) == len(page_terms) > 0
    for cli, page in zip(cli_terms, page_terms, strict=True):
        assert _numbers(cli.split(": HR ")[1]) == _numbers(page), (cli, page)
        compared += 1

    # Summary cards: failure proportion and incidence with their intervals.
    card_text = component_texts(cards.summary_cards(report, total=report.n))
    joined = " ".join(card_text)
    (proportion,) = [line for line in lines if line.startswith("Failure proportion:")]
    (incidence,) = [line for line in lines if line.startswith("Incidence:")]
    for cli in (proportion, incidence):
        head = _numbers(cli.split("(")[0])[0]
        assert head in card_text, (cli, joined)
        limits = " ".join(_numbers(cli.split("(", 1)[1])[:2])
        assert limits in " ".join(_numbers(joined)), (cli, joined)
        compared += 1
    assert compared >= 6


# The open analyses: the default view, and one with a chosen exposure (adjusted), Table 1 by
# genotype and a MANCOVA with a chosen factor.
OPEN_VIEWS = [
    {},
    {
        "exposure": "gd_persistent",
        "exposure_covariates": ["age_at_rtx"],
        "table_by": "fcgr3a_v158f",
        "mancova_factor": "sex",
    },
]


def _open_argv(view: dict) -> list[str]:
    argv = ["report", "--cohort", "demo", "--format", "text"]
    for key, value in view.items():
        text = ",".join(value) if isinstance(value, list) else value
        argv += [f"--{key.replace('_', '-')}", text]
    return argv


def _section(lines: list[str], start: str) -> list[str]:
    """The indented lines under the heading that starts with ``start``."""
    (at,) = [i for i, line in enumerate(lines) if line.startswith(start)]
    body = []
    for line in lines[at + 1 :]:
        if not line.startswith("  "):
            break
        if not line.startswith("  - "):  # notes, not rows
            body.append(line)
    return body


def _panel_lines(component) -> list[list[str]]:
    """Header and body rows of every table in the panel, as lists of cell texts."""
    found = []

    def walk(node):
        if node.__class__.__name__ == "Tr":
            found.append([" ".join(component_texts(cell)) for cell in node.children])
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if child is not None and not isinstance(child, str | int | float):
                walk(child)

    walk(component)
    return found


def _caption(component) -> str:
    found = []

    def walk(node):
        if node.__class__.__name__ == "Caption":
            found.append(" ".join(component_texts(node)))
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if child is not None and not isinstance(child, str | int | float):
                walk(child)

    walk(component)
    return found[0]


@pytest.mark.parametrize("view", OPEN_VIEWS, ids=["default", "chosen"])
def test_cli_text_has_the_open_analyses_as_the_page(demo, capsys, view) -> None:
    report = build_report(demo, Filters(), **view)
    assert main(_open_argv(view)) == 0
    lines = capsys.readouterr().out.splitlines()
    timing, table, result = report.lesion_timing, report.table_one, report.mancova
    assert timing is not None
    assert table is not None
    assert result is not None

    # Lesion timing: per model the term, HR (CI), p, n and failures, as the tab's rows.
    page = panels.lesion_panel(timing, report.n)
    cli = _section(lines, f"Exposure timing, {column_label(timing.exposure)}:")
    rows = _panel_lines(page)[1:]
    adjusted = [" ".join(component_texts(p)) for p in page.children if p.__class__.__name__ == "P"]
    assert len(cli) == len(rows) + len(adjusted) - 1 == 3 + bool(timing.covariates)
    for got, row in zip(cli, rows, strict=False):
        want = " ".join(row)
        assert _numbers(got) == _numbers(want), (got, want)
        assert row[4], row  # n printed: the model was fitted, its numbers compared
    # The adjusted-for line, as worded on the page (the last paragraph is the explanation).
    assert [line.strip() for line in cli[len(rows) :]] == adjusted[:-1]

    # Table 1: header (groups and their n) and every row, cell by cell.
    cli = _section(lines, f"Table 1 (by {column_label(table.by)}")
    expected = [" ".join(row) for row in _panel_lines(panels.table_one_panel(table))]
    assert len(cli) == len(expected) == len(table.rows) + 1
    for got, want in zip(cli, expected, strict=True):
        assert _numbers(got) == _numbers(want), (got, want)
    assert sum(len(_numbers(row)) for row in expected) > 3 * len(table.rows)

    # MANCOVA: the caption (design and n), then each term's row.
    page = panels.mancova_panel(result)
    cli = _section(lines, "MANCOVA")
    expected = [_caption(page)] + [" ".join(row) for row in _panel_lines(page)]
    assert len(cli) == len(expected) == len(result.terms) + 2
    for got, want in zip(cli, expected, strict=True):
        assert _numbers(got) == _numbers(want), (got, want)
    assert column_label(result.factor) in cli[0]
