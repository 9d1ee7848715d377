"""Two production servers (the image's gunicorn CMD, one worker each) sharing one real Redis:
an upload through A is filtered through B without the files being sent again (issue 14).

B "never got a restore request": its update_panels answer with only the upload's key carries
the numbers, not the restore signal the page would answer by sending the files. The numbers
are the CLI's (``python -m analytics report`` on the same file). With Redis killed, B still
answers right through the page's restore (``dash_requests.call`` re-sends the files as the
page does); restarted, sharing resumes; an expired entry falls back to the restore, never to
another cohort; two sessions' uploads never mix. Every wait polls with a generous deadline.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from dash_requests import (
    UPDATE_PATH,
    call,
    callback_body,
    card_value,
    layout_props,
    live_count_text,
    request,
    upload_changes,
)
from gunicorn_servers import start
from test_concurrency import write_cohort
from test_shared_redis import wait_for_cache

from app.layout import ids
from tests.redis_server import RedisServer

pytestmark = pytest.mark.slow

SECRET = "shared-uploads-secret-of-the-test-deployment-0123456789"
ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120.0


def cli_counts(path: Path, sex: str | None) -> tuple[int, int]:
    """(n, failures) from the CLI on the same file."""
    command = [sys.executable, "-m", "analytics", "report", "--cohort", str(path)]
    command += ["--format", "json"] + ([] if sex is None else ["--sex", sex])
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    return report["n"], report["events"]


class Upload:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.expected = {sex: cli_counts(path, sex) for sex in (None, "F")}
        self.store: dict | None = None

    def check(self, response: dict, sex: str | None) -> None:
        (n, events), total = self.expected[sex], self.expected[None][0]
        assert card_value(response, "card-n") == str(n)
        assert card_value(response, "card-events") == str(events)
        assert live_count_text(response) == f"{n} of {total} patients, {events} failures"


def panels_with_key_only(port: int, layout: dict, upload: Upload, sex: str | None):
    """update_panels posted once with the store's key and no file: (outputs, restore signal)."""
    changes = {(ids.COHORT_STORE, "data"): upload.store, (ids.SEX, "value"): sex or "all"}
    reply = request(port, "POST", UPDATE_PATH, callback_body("update_panels", layout, changes))
    assert reply.status == 200, reply.body[:300]
    answer = reply.json()
    signal = answer.get("sideUpdate", {}).get(ids.UPLOAD_RESTORE, {}).get("data")
    return answer.get("response", {}), signal


def shared_without_restore(port: int, layout: dict, upload: Upload, sex: str | None) -> None:
    response, signal = panels_with_key_only(port, layout, upload, sex)
    assert signal is None, f"{upload.path.name}: the page was asked for the files again"
    upload.check(response, sex)


def upload_through(port: int, layout: dict, upload: Upload) -> None:
    response, _ = call(port, "load_upload", layout, upload_changes(upload.path))
    upload.store = response[ids.COHORT_STORE]["data"]


def filter_as_the_page(port: int, layout: dict, upload: Upload, sex: str | None) -> dict:
    """As the page does: the key, and the files when the worker asks for them."""
    changes = {
        **upload_changes(upload.path),
        (ids.COHORT_STORE, "data"): upload.store,
        (ids.SEX, "value"): sex or "all",
    }
    response, _ = call(port, "update_panels", layout, changes)
    return response


def shared_upload_keys(redis_server: RedisServer) -> list[bytes]:
    client = redis.Redis.from_url(redis_server.url)
    try:
        return list(client.scan_iter(match="nmosd-explorer:*:uploads:*"))
    finally:
        client.close()


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never: {what}")
        time.sleep(0.25)


def two_servers(container_root, redis_server: RedisServer, **settings: str):
    common = {"REDIS_URL": redis_server.url, "SECRET_KEY": SECRET, "GUNICORN_WORKERS": "1"}
    return [start(container_root, **common, **settings) for _ in range(2)]


def test_upload_through_one_server_filter_through_the_other(container_root, tmp_path):
    uploads = [
        Upload(write_cohort(tmp_path / f"clinic-{k}.csv", 40 + k, 23 + 4 * k, 3 + 2 * k))
        for k in range(4)
    ]
    redis_server = RedisServer().start()
    servers = two_servers(container_root, redis_server)
    a, b = servers
    try:
        layout = layout_props(a.port)
        wait_for_cache(servers, "shared")
        # Two sessions: one uploads through A, the other through B; interleaved filters on
        # both servers each see their own numbers, never with the files sent again.
        first, second = uploads[0], uploads[1]
        upload_through(a.port, layout, first)
        upload_through(b.port, layout, second)
        for server, session, sex in [
            (b, first, "F"),
            (a, second, "F"),
            (a, first, None),
            (b, second, None),
            (b, first, None),
            (a, second, "F"),
        ]:
            shared_without_restore(server.port, layout, session, sex)

        # Redis killed mid-session: a new upload through A is not shared, and B answers it
        # right through the page's restore; the earlier uploads are held by both already.
        redis_server.kill()
        wait_for_cache(servers, "degraded")
        third = uploads[2]
        upload_through(a.port, layout, third)
        _, signal = panels_with_key_only(b.port, layout, third, "F")
        assert signal is not None
        third.check(filter_as_the_page(b.port, layout, third, "F"), "F")
        shared_without_restore(b.port, layout, first, "F")

        # Restarted (empty): sharing resumes by itself.
        redis_server.start()
        wait_for_cache(servers, "shared")
        fourth = uploads[3]
        upload_through(a.port, layout, fourth)
        shared_without_restore(b.port, layout, fourth, "F")
        assert len(shared_upload_keys(redis_server)) == 1
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()
    for server in servers:
        assert "Traceback" not in server.logs()
        assert "[ERROR]" not in server.logs()


def test_an_expired_shared_upload_falls_back_to_the_restore(container_root, tmp_path):
    upload = Upload(write_cohort(tmp_path / "clinic.csv", 7, 31, 9))
    redis_server = RedisServer().start()
    servers = two_servers(container_root, redis_server, SHARED_UPLOAD_TTL="2")
    a, b = servers
    try:
        layout = layout_props(a.port)
        wait_for_cache(servers, "shared")
        upload_through(a.port, layout, upload)
        # Nobody uses it: its time to live runs out in Redis.
        wait_until(lambda: shared_upload_keys(redis_server) == [], "the shared upload expired")
        _, signal = panels_with_key_only(b.port, layout, upload, "F")
        assert signal is not None  # B asks the page, never shows another cohort
        upload.check(filter_as_the_page(b.port, layout, upload, "F"), "F")
        # The restore shared the files again: a third request elsewhere would find them.
        assert len(shared_upload_keys(redis_server)) == 1
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()
