"""The callbacks called directly (no browser) inside the Flask app context.

``dash.callback`` registers a function and returns it unchanged, so the names imported here
are the functions Dash runs. ``ctx.triggered_id`` reads dash's context variable, which the
tests set the way dash's own tests do.
"""

from __future__ import annotations

import base64
import csv
import io
import logging
from pathlib import Path

import plotly.graph_objects as go
import pytest
from dash import no_update

from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from app.callbacks import callback_specs, report, view_sections
from app.callbacks.data import download_csv, download_report, load_upload
from app.callbacks.report import update_panels
from app.callbacks.view import SETTLED_IDS, controls_from_url, query_from_controls
from app.layout import ids
from app.state.controls import CONTROL_IDS
from app.state.view_state import ViewState
from tests.app.callback_calls import DEPENDENCIES, arguments, run_triggered
from tests.app.page_calls import render_page
from tests.dash_text import by_id
from tests.dash_text import component_texts as _texts

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
DEMO_GROUP = "asymptomatic_lesions"


@pytest.fixture(scope="module")
def defaults(dash_app):
    """The control values, KM options and age-slider bounds as the page first renders them."""
    layout = dash_app.validation_layout
    return {
        "values": {cid: layout[cid].value for cid in CONTROL_IDS},
        "km_options": layout[ids.KM_OPTIONS].value,
        "age_min": layout[ids.AGE].min,
        "age_max": layout[ids.AGE].max,
    }


def _panels(dash_app, store=None, **changes):
    """What the page shows for the view, every tab open (tests.app.page_calls)."""
    return render_page(dash_app, changes, store)


def _card_value(panels, card_id: str) -> str:
    return " ".join(_texts(by_id(panels[ids.CARDS], f"{card_id}-value")))


def _part(panels, component_id: str):
    return panels[component_id]


# --- update_panels -----------------------------------------------------------------------


def test_default_view_shows_the_demo_numbers(app_context, defaults):
    panels = _panels(app_context)
    assert (_card_value(panels, "card-n"), _card_value(panels, "card-events")) == ("54", "12")


def test_default_cards_equal_build_report(app_context, defaults, demo):
    expected = build_report(demo, Filters(), group_by=DEMO_GROUP)
    panels = _panels(app_context)
    assert _card_value(panels, "card-proportion") == f"{expected.failure_rate.estimate:.1%}"
    assert _card_value(panels, "card-incidence") == f"{expected.incidence.estimate:.2f}"


def test_default_view_has_one_curve_per_lesion_group(app_context, defaults):
    figure = go.Figure(_part(_panels(app_context), ids.KM_GRAPH))
    legend = [t.name for t in figure.data if t.showlegend is not False and t.mode == "lines"]
    assert len(legend) == 2


def test_live_count_names_patients_and_failures(app_context, defaults):
    text = "".join(_texts(_part(_panels(app_context), ids.LIVE_COUNT)))
    assert text.startswith("54 of 54 patients, 12 failures")


def test_the_demo_is_labelled_synthetic(app_context, defaults):
    assert "Synthetic demo cohort" in _texts(_part(_panels(app_context), ids.COHORT_LABEL))


@pytest.mark.parametrize(
    ("changes", "filters"),
    [
        ({ids.SEX: "M"}, Filters(sex="M")),
        ({ids.LESIONS: "1", ids.GD: "0"}, Filters(lesions=1, gd_persistent=0)),
        ({ids.AGE: [30, 50]}, Filters(age_min=30, age_max=50)),
        ({ids.EDSS: [2, 4.5], ids.FCGR3A: "VF"}, Filters(edss_min=2, edss_max=4.5, fcgr3a="VF")),
        ({ids.GRACE: 0}, Filters(grace_months=0)),
        ({ids.GRACE: 12}, Filters(grace_months=12)),
    ],
)
def test_a_filter_change_matches_build_report(app_context, defaults, demo, changes, filters):
    expected = build_report(demo, filters, group_by=DEMO_GROUP)
    panels = _panels(app_context, **changes)
    shown = [_card_value(panels, c) for c in ("card-n", "card-events", "card-proportion")]
    assert shown == [
        str(expected.n),
        str(expected.events),
        f"{expected.failure_rate.estimate:.1%}",
    ]


def test_a_filter_change_changes_the_numbers(app_context, defaults):
    assert _card_value(_panels(app_context, **{ids.SEX: "M"}), "card-n") != "54"


def test_curves_follow_the_grouping_control(app_context, defaults, demo):
    expected = build_report(demo, Filters(), group_by="fcgr3a_v158f")
    figure = go.Figure(_part(_panels(app_context, **{ids.GROUP_BY: "fcgr3a_v158f"}), ids.KM_GRAPH))
    legend = [t.name for t in figure.data if t.showlegend is not False and t.mode == "lines"]
    assert len(legend) == len(expected.km)


def test_an_empty_subgroup_gives_the_friendly_message(app_context, defaults, caplog):
    with caplog.at_level(logging.ERROR, logger="app.callbacks"):
        panels = _panels(app_context, **{ids.EDSS: [9.5, 10]})
    assert caplog.records == []
    assert _card_value(panels, "card-n") == "0"
    figure = go.Figure(_part(panels, ids.KM_GRAPH))
    assert "No patients match" in figure.layout.annotations[0].text


@pytest.mark.parametrize("part", [ids.KM_SUMMARY, ids.RATES_PANEL, ids.TABLE_ONE, ids.LESION_PANEL])
def test_an_empty_subgroup_explains_itself_in_each_table(app_context, defaults, part):
    panels = _panels(app_context, **{ids.EDSS: [9.5, 10]})
    assert any("No patients match" in t for t in _texts(_part(panels, part)))


def test_an_empty_subgroup_does_not_claim_the_lesion_column_is_missing(app_context, defaults):
    panels = _panels(app_context, **{ids.EDSS: [9.5, 10]})
    texts = _texts(_part(panels, ids.LESION_PANEL))
    assert not any("no asymptomatic_lesions column" in t for t in texts)


def test_a_single_patient_subgroup_does_not_fail(app_context, defaults, demo, caplog):
    one = demo.patients.sort_values("age_at_rtx").iloc[0]
    age = float(one["age_at_rtx"])
    with caplog.at_level(logging.ERROR, logger="app.callbacks"):
        panels = _panels(app_context, **{ids.AGE: [age, age]})
    assert caplog.records == []
    assert _card_value(panels, "card-n") == str((demo.patients["age_at_rtx"] == age).sum())


def test_an_unexpected_error_gives_the_fallback_and_a_clean_log(
    app_context, defaults, monkeypatch, caplog
):
    def broken(*_args, **_kwargs):
        raise ValueError("patient NMO-017 aged 45.5 has EDSS 6.5")

    monkeypatch.setattr(view_sections, "core_section", broken)
    with caplog.at_level(logging.ERROR, logger="app.callbacks"):
        panels = _panels(app_context)
    assert _part(panels, ids.LIVE_COUNT) is None
    assert go.Figure(_part(panels, ids.KM_GRAPH)).layout.annotations[0].text == "Not available"
    alert_text = " ".join(_texts(_part(panels, ids.WARNINGS)))
    assert "Something went wrong" in alert_text
    assert [r.getMessage() for r in caplog.records][0].startswith(
        "callback update_panels failed: ValueError"
    )
    logged = " ".join(r.getMessage() for r in caplog.records)
    for secret in ("NMO-017", "45.5", "6.5"):
        assert secret not in logged


def test_the_fallback_fills_every_output(app_context, defaults, monkeypatch):
    monkeypatch.setattr(view_sections, "core_section", lambda *a, **k: 1 / 0)
    args = arguments(update_panels, app_context, {(ids.COHORT_STORE, "data"): None})
    assert len(update_panels(*args)) == len(report.PANEL_OUTPUTS)


def test_an_uploaded_store_replaces_the_demo(app_context, defaults):
    store = _store_from_good_files(app_context)
    panels = _panels(app_context, store=store, **{ids.GROUP_BY: "none"})
    assert "Synthetic demo cohort" not in _texts(_part(panels, ids.COHORT_LABEL))


# --- uploads -----------------------------------------------------------------------------


def _data_url(path: Path) -> str:
    return "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _upload(dash_app, patients: Path | None, relapses: Path | None = None, trigger=None):
    changes = {
        (ids.UPLOAD_PATIENTS, "contents"): None if patients is None else _data_url(patients),
        (ids.UPLOAD_RELAPSES, "contents"): None if relapses is None else _data_url(relapses),
        (ids.UPLOAD_PATIENTS, "filename"): None if patients is None else patients.name,
        (ids.UPLOAD_RELAPSES, "filename"): None if relapses is None else relapses.name,
    }
    return run_triggered(
        load_upload,
        arguments(load_upload, dash_app, changes),
        f"{trigger or ids.UPLOAD_PATIENTS}.contents",
    )


def _store_from_good_files(dash_app):
    store, _ = _upload(dash_app, GOOD / "patients.csv", GOOD / "relapses.csv")
    return store


def test_a_bad_file_keeps_the_store_and_lists_the_problems(app_context):
    store, alert = _upload(app_context, BAD / "duplicate_id.csv")
    assert store is no_update
    assert alert.id == "upload-problems"
    items = alert.children[1].children
    assert len(items) >= 1
    assert any("duplicate_id.csv" in item.children for item in items)


def test_every_problem_of_a_bad_file_is_listed(app_context):
    from analytics.data.io import load_cohort
    from analytics.data.schema import CohortValidationError

    path = BAD / "age_out_of_range.csv"
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(path.read_bytes(), patients_name=path.name, label=path.name)
    _, alert = _upload(app_context, path)
    assert len(alert.children[1].children) == len(caught.value.problems)


def test_an_undecodable_upload_is_a_problem_not_a_crash(app_context):
    changes = {
        (ids.UPLOAD_PATIENTS, "contents"): "data:text/csv;base64,@@@",
        (ids.UPLOAD_PATIENTS, "filename"): "broken.csv",
    }
    store, alert = run_triggered(
        load_upload,
        arguments(load_upload, app_context, changes),
        f"{ids.UPLOAD_PATIENTS}.contents",
    )
    assert store is no_update
    assert "could not be decoded" in " ".join(_texts(alert))


def test_a_good_file_returns_a_store(app_context):
    store, alert = _upload(app_context, GOOD / "patients.csv", GOOD / "relapses.csv")
    assert sorted(store) == ["files", "key", "mapping", "n", "restored"]
    assert store["mapping"] is None  # a contract file is read as written
    assert store["files"] == {
        "patients": "patients.csv",
        "relapses": "relapses.csv",
        "infusions": None,
    }
    assert alert.id == "upload-ok"


def test_relapses_before_patients_asks_for_the_patients_file(app_context):
    store, alert = _upload(app_context, None, GOOD / "relapses.csv", trigger=ids.UPLOAD_RELAPSES)
    assert store is no_update
    assert alert.color == "warning"


def test_use_demo_clears_the_store(app_context):
    args = arguments(load_upload, app_context, {(ids.USE_DEMO, "n_clicks"): 1})
    store, _ = run_triggered(load_upload, args, f"{ids.USE_DEMO}.n_clicks")
    assert store is None


# --- exports -----------------------------------------------------------------------------


def _download(function, dash_app, store=None, **changes):
    button = DEPENDENCIES[function.__name__][0]
    changes = {
        **changes,
        (ids.COHORT_STORE, "data"): store,
        (button["id"], button["property"]): 1,
    }
    return function(*arguments(function, dash_app, changes))


@pytest.fixture
def formula_store(app_context, tmp_path):
    """An upload whose text cells look like spreadsheet formulas."""
    path = tmp_path / "formulas.csv"
    path.write_text(
        "patient_id,followup_months,failure,failure_months,note\n"
        '=1+1,30,1,10,=HYPERLINK("http://x")\n'
        "+A1,40,0,,+cmd\n"
        "-B2,12,1,8,-2+3\n"
        "@SUM(A1),60,0,,@SUM(1)\n"
        "P5,25,0,,plain\n",
        encoding="utf-8",
    )
    store, _ = _upload(app_context, path)
    assert isinstance(store, dict), "the formula-like test file should load"
    return store


def test_download_csv_neutralises_formula_like_cells(app_context, defaults, formula_store):
    sent = _download(download_csv, app_context, formula_store, **{ids.GROUP_BY: "none"})
    rows = list(csv.reader(io.StringIO(sent["content"])))
    cells = [cell for row in rows for cell in row]
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@")] == []
    assert "plain" in cells


def test_download_csv_of_the_demo_is_named_synthetic(app_context, defaults):
    sent = _download(download_csv, app_context)
    assert sent["filename"] == "synthetic-demo-filtered.csv"


def test_download_csv_has_the_filtered_rows(app_context, defaults, demo):
    sent = _download(download_csv, app_context, **{ids.SEX: "M"})
    lines = io.StringIO(sent["content"]).readlines()
    notes = [line.strip() for line in lines if line.startswith("#")]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    assert len(rows) == build_report(demo, Filters(sex="M")).n
    # The file says which filters made it, and writes flags as 0/1.
    assert "# filters: sex=M; grace_months=6" in notes
    assert {row["failure"] for row in rows} == {"0", "1"}


def test_download_report_names_the_data_and_says_synthetic(app_context, defaults, demo):
    sent = _download(download_report, app_context)
    assert demo.fingerprint in sent["content"]
    assert "Synthetic demo cohort" in sent["content"]


# --- URL <-> controls --------------------------------------------------------------------


def _restore(dash_app, search, triggered, **changes):
    args = arguments(controls_from_url, dash_app, {**changes, (ids.URL_QUERY, "data"): search})
    return run_triggered(controls_from_url, args, triggered)


def _query(dash_app, **changes):
    args = arguments(query_from_controls, dash_app, changes)
    return run_triggered(query_from_controls, args, f"{ids.SEX}.value")


def _controls_and_settled(out) -> tuple[dict, dict]:
    """The restoring callback's control values and sliders' settled values, by control id."""
    values = dict(zip(CONTROL_IDS, out[: len(CONTROL_IDS)], strict=True))
    settled = dict(zip(SETTLED_IDS, out[len(CONTROL_IDS) :], strict=True))
    return values, settled


def test_the_url_sets_the_controls(dash_app, defaults):
    out = _restore(dash_app, "?sex=M&age=30-50&lesions=1&group=none", f"{ids.URL_QUERY}.data")
    values, settled = _controls_and_settled(out)
    # The sliders' settled values come with them: the views compute at once, with no pause.
    assert settled == {cid: values[cid] for cid in SETTLED_IDS}
    assert settled[ids.AGE] == [30.0, 50.0]
    assert (values[ids.SEX], values[ids.AGE], values[ids.LESIONS], values[ids.GROUP_BY]) == (
        "M",
        [30.0, 50.0],
        "1",
        "none",
    )


def test_the_first_load_without_trigger_reads_the_url(dash_app, defaults):
    out = _restore(dash_app, "?sex=F", None)
    assert out[CONTROL_IDS.index(ids.SEX)] == "F"


def test_a_control_change_writes_the_query(dash_app, defaults):
    query = _query(dash_app, **{ids.SEX: "M", ids.AGE: [30, 50]})
    assert ViewState.from_query(query) == ViewState(sex="M", age=(30.0, 50.0))


def test_default_controls_write_an_empty_query(dash_app, defaults):
    assert _query(dash_app) == ""


def test_reset_sets_the_default_controls(dash_app, defaults):
    out = _restore(
        dash_app, "?sex=M&lesions=1", f"{ids.RESET}.n_clicks", **{ids.SEX: "M", ids.LESIONS: "1"}
    )
    values, settled = _controls_and_settled(out)
    assert values == defaults["values"]
    assert settled == {cid: defaults["values"][cid] for cid in SETTLED_IDS}
    # ... which then write the defaults' query (the URL without filters).
    assert _query(dash_app, **values) == ""


def test_no_callback_both_listens_to_and_writes_the_controls(dash_app):
    """Such a callback sits before every view in Dash's order of callbacks: each filter change
    would wait for its answer before the views are even requested (so it was, when one
    callback synced the URL both ways)."""
    graph = dash_app.server.test_client().get("/_dash-dependencies").get_json()
    control_values = {f"{cid}.value" for cid in CONTROL_IDS}
    for callback in graph:
        inputs = {f"{i['id']}.{i['property']}" for i in callback["inputs"]}
        outputs = set(callback["output"].strip(".").split("...")) if callback["output"] else set()
        assert not (inputs & control_values and outputs & control_values), callback["output"]


def test_the_same_view_is_computed_once_and_a_new_view_again(
    app_context, defaults, fresh_report_cache, monkeypatch
):
    calls = []
    real = view_sections.core_section

    def counted(*args, **kwargs):
        calls.append(kwargs.get("group_by"))
        return real(*args, **kwargs)

    monkeypatch.setattr(view_sections, "core_section", counted)
    first = _panels(app_context)
    again = _panels(app_context)
    assert len(calls) == 1
    assert _card_value(first, "card-n") == _card_value(again, "card-n")
    narrowed = _panels(app_context, **{ids.SEX: "F"})
    assert len(calls) == 2
    assert _card_value(narrowed, "card-n") != _card_value(first, "card-n")


# --- follow_live_count: the count while a slider moves --------------------------------------


@pytest.mark.parametrize(
    ("changes", "filters"),
    [
        ({ids.AGE: "low+10"}, "age_min"),
        ({ids.EDSS: [2, 4.5]}, Filters(edss_min=2, edss_max=4.5)),
        ({ids.GRACE: 3}, Filters(grace_months=3)),
        ({ids.GRACE: 12, ids.SEX: "M"}, Filters(grace_months=12, sex="M")),
    ],
)
def test_the_live_count_follows_a_raw_slider_value(app_context, defaults, demo, changes, filters):
    """Before the slider settles (no settled store changed), the count names the patients
    and failures of the view the thumb shows: the CLI's numbers for that view."""
    if changes.get(ids.AGE) == "low+10":
        low, high = defaults["age_min"] + 10, defaults["age_max"]
        changes, filters = {ids.AGE: [low, high]}, Filters(age_min=low)
    raw = {(cid, "value"): value for cid, value in changes.items()}
    count = report.follow_live_count(*arguments(report.follow_live_count, app_context, raw))
    expected = build_report(demo, filters, group_by=DEMO_GROUP)
    text = "".join(_texts(count))
    assert text.startswith(f"{expected.n} of 54 patients, {expected.events} failures")
    # Each case names another view than the default's 54 and 12, so a count that ignored
    # the raw value would fail.
    assert (expected.n, expected.events) != (54, 12)


def test_only_a_moving_slider_triggers_the_live_count():
    """Other controls change the views at once (update_panels writes the count then)."""
    (spec,) = [
        entry for entry in callback_specs().values()
        if entry["callback"].__name__ == "follow_live_count"
    ]  # fmt: skip
    inputs = {(d["id"], d["property"]) for d in spec["inputs"]}
    assert inputs == {(cid, "value") for cid in ids.SETTLED}
