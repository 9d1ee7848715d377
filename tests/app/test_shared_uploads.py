"""Uploads shared through a real Redis (issue 14): a worker that lacks an upload rebuilds it
from the shared files, validated again, instead of asking the page; anything else (no Redis,
Redis down, an expired entry, bytes of another digest) falls back to the page's restore.

Two pages (create_app, Flask's test client) on one redis-server stand for two workers; the
process's held cohorts are dropped between them (``forget``) as another worker's would be
empty. Every wait polls a condition with a generous deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.layout import ids
from app.server.config import Config, ConfigError
from app.state import cohort_store
from app.state.cohort_store import UploadFiles, UploadLimits
from app.state.shared_store import SHARED_STORE_KEY, encode_files
from app.state.shared_uploads import NAMESPACE, shared_key
from tests.app.upload_session import TEST_SECRET, Page, upload
from tests.redis_server import RedisServer
from tests.reliability.dash_requests import live_count_text

DEADLINE = 60.0


def _patients_csv(rows: int, prefix: str = "SHR") -> bytes:
    lines = ["patient_id,followup_months,failure,failure_months,sex"]
    for i in range(rows):
        failed = i % 3 == 0
        outcome = f"{int(failed)},{5 if failed else ''}"
        lines.append(f"{prefix}{i:05d},{10 + i % 50},{outcome},{'FM'[i % 2]}")
    return ("\n".join(lines) + "\n").encode()


SEVEN = _patients_csv(7)  # women: rows 0, 2, 4, 6
ELEVEN = _patients_csv(11, "OTH")  # women: 6


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def forget(monkeypatch):
    """Returns a function dropping every held cohort: "the next request is another worker"."""

    def drop() -> None:
        monkeypatch.setattr(cohort_store, "_cache", cohort_store.BoundedCache(16))

    drop()
    return drop


def _page(redis_server: RedisServer | None, **settings) -> Page:
    url = None if redis_server is None else redis_server.url
    return Page(Config(redis_url=url, secret_key=TEST_SECRET, **settings))


@pytest.fixture(scope="module")
def shared_pages(redis_server) -> tuple[Page, Page]:
    return _page(redis_server), _page(redis_server)


def _women(page: Page, store: dict) -> tuple[str, dict | None]:
    """The live count with the Sex filter on F, and the restore signal if the page was asked
    for its files instead."""
    answer = page.panels_answer(store, **{ids.SEX: "F"})
    signal = answer.get("sideUpdate", {}).get(ids.UPLOAD_RESTORE, {}).get("data")
    response = answer.get("response", {})
    count = live_count_text(response) if ids.LIVE_COUNT in response else ""
    return count, signal


def _wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never: {what}")
        time.sleep(0.05)


def test_another_worker_rebuilds_the_upload_from_redis_without_the_page(shared_pages, forget):
    first, second = shared_pages
    store = upload(first, SEVEN, "clinic.csv")
    forget()
    count, signal = _women(second, store)
    assert signal is None  # no restore asked of the page
    assert count.startswith("4 of 7 patients"), count


def test_two_uploads_never_mix_across_workers(shared_pages, forget):
    first, second = shared_pages
    seven = upload(first, SEVEN, "clinic.csv")
    eleven = upload(second, ELEVEN, "other.csv")
    for page, store, wanted in [
        (second, seven, "4 of 7 patients"),
        (first, eleven, "6 of 11 patients"),
        (first, seven, "4 of 7 patients"),
        (second, eleven, "6 of 11 patients"),
    ]:
        forget()
        count, signal = _women(page, store)
        assert signal is None, wanted
        assert count.startswith(wanted), (count, wanted)


def test_shared_bytes_of_another_digest_are_never_shown(shared_pages, forget):
    """An authenticated entry whose bytes are not the key's (a bug, a leaked SECRET_KEY)
    must not become the key's cohort: the page restores its own files instead."""
    first, second = shared_pages
    store = upload(first, SEVEN, "clinic.csv")
    with first.app.server.app_context():
        from app.state.session import upload_digest, upload_limits

        with first.app.server.test_request_context():
            digest, limits = upload_digest(store), upload_limits()
        shared = first.app.server.config[SHARED_STORE_KEY]
        other = UploadFiles(ELEVEN, "clinic.csv")
        entries = {"patients": ("clinic.csv", ELEVEN), "relapses": None, "infusions": None}
        assert shared.put(
            NAMESPACE,
            shared_key(digest, limits),
            other,
            encode=lambda _: encode_files(entries),
            ttl=60,
            max_bytes=10**6,
        )
    forget()
    count, signal = _women(second, store)
    assert signal is not None
    assert signal["reason"] == "missing"
    assert "11 patients" not in count


def test_without_redis_the_page_restores_as_before(forget):
    first, second = _page(None), _page(None)
    store = upload(first, SEVEN, "clinic.csv")
    forget()
    count, signal = _women(second, store)
    assert signal is not None
    assert signal["reason"] == "missing"
    assert count == ""


def test_redis_down_falls_back_to_the_restore_and_a_restore_shares_again(forget):
    redis_server = RedisServer().start()
    try:
        first, second = _page(redis_server), _page(redis_server)
        files = {ids.UPLOAD_PATIENTS: ("clinic.csv", SEVEN)}
        store = upload(first, SEVEN, "clinic.csv")
        redis_server.kill()
        forget()
        count, signal = _women(second, store)
        assert signal is not None
        assert count == ""
        restored = second.restore(signal, store, files)["response"][ids.COHORT_STORE]["data"]
        count, signal = _women(second, restored)
        assert signal is None
        assert count.startswith("4 of 7 patients")
        # Restarted (empty): the next restore puts the files back, and then a third worker
        # rebuilds from Redis. The breaker retries within seconds: poll until shared.
        redis_server.start()

        def shared_again() -> bool:
            forget()
            count, signal = _women(second, restored)
            if signal is None:
                return count.startswith("4 of 7 patients")
            second.restore(signal, restored, files)
            return False

        _wait_until(shared_again, "the restored upload shared again after Redis restarted")
    finally:
        redis_server.stop()


def test_an_expired_upload_falls_back_to_the_restore_never_another_cohort(redis_server, forget):
    first, second = _page(redis_server, shared_upload_ttl=1), _page(redis_server)
    store = upload(first, SEVEN, "clinic.csv")
    shared = first.app.server.config[SHARED_STORE_KEY]
    limits = UploadLimits(Config().max_upload_bytes, Config().upload_row_limits)
    digest = UploadFiles(SEVEN, "clinic.csv").digest()
    name = shared.redis_key(NAMESPACE, shared_key(digest, limits))
    client = shared._client
    assert client.exists(name)
    _wait_until(lambda: not client.exists(name), "the shared upload expired")
    forget()
    count, signal = _women(second, store)
    assert signal is not None
    assert signal["reason"] == "missing"
    assert count == ""


def test_the_shared_upload_ttl_setting():
    assert Config.from_env({}).shared_upload_ttl == 7200
    assert Config.from_env({"SHARED_UPLOAD_TTL": "90"}).shared_upload_ttl == 90
    for bad in ("soon", "0", "-5"):
        with pytest.raises(ConfigError, match="SHARED_UPLOAD_TTL"):
            Config.from_env({"SHARED_UPLOAD_TTL": bad})
