"""Uploading an infusions file: the worker holds it, the digest covers it, bad rows are
listed like any other upload problem, and the template downloads."""

from __future__ import annotations

import base64
import contextvars

import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict

from analytics.data.io import load_cohort
from analytics.data.schema import CohortValidationError
from app.callbacks import callback_specs
from app.callbacks.data import download_infusions_template, load_upload
from app.layout import ids
from app.server.config import Config
from app.server.factory import create_app
from app.state import cohort_store
from app.state.cohort_store import UploadFiles, validate_upload
from app.state.lru import BoundedCache
from tests.dash_text import component_texts

PATIENTS = b"patient_id,followup_months,failure,failure_months\nA1,30,1,12\nA2,40,0,\n"
RELAPSES = b"patient_id,months_from_rtx\nA1,-3\nA1,12\n"
INFUSIONS = b"patient_id,months_from_rtx\nA1,0\nA1,6\nA2,0\n"
BAD_INFUSIONS = b"patient_id,months_from_rtx\nA1,0\nZZ,3\nA2,-1\n"
DEPENDENCIES = [
    *callback_specs()[next(k for k in callback_specs() if "upload-status" in k)]["inputs"],
    *callback_specs()[next(k for k in callback_specs() if "upload-status" in k)]["state"],
]


@pytest.fixture
def fresh_cache(monkeypatch):
    """An empty upload cache, as in a worker that has seen no upload yet."""
    cache = BoundedCache(cohort_store.CACHE_SIZE)
    monkeypatch.setattr(cohort_store, "_cache", cache)
    return cache


@pytest.fixture(scope="module")
def dash_app():
    """The app with the default (demo) configuration."""
    return create_app(Config())


def _data_url(data: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(data).decode()


def _upload(dash_app, files: dict[str, tuple[bytes, str]], triggered: str):
    values = {}
    for upload_id, (data, name) in files.items():
        values[(upload_id, "contents")] = _data_url(data)
        values[(upload_id, "filename")] = name
    args = [values.get((dep["id"], dep["property"])) for dep in DEPENDENCIES]

    def call():
        context_value.set(
            AttributeDict(triggered_inputs=[{"prop_id": f"{triggered}.contents", "value": None}])
        )
        return load_upload(*args)

    with dash_app.server.test_request_context():
        return contextvars.copy_context().run(call)


def _problems(infusions: bytes) -> list[str]:
    with pytest.raises(CohortValidationError) as error:
        load_cohort(PATIENTS, infusions=infusions, infusions_name="bad.csv")
    return [str(p) for p in error.value.problems]


def test_an_upload_with_infusions_is_held_and_validated_again_alike(fresh_cache):
    files = UploadFiles(PATIENTS, "p.csv", RELAPSES, "r.csv", INFUSIONS, "i.csv")
    digest, cohort = validate_upload(files)
    fresh_cache._items.clear()  # a worker that lost it validates the page's files again
    again, rebuilt = validate_upload(files)
    assert again == digest
    assert rebuilt is not cohort
    assert rebuilt.infusions["months_from_rtx"].tolist() == [0.0, 6.0, 0.0]


def test_the_digest_covers_the_infusions():
    plain = UploadFiles(PATIENTS, "p.csv", RELAPSES, "r.csv")
    with_infusions = UploadFiles(PATIENTS, "p.csv", RELAPSES, "r.csv", INFUSIONS, "i.csv")
    assert plain.digest() != with_infusions.digest()


def test_the_same_file_as_relapses_or_as_infusions_gives_two_digests():
    events = b"patient_id,months_from_rtx\nA1,12\n"
    as_relapses = UploadFiles(PATIENTS, "p.csv", events, "e.csv")
    as_infusions = UploadFiles(PATIENTS, "p.csv", infusions=events, infusions_name="e.csv")
    assert as_relapses.digest() != as_infusions.digest()


def test_uploading_an_infusions_file_loads_it(dash_app, fresh_cache):
    store, status = _upload(
        dash_app,
        {ids.UPLOAD_PATIENTS: (PATIENTS, "p.csv"), ids.UPLOAD_INFUSIONS: (INFUSIONS, "i.csv")},
        ids.UPLOAD_INFUSIONS,
    )
    assert store["files"]["infusions"] == "i.csv"
    assert "with infusions from i.csv" in " ".join(component_texts(status))


def test_a_bad_infusions_file_lists_every_problem_and_keeps_the_cohort(dash_app, fresh_cache):
    store, status = _upload(
        dash_app,
        {
            ids.UPLOAD_PATIENTS: (PATIENTS, "p.csv"),
            ids.UPLOAD_INFUSIONS: (BAD_INFUSIONS, "bad.csv"),
        },
        ids.UPLOAD_INFUSIONS,
    )
    assert store is no_update
    assert status.id == "upload-problems"
    problems = status.children[1].children
    expected = _problems(BAD_INFUSIONS)
    assert len(problems) == len(expected) >= 2
    assert all("bad.csv" in str(item.children) for item in problems)


def test_infusions_alone_need_the_patients_file(dash_app, fresh_cache):
    store, status = _upload(
        dash_app, {ids.UPLOAD_INFUSIONS: (INFUSIONS, "i.csv")}, ids.UPLOAD_INFUSIONS
    )
    assert store is no_update
    assert "Upload the patients file first" in " ".join(component_texts(status))


def test_the_infusions_template_downloads():
    download = download_infusions_template(1)
    assert download["filename"] == "nmosd-infusions-template.csv"
    assert download["content"].splitlines()[0] == "patient_id,months_from_rtx,dose_mg"
