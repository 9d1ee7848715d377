"""A Spanish clinic's upload over HTTP, as the browser posts it: the mapping step first,
nothing loaded until confirmed, the confirmed mapping part of the key, and a restore that
sends the mapping back with the files (tests/spanish_clinic.py's invented patients)."""

from __future__ import annotations

import pytest

from app.layout import ids
from app.server.config import Config
from app.state import cohort_store
from tests import spanish_clinic as clinic
from tests.app.upload_session import Page
from tests.reliability.dash_requests import live_count_text, texts

LOST = "The uploaded file is no longer held by the server: upload it again."
FILES = {ids.UPLOAD_PATIENTS: ("clinica.csv", clinic.spanish_csv())}


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(cohort_store, "_cache", cohort_store.BoundedCache(cohort_store.CACHE_SIZE))


@pytest.fixture(scope="module")
def page():
    return Page(Config())


def _answer(reply) -> dict:
    assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
    return reply.get_json()["response"]


def _confirm(page: Page, m_means: str | None) -> dict:
    changes = {
        **page.upload_changes(FILES),
        (ids.UPLOAD_MAPPING_CONFIRM, "n_clicks"): 1,
        (ids.UPLOAD_SEX_M, "value"): m_means,
        (ids.UPLOAD_DERIVE, "value"): ["derive"],
    }
    return _answer(
        page.post("load_upload", changes, triggered=(ids.UPLOAD_MAPPING_CONFIRM, "n_clicks"))
    )


def test_nothing_is_loaded_before_the_mapping_is_confirmed(page):
    changes = page.upload_changes(FILES)
    reply = page.post("load_upload", changes, triggered=(ids.UPLOAD_PATIENTS, "contents"))
    assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
    loaded, step = reply.get_json()["response"], reply.get_json()["sideUpdate"]
    assert ids.COHORT_STORE not in loaded  # no_update: the demo stays
    assert "check how they will be read" in " ".join(texts(loaded[ids.UPLOAD_STATUS]["children"]))
    assert step[ids.UPLOAD_MAPPING_AREA]["style"] == {}
    assert step[ids.UPLOAD_SEX_M_AREA]["style"] == {}  # "M" is asked about
    shown = " ".join(texts(step[ids.UPLOAD_MAPPING_TABLE]["children"]))
    assert "Fecha última visita" in shown
    assert "HV-01" in shown
    # Confirming without an answer for "M" loads nothing either.
    refused = _confirm(page, None)
    assert ids.COHORT_STORE not in refused


def test_the_confirmed_mapping_is_the_key_and_comes_back_with_a_restore(page):
    store = _confirm(page, "F")[ids.COHORT_STORE]["data"]
    assert store["n"] == clinic.N_PATIENTS
    assert '"m_means":"F"' in store["mapping"]
    women = live_count_text(page.panels(store, **{ids.SEX: "F"}))
    assert f"of {clinic.N_PATIENTS} patients" in women

    cohort_store.forget_all()  # a restart: the page sends the files and the mapping again
    signal = page.panels_answer(store)["sideUpdate"][ids.UPLOAD_RESTORE]["data"]
    restored = page.restore(signal, store, FILES)["response"][ids.COHORT_STORE]["data"]
    assert restored == {**store, "restored": 1}
    assert live_count_text(page.panels(restored, **{ids.SEX: "F"})) == women

    # The same file with another reading of "M" is not the key's cohort: never shown for it.
    cohort_store.forget_all()
    other = {**store, "mapping": store["mapping"].replace('"m_means":"F"', '"m_means":"M"')}
    signal = page.panels_answer(other)["sideUpdate"][ids.UPLOAD_RESTORE]["data"]
    answer = page.restore(signal, other, FILES)
    assert answer["response"][ids.COHORT_STORE]["data"] is None
    status = answer.get("response", {}).get(ids.UPLOAD_RESTORE_STATUS, {})
    assert LOST in " ".join(texts(status.get("children")))


def test_the_mapping_travels_with_the_files_through_the_shared_store():
    from app.state.shared_store import decode_files, encode_files
    from app.state.shared_uploads import _as_entries, _as_files

    files = cohort_store.UploadFiles(clinic.spanish_csv(), "clinica.csv", mapping='{"x":1}')
    again = _as_files(decode_files(encode_files(_as_entries(files))))
    assert again == files
    assert again.digest() == files.digest()
    plain = cohort_store.UploadFiles(clinic.spanish_csv(), "clinica.csv")
    assert _as_files(decode_files(encode_files(_as_entries(plain)))) == plain
