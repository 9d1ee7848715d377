"""Issue 17: the server's policies hold on every callback, not only the upload.

The cohort store is a dcc.Store the browser sends back with every callback, so a client can
put anything in it; every control value likewise. Each test posts what an attacker posted
over HTTP (Flask's test client, bodies built from the app's own callback declarations).
"""

from __future__ import annotations

import functools
import json
import logging
import math

import pytest

from analytics.data.choices import MAX_GROUP_LEVELS
from app.layout import ids
from app.server.config import Config
from app.state.controls import cohort_controls
from tests.app.upload_session import Page, upload
from tests.conftest import make_cohort
from tests.reliability.dash_requests import live_count_text, texts

UPDATE = "/_dash-update-component"


def _patients_csv(rows: int, extra: str = "") -> bytes:
    lines = ["patient_id,followup_months,failure,failure_months,sex" + extra]
    for i in range(rows):
        note = f",note {i}" if extra else ""
        lines.append(f"X{i:05d},{10 + i % 50},{i % 2},{5 if i % 2 else ''},{'FM'[i % 2]}{note}")
    return ("\n".join(lines) + "\n").encode()


def _store(rows: int) -> dict:
    """The cohort store the upload callback gave a browser (on a server with default limits)."""
    page = _uploader()
    return upload(page, _patients_csv(rows), "forged.csv")


@functools.cache
def _uploader() -> Page:
    return Page(Config())


def warnings_text(response: dict) -> str:
    return " ".join(texts(response[ids.WARNINGS]["children"]))


@pytest.fixture(scope="module")
def open_page():
    return Page(Config())


@pytest.fixture(scope="module")
def closed_page():
    return Page(Config(allow_uploads=False))


@pytest.fixture(scope="module")
def limited_page():
    return Page(Config(max_upload_rows=20, max_upload_mb=0.01))


# --- the upload policy on every callback ---------------------------------------------------


def test_uploads_off_refuses_a_forged_store_in_the_panels(closed_page):
    response = closed_page.panels(_store(60))
    assert "Uploads are turned off on this server: reload the page." in warnings_text(response)
    assert "60" not in live_count_text(response) if ids.LIVE_COUNT in response else True


def test_uploads_off_exports_nothing_from_a_forged_store(closed_page):
    changes = {(ids.COHORT_STORE, "data"): _store(60)}
    reply = closed_page.post(
        "download_csv", changes, triggered=(ids.DOWNLOAD_CSV_BUTTON, "n_clicks")
    )
    # Nothing to download, never the forged patients.
    assert reply.status_code in (200, 204)
    assert b"X00001" not in reply.get_data()
    if reply.status_code == 200:
        assert ids.DOWNLOAD_CSV not in reply.get_json()["response"]


def test_uploads_off_lowers_the_request_body_limit(closed_page, open_page):
    body = json.dumps({"padding": "x" * (1024 * 1024)})
    assert (
        closed_page.client.post(UPDATE, data=body, content_type="application/json").status_code
        == 413
    )
    assert (
        open_page.client.post(UPDATE, data=body, content_type="application/json").status_code != 413
    )


def test_a_store_from_a_server_with_other_limits_is_refused_on_every_callback(limited_page):
    """The key names the limits its upload passed: under stricter ones it is refused, and
    the page goes back to the server's cohort (tests/app/test_upload_requests.py)."""
    answer = limited_page.panels_answer(_store(30))
    assert ids.LIVE_COUNT not in answer.get("response", {})
    assert answer["sideUpdate"][ids.UPLOAD_RESTORE]["data"]["reason"] == "invalid"


@pytest.mark.parametrize(
    "store",
    [
        {"patients": {"name": "p.csv", "data": "%%% not base64 %%%"}},
        {"patients": "p.csv"},
        {"patients": None, "key": "x"},
        {"key": ["x"]},
        "a string",
    ],
)
def test_a_malformed_store_gets_a_message_not_an_error(open_page, store, caplog):
    with caplog.at_level(logging.ERROR, logger="app.callbacks"):
        answer = open_page.panels_answer(store)
    assert answer["sideUpdate"][ids.UPLOAD_RESTORE]["data"]["reason"] == "invalid"
    assert caplog.records == []


# --- control values a page could not have sent ------------------------------------------------


@pytest.mark.parametrize("grace", [math.nan, 1e308, "abc", -1, [6], {"a": 1}, True])
def test_a_malformed_grace_period_gets_a_clear_note(open_page, grace, caplog):
    with caplog.at_level(logging.ERROR, logger="app.callbacks"):
        response = open_page.panels(**{ids.GRACE: grace})
    note = warnings_text(response)
    assert "The grace period value sent by the page was not understood" in note
    assert "expected a number of months from 0 to 12" in note
    assert caplog.records == []
    assert "54" in live_count_text(response)  # the default grace period applies


@pytest.mark.parametrize(
    ("control", "value", "named"),
    [
        (ids.SEX, ["F"], "sex filter"),
        (ids.LESIONS, "2", "asymptomatic lesions filter"),
        (ids.AGE, [math.nan, 1e308], "age range"),
        (ids.EDSS, "0-10", "EDSS range"),
        (ids.HORIZON, "abc", "time horizon"),
        (ids.GROUP_BY, ["sex"], "grouping"),
        (ids.COVARIATES, "sex", "covariates"),
        (ids.COVARIATES, [1, None], "covariates"),
    ],
)
def test_any_malformed_control_value_is_named_in_a_note(open_page, control, value, named, caplog):
    with caplog.at_level(logging.ERROR, logger="app.callbacks"):
        response = open_page.panels(**{control: value})
    assert f"The {named} value sent by the page was not understood" in warnings_text(response)
    assert caplog.records == []


@pytest.mark.parametrize("bound", ["abc", None, [1], math.inf])
def test_a_malformed_age_extent_does_not_break_the_url_sync(open_page, bound):
    reply = open_page.post(
        "query_from_controls",
        {(ids.AGE, "min"): bound, (ids.SEX, "value"): "F"},
        triggered=(ids.SEX, "value"),
    )
    assert reply.status_code == 200


def test_a_grouping_refused_by_the_rule_is_named_on_the_page(open_page):
    response = open_page.panels(**{ids.GROUP_BY: "patient_id"})
    assert (
        "patient_id cannot be a grouping: it identifies patients or is part of the outcome. "
        "Showing all patients." in warnings_text(response)
    )


# --- the menus offer only what the server accepts -------------------------------------------


def test_the_menus_never_offer_free_text_or_ids(demo):
    patients = demo.patients.assign(note=[f"note {i}" for i in range(len(demo.patients))])
    patients["site"] = [f"s{i % MAX_GROUP_LEVELS}" for i in range(len(patients))]
    controls = cohort_controls(make_cohort(patients))
    groups = {o["value"] for o in controls.group_options}
    covariates = {o["value"] for o in controls.covariate_options}
    assert "note" not in groups | covariates
    assert "patient_id" not in groups | covariates
    assert {"site", "sex"} <= groups & covariates
    assert "age_at_rtx" in covariates - groups


@pytest.mark.parametrize(
    ("values", "spanish"),
    [
        (
            {ids.GRACE: "abc"},
            "El valor de periodo de gracia enviado por la página no se entendió (se esperaba "
            "un número de meses de 0 a 12); se ignora.",
        ),
        (
            {ids.GROUP_BY: "patient_id"},
            "patient_id no puede ser una agrupación: identifica a los pacientes o forma parte "
            "del desenlace. Se muestran todos los pacientes.",
        ),
    ],
)
def test_the_notes_are_in_the_page_language(open_page, values, spanish):
    changes = {(cid, "value"): v for cid, v in values.items()}
    changes[(ids.LANGUAGE, "data")] = "es"
    reply = open_page.post("update_panels", changes)
    assert spanish in warnings_text(reply.get_json()["response"])
