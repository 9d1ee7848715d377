"""Uploads sent once (issue 13): after an upload a filter change posts a key, not the files;
a worker that lost the upload gets it back from the page; a forged key shows no cohort.

Every request is posted over HTTP as the browser posts it (Flask's test client; bodies built
from the app's declarations). Two pages with one secret stand for two gunicorn workers.
"""

from __future__ import annotations

import logging

import pytest

from app.layout import ids
from app.server.config import Config
from app.state import cohort_store
from tests.app.upload_session import Page, data_url, upload
from tests.reliability.dash_requests import live_count_text, texts

LOST = "The uploaded file is no longer held by the server: upload it again."
RESTORING = "Restoring your uploaded file…"
MAX_FILTER_CHANGE_BYTES = 20 * 1024


def _patients_csv(rows: int) -> bytes:
    lines = ["patient_id,followup_months,failure,failure_months,sex,site_note"]
    for i in range(rows):
        failed = i % 3 == 0
        lines.append(
            f"UPL{i:06d},{10 + i % 50},{int(failed)},{5 if failed else ''},{'FM'[i % 2]},"
            f"clinic note number {i} for this patient"
        )
    return ("\n".join(lines) + "\n").encode()


SMALL = _patients_csv(7)
OTHER = _patients_csv(11)


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    """No upload held, as in a worker that has just started."""
    monkeypatch.setattr(cohort_store, "_cache", cohort_store.BoundedCache(cohort_store.CACHE_SIZE))


@pytest.fixture(scope="module")
def page():
    return Page(Config())


def _patients(page: Page, store, **values) -> str:
    return live_count_text(page.panels(store, **values))


def _status(answer: dict, component_id: str) -> str:
    found = {**answer.get("sideUpdate", {}), **answer.get("response", {})}.get(component_id, {})
    return " ".join(texts(found.get("children")))


# --- key, not file ------------------------------------------------------------------------


def test_the_store_holds_a_key_names_and_n_never_the_bytes(page):
    store = upload(page, SMALL, "clinic.csv")
    assert sorted(store) == ["files", "key", "mapping", "n", "restored"]
    assert store["files"] == {"patients": "clinic.csv", "relapses": None, "infusions": None}
    assert store["n"] == 7
    assert "UPL000001" not in str(store)
    assert data_url(SMALL).split(",")[1][:40] not in str(store)


def test_a_filter_change_after_a_multi_megabyte_upload_posts_no_file_bytes(page):
    data = _patients_csv(60_000)
    assert len(data) > 3_000_000
    store = upload(page, data, "registry.csv")
    assert "30,000 of 60,000 patients" in _patients(page, store, **{ids.SEX: "F"})
    body = page.last_body
    assert len(body) <= MAX_FILTER_CHANGE_BYTES, len(body)
    assert b"UPL0" not in body
    for offset in (0, len(data) // 2):
        assert data_url(data[offset : offset + 3000]).split(",")[1][:64].encode() not in body


# --- a lost key recovers ----------------------------------------------------------------------


def test_a_worker_that_lost_the_upload_restores_it_from_the_page(page):
    store = upload(page, SMALL)
    cohort_store.forget_all()  # a restart, an eviction
    answer = page.panels_answer(store, **{ids.SEX: "M"})
    # No panel changes meanwhile, and no error: the page is told to restore.
    assert answer.get("response", {}) == {}
    assert RESTORING in _status(answer, ids.UPLOAD_RESTORE_STATUS)
    signal = answer["sideUpdate"][ids.UPLOAD_RESTORE]["data"]
    restored = page.restore(signal, store, {ids.UPLOAD_PATIENTS: ("patients.csv", SMALL)})
    new_store = restored["response"][ids.COHORT_STORE]["data"]
    assert new_store == {**store, "restored": 1}
    assert _status(restored, ids.UPLOAD_RESTORE_STATUS) == ""
    # The views fire again with the same key: the uploaded cohort, this filter.
    assert "3 of 7 patients" in _patients(page, new_store, **{ids.SEX: "M"})


def test_another_worker_with_the_same_secret_restores_an_upload_it_never_saw(page):
    other_worker = Page(Config())
    store = upload(page, SMALL)
    cohort_store.forget_all()  # one process here: the other worker's cache starts empty
    answer = other_worker.panels_answer(store)
    signal = answer["sideUpdate"][ids.UPLOAD_RESTORE]["data"]
    assert signal["reason"] == "missing"
    restored = other_worker.restore(signal, store, {ids.UPLOAD_PATIENTS: ("patients.csv", SMALL)})
    new_store = restored["response"][ids.COHORT_STORE]["data"]
    assert "7 of 7 patients" in _patients(other_worker, new_store)


def test_a_page_reloaded_since_the_upload_goes_back_to_the_server_cohort(page):
    store = upload(page, SMALL)
    cohort_store.forget_all()
    signal = page.panels_answer(store)["sideUpdate"][ids.UPLOAD_RESTORE]["data"]
    restored = page.restore(signal, store, {})  # the upload components are empty again
    assert restored["response"][ids.COHORT_STORE]["data"] is None
    assert LOST in _status(restored, ids.UPLOAD_RESTORE_STATUS)
    assert LOST in _status(restored, ids.UPLOAD_STATUS)
    assert "54 of 54 patients" in _patients(page, None)  # the server's (demo) cohort


def test_other_files_in_the_page_are_never_shown_for_the_key(page):
    store = upload(page, SMALL)
    cohort_store.forget_all()
    signal = page.panels_answer(store)["sideUpdate"][ids.UPLOAD_RESTORE]["data"]
    restored = page.restore(signal, store, {ids.UPLOAD_PATIENTS: ("patients.csv", OTHER)})
    assert restored["response"][ids.COHORT_STORE]["data"] is None
    assert LOST in _status(restored, ids.UPLOAD_RESTORE_STATUS)
    with pytest.raises(cohort_store.UploadNotHeld):  # the other files were not validated
        cohort_store.held_cohort(
            cohort_store.UploadFiles(OTHER, "patients.csv").digest(),
            cohort_store.UploadLimits(Config().max_upload_bytes, Config().upload_row_limits),
        )


def test_a_signal_older_than_the_last_restore_changes_nothing(page):
    store = upload(page, SMALL)
    restored = page.restore(
        {"reason": "missing", "restored": 0},
        {**store, "restored": 1},
        {ids.UPLOAD_PATIENTS: ("patients.csv", SMALL)},
    )
    assert restored == {}  # 204: nothing to update


def test_a_restore_does_not_adapt_the_filters_again(page):
    """Adapting to the same upload again would reset the user's age range."""
    store = upload(page, SMALL)
    changes = {(ids.COHORT_STORE, "data"): {**store, "restored": 1}}
    changes[(ids.CONTROLS_ADAPTED_TO, "data")] = store["key"]
    assert page.post("adapt_controls", changes).status_code == 204
    changes[(ids.CONTROLS_ADAPTED_TO, "data")] = None
    reply = page.post("adapt_controls", changes)
    assert reply.get_json()["response"][ids.CONTROLS_ADAPTED_TO]["data"] == store["key"]


# --- forged, tampered or foreign keys ----------------------------------------------------------


def _refused(page: Page, store, caplog) -> dict:
    """The view's answer to a refused key, then the restore's; no error logged."""
    with caplog.at_level(logging.WARNING, logger="app.callbacks"):
        answer = page.panels_answer(store)
    assert ids.LIVE_COUNT not in answer.get("response", {})
    signal = answer["sideUpdate"][ids.UPLOAD_RESTORE]["data"]
    assert signal["reason"] == "invalid"
    logged = [r.levelno for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == [logging.WARNING]
    assert "an upload key was refused" in caplog.text
    return page.restore(signal, store, {ids.UPLOAD_PATIENTS: ("patients.csv", SMALL)})


def test_a_forged_key_gets_the_message_and_the_server_cohort(page, caplog):
    victim = upload(page, OTHER)  # held by this worker
    forger = Page(Config(secret_key="another-deployment-" + "y" * 40))
    forged = upload(forger, SMALL)  # a key signed with another secret
    forged_key = {**victim, "key": forged["key"]}
    restored = _refused(page, forged_key, caplog)
    assert restored["response"][ids.COHORT_STORE]["data"] is None
    assert LOST in _status(restored, ids.UPLOAD_RESTORE_STATUS)
    assert forged["key"] not in caplog.text
    assert "54 of 54 patients" in _patients(page, None)


def test_a_tampered_key_never_shows_another_cohort(page, caplog):
    store = upload(page, SMALL)
    upload(page, OTHER)
    key = store["key"]
    tampered = {**store, "key": key[:20] + ("A" if key[20] != "A" else "B") + key[21:]}
    restored = _refused(page, tampered, caplog)
    assert restored["response"][ids.COHORT_STORE]["data"] is None


def test_a_key_from_before_the_limits_changed_is_refused(caplog):
    old = Page(Config())
    stricter = Page(Config(max_upload_relapses=1000))
    store = upload(old, SMALL)
    restored = _refused(stricter, store, caplog)
    assert restored["response"][ids.COHORT_STORE]["data"] is None


def test_no_restore_once_uploads_are_turned_off():
    """Same SECRET_KEY, uploads off since: the page's files are not validated again."""
    store = upload(Page(Config()), SMALL)
    cohort_store.forget_all()
    closed = Page(Config(allow_uploads=False))
    restored = closed.restore(
        {"reason": "missing", "restored": 0}, store, {ids.UPLOAD_PATIENTS: ("patients.csv", SMALL)}
    )
    assert restored["response"][ids.COHORT_STORE]["data"] is None
    assert len(cohort_store._cache) == 0  # nothing validated


def test_a_key_is_good_for_its_signed_in_user_only(caplog):
    """With sign-in (here the proxy's header), one user's key is refused for another."""
    page = Page(Config(auth_mode="header"))

    def as_user(name):
        page.client.environ_base["HTTP_X_REMOTE_USER"] = name

    as_user("ana")
    store = upload(page, SMALL)
    assert "7 of 7 patients" in _patients(page, store)
    as_user("bea")
    restored = _refused(page, store, caplog)
    assert restored["response"][ids.COHORT_STORE]["data"] is None


def test_the_restore_messages_are_in_the_page_language(page):
    store = upload(page, SMALL)
    cohort_store.forget_all()
    reply = page.post(
        "update_panels", {(ids.COHORT_STORE, "data"): store, (ids.LANGUAGE, "data"): "es"}
    )
    answer = reply.get_json()
    assert "Restaurando el archivo cargado…" in _status(answer, ids.UPLOAD_RESTORE_STATUS)
    signal = answer["sideUpdate"][ids.UPLOAD_RESTORE]["data"]
    reply = page.post(
        "restore_upload",
        {
            (ids.UPLOAD_RESTORE, "data"): signal,
            (ids.COHORT_STORE, "data"): store,
            (ids.LANGUAGE, "data"): "es",
            **page.upload_changes({}),
        },
        triggered=(ids.UPLOAD_RESTORE, "data"),
    )
    assert "El servidor ya no conserva el archivo cargado" in _status(
        reply.get_json(), ids.UPLOAD_RESTORE_STATUS
    )
