"""Issue 17, verified on the merged code: callbacks the first fixes missed. A request can put
anything in any input (the URL's ``search``, a click on the Kaplan-Meier curve, the selected
step's store); the page answers 200 with the usual view, and nothing is logged as a bug."""

from __future__ import annotations

import logging

import pytest

from app.layout import ids
from app.server.config import Config
from tests.app.upload_session import Page
from tests.reliability.dash_requests import texts

BUG = "Something went wrong"


@pytest.fixture(scope="module")
def page():
    return Page(Config())


@pytest.mark.parametrize("search", [{"a": 1}, ["?grace=nan"], 7])
def test_a_url_search_that_is_not_text_gets_the_defaults_not_a_500(page, search):
    reply = page.post(
        "controls_from_url", {(ids.URL_QUERY, "data"): search}, triggered=(ids.URL_QUERY, "data")
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)[:300]
    assert reply.get_json()["response"][ids.GRACE]["value"] == 6


@pytest.mark.parametrize(
    "click",
    [
        {"points": "abc"},
        {"points": ["abc"]},
        {"points": [{"customdata": ["All", "nan"]}]},
        {"points": [{"customdata": ["All", "1e999"]}]},
        {"points": [{"customdata": ["All", 10**400]}]},
    ],
)
def test_a_forged_click_on_the_curve_selects_nothing(page, click, caplog):
    with caplog.at_level(logging.ERROR, logger="app.callbacks"):
        reply = page.post(
            "select_km_step",
            {(ids.KM_GRAPH, "clickData"): click},
            triggered=(ids.KM_GRAPH, "clickData"),
        )
    assert reply.status_code == 200
    response = reply.get_json()["response"]
    assert response[ids.KM_STEP]["data"] is None
    assert BUG not in " ".join(texts(response[ids.KM_STEP_PANEL]["children"]))
    assert caplog.records == []


@pytest.mark.parametrize(
    "step", ["abc", {"group": "All"}, {"group": "All", "time": "nan"}, {"group": ["x"], "time": 1}]
)
def test_a_forged_selected_step_shows_the_timelines_unhighlighted(page, step, caplog):
    with caplog.at_level(logging.ERROR, logger="app.callbacks"):
        reply = page.post("update_timelines", {(ids.KM_STEP, "data"): step})
    assert reply.status_code == 200
    response = reply.get_json()["response"]
    assert BUG not in " ".join(texts(response[ids.TIMELINE_CAPTION]["children"]))
    assert response[ids.TIMELINE_GRAPH]["figure"]["data"], "the timelines are drawn"
    assert caplog.records == []


def test_running_out_of_memory_answers_too_large_not_a_bug(caplog):
    """Verified on the merged code: the Relapses tab of 100 000 patients ran out of a 2 GiB
    worker in statsmodels (a MemoryError the budget's estimate does not cover) and answered
    "Something went wrong"; running out of memory is the server's limit, not a bug."""
    from analytics.budget import TOO_LARGE
    from app.callbacks.safety import guarded

    @guarded(lambda message: message)
    def costly():
        raise MemoryError("Unable to allocate 435. MiB")

    with caplog.at_level(logging.WARNING, logger="app.callbacks"):
        assert costly() == TOO_LARGE
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "435" not in caplog.text
