"""Two production servers (the image's gunicorn CMD, two ports) sharing one real redis-server.

What a hospital running 2-3 containers behind its proxy sees: /healthz says "cache": "shared" on
both, "degraded" (still HTTP 200, the app still answers) once Redis is killed, and "shared"
again after Redis restarts, without touching the servers. Each worker says so in one log line
per change, never with the Redis URL (it can hold a password) or the secret.
"""

from __future__ import annotations

import json
import time

import pytest
from dash_requests import layout_props, request
from gunicorn_servers import wait_for_workers
from test_image_contract import START_SECONDS, run_image

from tests.redis_server import RedisServer

pytestmark = pytest.mark.slow

SECRET = "shared-secret-of-the-test-deployment-0123456789"


def health(port: int) -> tuple[int, dict]:
    reply = request(port, "GET", "/healthz")
    return reply.status, json.loads(reply.body)


def wait_for_cache(servers, wanted: str) -> None:
    """Poll every server's /healthz until each says ``wanted``; it must stay 200 and "ok"."""
    deadline = time.monotonic() + START_SECONDS
    pending = list(servers)
    while pending:
        status, body = health(pending[0].port)
        assert status == 200
        assert body["status"] == "ok"
        if body["cache"] == wanted:
            pending.pop(0)
            continue
        if time.monotonic() > deadline:
            pytest.fail(f'/healthz never said "cache": "{wanted}": {body}')
        time.sleep(0.25)


def test_two_servers_share_one_redis_degrade_without_it_and_recover(container_root):
    redis_server = RedisServer().start()
    settings = {"REDIS_URL": redis_server.url, "SECRET_KEY": SECRET, "GUNICORN_WORKERS": "1"}
    servers = [run_image(container_root, **settings) for _ in range(2)]
    try:
        for server in servers:
            server.wait_until_ready()
            wait_for_workers(server, 1)
        wait_for_cache(servers, "shared")
        redis_server.kill()
        wait_for_cache(servers, "degraded")
        # Degraded is still a working app: the page's layout is served.
        assert all(layout_props(server.port) for server in servers)
        redis_server.start()
        wait_for_cache(servers, "shared")
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()
    for server in servers:
        logs = server.logs()
        assert logs.count("shared cache (Redis) unavailable (ConnectionError)") == 1, logs
        assert logs.count("shared cache (Redis) reachable again") == 1, logs
        assert SECRET not in logs
        assert f"127.0.0.1:{redis_server.port}" not in logs
