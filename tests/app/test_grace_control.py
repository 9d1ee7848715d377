"""The grace-period slider where it cannot be applied (a failure-column cohort, issue 12).

Moving it changed nothing while the methods paragraph stated the new definition; now it is
disabled with the reason next to it, in the page's language.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.data.io import load_cohort
from app.callbacks.view import adapt_controls
from app.layout import ids
from app.layout.page import build_layout
from app.state.controls import cohort_controls
from tests.app.callback_calls import arguments, run_triggered
from tests.app.test_callbacks import _upload
from tests.dash_text import component_texts

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
REASON = "Not applied: this cohort's outcome is its failure column"


def test_a_failure_column_cohort_cannot_apply_a_grace_period(demo):
    assert cohort_controls(load_cohort(GOOD / "patients.csv")).grace_applies is False
    assert cohort_controls(demo).grace_applies is True


def _grace_outputs(dash_app, store):
    outputs = run_triggered(
        adapt_controls,
        arguments(adapt_controls, dash_app, {(ids.COHORT_STORE, "data"): store}),
        f"{ids.COHORT_STORE}.data",
    )
    disabled, reason_style, value, settled, _adapted_to = outputs[-5:]
    # The views read the settled value: it moves with the slider, not after a pause.
    assert settled == value
    return disabled, reason_style, value


def test_uploading_a_failure_column_cohort_disables_the_slider(app_context):
    store, _ = _upload(app_context, GOOD / "patients.csv")
    disabled, reason_style, value = _grace_outputs(app_context, store)
    assert disabled is True
    assert reason_style is None  # the reason is shown
    assert value == 6


def test_a_cohort_with_relapses_enables_it(app_context):
    store, _ = _upload(app_context, GOOD / "patients.csv", GOOD / "relapses.csv")
    disabled, reason_style, _ = _grace_outputs(app_context, store)
    assert disabled is False
    assert reason_style == {"display": "none"}


def test_the_demo_page_has_the_slider_enabled(dash_app):
    layout = dash_app.validation_layout
    assert not layout[ids.GRACE].disabled
    assert layout[ids.GRACE_REASON].style == {"display": "none"}


@pytest.mark.parametrize(
    ("language", "text"), [("en", REASON), ("es", "No se aplica: el desenlace de esta cohorte")]
)
def test_a_server_cohort_without_relapses_serves_it_disabled(language, text):
    page = build_layout(load_cohort(GOOD / "patients.csv"), language=language)
    assert page[ids.GRACE].disabled is True
    assert page[ids.GRACE_REASON].style is None
    assert component_texts(page[ids.GRACE_REASON])[0].startswith(text)
