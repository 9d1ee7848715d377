"""The Timelines tab (swimmer plot) and the click from a Kaplan–Meier step to its patients."""

from __future__ import annotations

import pytest
from explorer_page import DEFAULT_GROUP, cli_report
from km_clicks import click_at, open_km

from analytics.data.cohort import Filters
from analytics.data.demo import load_demo
from analytics.stats.timelines import km_step

pytestmark = pytest.mark.browser


def _timeline_rows(explorer) -> list[str] | None:
    figure = explorer.prop("timeline-graph", "figure") or {}
    return figure.get("layout", {}).get("yaxis", {}).get("ticktext")


def _drawn_title(explorer) -> str | None:
    """The title plotly drew (SVG text: no innerText), once the graph is laid out visibly."""
    return explorer.driver.execute_script(
        """const el = document.querySelector('#timeline-graph .gtitle');
        return el && el.getBoundingClientRect().width > 0 ? el.textContent : null;"""
    )


def test_timeline_has_one_row_per_filtered_patient_and_follows_a_filter(explorer):
    explorer.open()
    explorer.open_tab("Timelines")
    rows = explorer.wait_until(lambda: _timeline_rows(explorer), "timeline rows")
    assert len(rows) == cli_report(*DEFAULT_GROUP)["n"] == 54
    title = explorer.wait_until(lambda: _drawn_title(explorer), "the drawn timeline")
    assert "synthetic demo cohort" in title

    explorer.click_radio("filter-sex", "M")
    males = cli_report("--sex", "M", *DEFAULT_GROUP)["n"]
    explorer.wait_until(
        lambda: len(_timeline_rows(explorer) or []) == males, f"{males} rows for men"
    )
    assert f"{males} patients match" in explorer.text("#timeline-caption")
    explorer.assert_no_errors()


def test_clicking_a_km_step_lists_patients_and_highlights_them(explorer):
    plot = open_km(explorer)
    # The middle of a drop of the lesion group's curve, well below the other curve.
    curve = cli_report(*DEFAULT_GROUP)["km"]["groups"]["1"]
    month, before, after = curve["timeline"][8], curve["survival"][7], curve["survival"][8]
    assert after < before, "not a drop"
    click_at(explorer, plot, month, (before + after) / 2)

    selected = explorer.wait_until(lambda: explorer.prop("km-step-store", "data"), "a KM step")
    assert selected["group"] == "1"
    assert selected["time"] == pytest.approx(month)
    step = km_step(load_demo(), Filters(), "asymptomatic_lesions", "1", selected["time"])
    assert step.failed
    explorer.wait_settled()
    panel = explorer.text("#km-step-panel")
    assert f"At risk just before ({len(step.at_risk)})" in panel
    assert f"Failed here ({len(step.failed)})" in panel
    for code in step.failed:
        assert code in explorer.text("#km-step-failed")

    explorer.open_tab("Timelines")
    explorer.wait_until(
        lambda: (
            sum(label.startswith("<b>") for label in _timeline_rows(explorer) or [])
            == len(step.at_risk)
        ),
        "the step's patients in bold in the timeline",
    )
    explorer.assert_no_errors()
