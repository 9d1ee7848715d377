"""Timelines tab and KM-step callbacks called directly (as tests/app/test_callbacks.py does),
and the INFUSIONS_PATH setting."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from analytics.data.demo import INFUSIONS_PATH, PATIENTS_PATH, RELAPSES_PATH
from app.callbacks.timelines import select_km_step, update_timelines
from app.layout import ids
from app.server.config import Config, ConfigError
from app.server.factory import load_configured_cohort
from tests.app.callback_calls import arguments, run_triggered
from tests.dash_text import component_texts


def _rows(figure) -> list[str]:
    return list(figure["layout"]["yaxis"]["ticktext"])


def _click(group: str, month: float) -> dict:
    return {"points": [{"x": month, "y": 0.5, "customdata": [group, month]}]}


def test_timeline_has_one_row_per_demo_patient(app_context):
    figure, caption = update_timelines(*arguments(update_timelines, app_context, {}))
    assert len(_rows(figure)) == 54
    assert "synthetic demo cohort" in figure["layout"]["title"]["text"]
    assert "54 patients match" in " ".join(component_texts(caption))


def test_timeline_follows_the_filters(app_context):
    figure, caption = update_timelines(*arguments(update_timelines, app_context, {ids.SEX: "M"}))
    assert 0 < len(_rows(figure)) < 54
    assert f"{len(_rows(figure))} patients match" in " ".join(component_texts(caption))


def test_timeline_without_grouping(app_context):
    figure, _ = update_timelines(*arguments(update_timelines, app_context, {ids.GROUP_BY: "none"}))
    assert [t.name for t in go.Figure(figure).data if t.mode == "lines"] == ["All patients (n=54)"]


def test_clicking_a_km_step_lists_its_patients(app_context):
    args = arguments(select_km_step, app_context, {(ids.KM_GRAPH, "clickData"): _click("0", 84.0)})
    store, panel = run_triggered(select_km_step, args, f"{ids.KM_GRAPH}.clickData")
    assert store == {"group": "0", "time": 84.0}
    text = " ".join(component_texts(panel))
    assert "Asymptomatic lesions: no · month 84.0" in text
    assert "Censored here (1)" in text
    assert "SYN-" in text


def test_the_selected_step_is_highlighted_in_the_timeline(app_context):
    selected = {"group": "0", "time": 84.0}
    figure, _ = update_timelines(
        *arguments(update_timelines, app_context, {(ids.KM_STEP, "data"): selected})
    )
    bold = [label for label in _rows(figure) if label.startswith("<b>")]
    assert len(bold) == 19  # at risk in the no-lesion group just before month 84
    assert any((t.name or "").startswith("Failed or censored") for t in go.Figure(figure).data)


@pytest.mark.parametrize(
    "click",
    [None, {}, {"points": []}, {"points": [{"x": 3}]}, {"points": [{"customdata": ["0", "x"]}]}],
)
def test_clicks_off_the_curves_clear_the_selection(app_context, click):
    args = arguments(select_km_step, app_context, {(ids.KM_GRAPH, "clickData"): click})
    store, panel = run_triggered(select_km_step, args, f"{ids.KM_GRAPH}.clickData")
    assert store is None
    assert "Click a step" in " ".join(component_texts(panel))


def test_changing_a_filter_clears_the_selection(app_context):
    args = arguments(select_km_step, app_context, {(ids.KM_GRAPH, "clickData"): _click("0", 84)})
    store, _ = run_triggered(select_km_step, args, f"{ids.SEX}.value")
    assert store is None


# --- INFUSIONS_PATH ----------------------------------------------------------------------


def test_infusions_path_is_read_and_loaded():
    config = Config.from_env(
        {
            "COHORT_PATH": str(PATIENTS_PATH),
            "RELAPSES_PATH": str(RELAPSES_PATH),
            "INFUSIONS_PATH": str(INFUSIONS_PATH),
        }
    )
    assert config.infusions_path == INFUSIONS_PATH
    cohort = load_configured_cohort(config)
    assert cohort.infusions is not None
    assert set(cohort.infusions["patient_id"]) <= set(cohort.patients["patient_id"])


def test_without_infusions_path_there_are_no_infusions():
    config = Config.from_env({"COHORT_PATH": str(PATIENTS_PATH)})
    assert load_configured_cohort(config).infusions is None


def test_infusions_path_needs_cohort_path():
    with pytest.raises(ConfigError, match="INFUSIONS_PATH is set but COHORT_PATH is not"):
        Config.from_env({"INFUSIONS_PATH": "/i.csv"})
