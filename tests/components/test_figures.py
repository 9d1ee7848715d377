"""Figures built as plain dicts (components/figures/base.py) are what plotly's validation would
make.

The builders skip plotly.py's property validation for speed; these tests put it back once:
each builder's figure goes through the validating ``go.Figure`` constructor, which raises on
a misspelt or invalid property and would coerce any value plotly.js might read differently.
"""

from __future__ import annotations

import ast
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from dash._utils import to_json

from analytics.data.cohort import Filters
from analytics.reports.relapse_report import build_relapse_report
from analytics.reports.report import build_report
from analytics.stats.cox.models import HazardTerm
from analytics.stats.survival import kaplan_meier, survival_at
from analytics.stats.timelines import km_step, patient_timelines
from components.figures.base import Figure, fast_figure
from components.figures.empty import empty_figure
from components.figures.forest import forest_figure, report_sections
from components.figures.km import km_figure
from components.figures.mcf import mcf_figure
from components.figures.rates import rates_figure
from components.figures.swimmer import swimmer_figure

GROUP = "asymptomatic_lesions"
COMPONENTS = Path(__file__).resolve().parents[2] / "components"


@pytest.fixture(scope="module")
def demo_report(demo):
    """The demo report grouped by asymptomatic lesions, with covariates for the forest plot."""
    return build_report(demo, Filters(), group_by=GROUP, covariates=("age_at_rtx", "sex"))


def _separation() -> list[tuple[str, list[HazardTerm]]]:
    term = HazardTerm(
        term="sex[M]",
        covariate="sex",
        level="M",
        reference="F",
        coef=math.inf,
        se=math.nan,
        hr=math.inf,
        ci_low=2.0,
        ci_high=math.inf,
        p=math.nan,
    )
    return [("Univariable", [term])]


def _all_fail_km() -> Figure:
    # Survival reaches 0: its log-log CI is NaN there.
    km = kaplan_meier([1, 2, 3], [1, 1, 1], label="All")
    return km_figure({"All": km}, {"All": survival_at(km, [0, 2])}, show_ci=True)


def _figures(demo, report) -> dict[str, Figure]:
    timelines = patient_timelines(demo, Filters(), GROUP)
    step = km_step(demo, Filters(), GROUP, "0", 84.0)
    stepped = patient_timelines(demo, Filters(), GROUP, step=step)
    many = replace(timelines, rows=timelines.rows * 3, total=3 * len(timelines.rows))
    relapses = build_relapse_report(demo, Filters(), group_by=GROUP)
    return {
        "km": km_figure(report.km, report.risk_table, logrank_p=0.03, group_by=GROUP),
        "km, every option": km_figure(
            report.km,
            report.risk_table,
            show_ci=True,
            show_events=True,
            kmunicate=True,
            horizon=60,
            group_by=GROUP,
        ),
        "km, all fail": _all_fail_km(),
        "forest": forest_figure(report_sections(report), title="Hazard ratios"),
        "forest, separation": forest_figure(_separation()),
        "rates": rates_figure(report.failure_rate, report.subgroup_rates),
        "empty": empty_figure("No patients match"),
        "swimmer": swimmer_figure(timelines),
        "swimmer, KM step": swimmer_figure(stepped, step=step),
        "swimmer, many rows": swimmer_figure(many),
        "mcf": mcf_figure(relapses.mcf, title="Mean cumulative relapses"),
    }


@pytest.fixture(scope="module")
def figures(demo, demo_report):
    """Every builder's figure, in the cases that switch parts of it on or off."""
    return _figures(demo, demo_report)


def _unvalidated_builders() -> set[str]:
    """Public functions under components/ that make their figure with ``fast_figure``."""
    builders = set()
    for path in COMPONENTS.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            called = {
                call.func.id
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            }
            if "fast_figure" in called:
                builders.add(node.name)
    return builders


def _spy(name: str, builder, called: set[str]):
    def spy(*args, **kwargs):
        called.add(name)
        return builder(*args, **kwargs)

    return spy


def test_every_unvalidated_builder_is_among_the_figures(demo, demo_report, monkeypatch):
    """A new builder in components/ that skips validation fails here until it has a case."""
    builders = _unvalidated_builders()
    assert {"km_figure", "empty_figure"} <= builders  # the search still finds them
    module = sys.modules[__name__]
    assert not sorted(b for b in builders if not hasattr(module, b)), "builder without a case"
    called: set[str] = set()
    for name in builders:
        monkeypatch.setattr(module, name, _spy(name, getattr(module, name), called))
    _figures(demo, demo_report)
    assert sorted(builders - called) == []


def test_validation_accepts_every_figure_and_changes_nothing(figures):
    changed = []
    for name, figure in figures.items():
        try:
            validated = go.Figure(figure)
        except ValueError as error:  # an invalid property
            raise AssertionError(f"{name}: {error}") from error
        if json.loads(validated.to_json()) != json.loads(pio.to_json(figure, validate=False)):
            changed.append(name)
    assert changed == []


def _strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_the_all_fail_curve_has_nan_confidence_limits(figures):
    traces = figures["km, all fail"]["data"]
    bands = [t for t in traces if t["mode"] == "lines" and t.get("line", {}).get("width") == 0]
    assert any(math.isnan(v) for band in bands for v in band["y"])


@pytest.mark.parametrize("name", ["km, all fail", "forest, separation"])
def test_nan_and_infinity_are_written_as_null(figures, name):
    """Strict JSON on the wire (Dash's serialiser) and in exported files."""
    _strict(to_json(figures[name]))
    _strict(pio.to_json(figures[name], validate=False))


def test_the_figure_carries_the_whole_template():
    """plotly.js knows no template names: a name alone would draw plotly's default look."""
    layout = fast_figure([], {})["layout"]
    assert layout["template"] == pio.templates["plotly_white"].to_plotly_json()


def test_drawing_and_writing_the_figures_leaves_the_shared_template_as_it_was(figures):
    """Figures share one template dict: nothing that renders them may write into it."""
    for figure in figures.values():
        to_json(figure)
        pio.to_html(figure, full_html=False, include_plotlyjs=False, validate=False)
        go.Figure(figure)
    for figure in figures.values():
        assert figure["layout"]["template"] == pio.templates["plotly_white"].to_plotly_json()
