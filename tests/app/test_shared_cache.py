"""``shared_cached`` (app/state/shared_cache.py): the one-line shared cache, against a real
redis-server, and ``stable_key``: the same text in every process, whatever its hash seed."""

from __future__ import annotations

import enum
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.data.cohort import Filters
from app.server.config import Config
from app.server.factory import create_app
from app.state.lru import BoundedCache
from app.state.shared_cache import shared_cached, stable_key
from app.state.shared_store import SHARED_STORE_KEY
from tests.redis_server import RedisServer

SECRET = "shared-cache-test-secret-" + "k" * 30
ROOT = Path(__file__).resolve().parents[2]

# A key shaped like report_for's: fingerprint, label, Filters, grouping, covariates, choices.
KEY_SOURCE = """
from analytics.data.cohort import Filters
from app.state.shared_cache import stable_key
key = (
    "ab12", "clinic.csv", False, Filters(sex="F", age_min=30.5, grace_months=3.0),
    "gd_persistent", ("age_at_rtx", "sex"), 12.0, None, 0.95, "km",
    (("exposure", None), ("mancova_dependent", frozenset({"failure", "time_months", "edss"}))),
    {"b": 1, "a": (1, 2.0)},
)
print(stable_key(key))
"""


class Colour(enum.Enum):
    RED = "red"


def _key_in_process(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", KEY_SOURCE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_stable_key_is_the_same_in_processes_with_other_hash_seeds():
    keys = {_key_in_process(seed) for seed in ("0", "1", "12345", "4242")}
    assert len(keys) == 1, keys
    (key,) = keys
    # The set's items in sorted order, the Filters' fields by name: nothing hash-ordered.
    assert "{'edss','failure','time_months'}" in key
    assert "sex='F'" in key
    assert "age_min=f30.5" in key


def test_stable_key_tells_values_apart_and_refuses_what_has_no_stable_text():
    assert stable_key((1,)) != stable_key((1.0,))
    assert stable_key((1,)) != stable_key([1])
    assert stable_key(("a", None)) != stable_key(("a", "None"))
    assert stable_key(Filters(sex="F")) != stable_key(Filters(sex="M"))
    assert stable_key(Colour.RED) == "Colour.RED"
    assert stable_key({"a": 1, "b": 2}) == stable_key({"b": 2, "a": 1})
    with pytest.raises(TypeError, match="no stable cache key for a object"):
        stable_key(("x", object()))


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


def _worker(url: str | None):
    """One app, as one worker (its own SharedStore), and its own local cache."""
    app = create_app(Config(redis_url=url, secret_key=SECRET))
    return app.server, BoundedCache(8)


def test_a_value_computed_by_one_worker_is_taken_from_redis_by_another(redis_server):
    calls: list[str] = []

    def compute() -> dict:
        calls.append("computed")
        return {"n": 54, "median": 31.5}

    key = ("fingerprint-1", Filters(sex="F"), ("age_at_rtx",), 0.95)
    (first, first_cache), (second, second_cache) = (
        _worker(redis_server.url),
        _worker(redis_server.url),
    )
    with first.test_request_context():
        assert shared_cached("test-reports", key, compute, local=first_cache) == {
            "n": 54,
            "median": 31.5,
        }
    with second.test_request_context():
        assert shared_cached("test-reports", key, compute, local=second_cache) == {
            "n": 54,
            "median": 31.5,
        }
    assert calls == ["computed"]
    assert len(second_cache) == 1  # and held locally from then on
    # Another key is another value.
    with second.test_request_context():
        shared_cached("test-reports", (*key[:3], 0.9), compute, local=second_cache)
    assert calls == ["computed", "computed"]


def test_outside_a_request_or_without_redis_it_is_the_local_cache(redis_server):
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return 7

    cache: BoundedCache[int] = BoundedCache(8)
    assert shared_cached("test-local", ("k",), compute, local=cache) == 7
    assert shared_cached("test-local", ("k",), compute, local=cache) == 7
    assert calls == [1]
    app, _ = _worker(None)
    with app.test_request_context():
        other: BoundedCache[int] = BoundedCache(8)
        assert shared_cached("test-local", ("k",), compute, local=other) == 7
    assert calls == [1, 1]
    # Nothing reached Redis outside a request: a worker with Redis computes it itself.
    shared_app, shared_local = _worker(redis_server.url)
    with shared_app.test_request_context():
        assert shared_cached("test-local", ("k",), compute, local=shared_local) == 7
    assert calls == [1, 1, 1]
    assert shared_app.config[SHARED_STORE_KEY].status() == "shared"
