"""The two-level cache (app/state/shared_store.py) against a real redis-server.

Two SharedStore instances, each with its own local BoundedCache, stand for two gunicorn
workers (or two containers) sharing one Redis. Every wait polls for a condition with a
generous deadline; nothing asserts how long anything took.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from analytics.data.io import load_cohort
from app.server.config import Config, ConfigError
from app.state.lru import BoundedCache
from app.state.shared_store import (
    SharedStore,
    connect,
    decode_files,
    encode_files,
    from_pickle,
    to_pickle,
)
from tests.redis_server import RedisServer

SECRET = "s" * 40
VERSION = "test-version"
GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
DEADLINE = 60.0
LOGGER = "app.state.shared_store"
# Short enough that a test sees several retry periods; the breaker's behaviour is the same.
RETRY = 0.2


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_store(redis_server) -> Iterator:
    """A "worker" on the test's Redis: its own SharedStore (closed after the test)."""
    made: list[SharedStore] = []

    def make(secret: str = SECRET, version: str = VERSION) -> SharedStore:
        store = SharedStore(
            connect(redis_server.url), secret, version, retry_seconds=RETRY, probe_seconds=0
        )
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def stores(make_store) -> list[SharedStore]:
    """Two workers sharing one Redis."""
    return [make_store(), make_store()]


@pytest.fixture
def raw(redis_server) -> Iterator[redis.Redis]:
    """Redis itself, as an attacker or an administrator sees it."""
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


class Counter:
    """A compute function that says how often it ran."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def report_like(store: SharedStore, key: str, compute, local=None, ttl=60.0, max_bytes=10**6):
    return store.get_or_compute(
        "reports",
        key,
        compute,
        local=local if local is not None else BoundedCache(8),
        encode=to_pickle,
        decode=from_pickle,
        ttl=ttl,
        max_bytes=max_bytes,
    )


def warnings_matching(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and text in r.getMessage()]


def poll(condition, what: str, seconds: float = DEADLINE) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {seconds} s")
        time.sleep(0.02)


# Shared, local, versioned ---------------------------------------------------------------


def test_a_value_computed_by_one_worker_is_read_by_another(stores):
    first, second = stores
    value = {"n": 54, "events": 17, "curve": [1.0, 0.9, 0.8]}
    computed_first, computed_second = Counter(value), Counter("never")
    assert report_like(first, "view-1", computed_first) == value
    assert report_like(second, "view-1", computed_second) == value
    assert (computed_first.calls, computed_second.calls) == (1, 0)
    assert first.status() == second.status() == "shared"


def test_the_local_cache_answers_before_redis(stores, raw):
    first, _ = stores
    local: BoundedCache[object] = BoundedCache(8)
    compute = Counter([1, 2, 3])
    report_like(first, "view-1", compute, local=local)
    raw.flushall()  # gone from Redis, still in this worker
    assert report_like(first, "view-1", compute, local=local) == [1, 2, 3]
    assert compute.calls == 1


def test_without_redis_everything_stays_local():
    store = SharedStore.from_config(Config())
    assert store.status() == "local"
    local: BoundedCache[object] = BoundedCache(8)
    compute = Counter("value")
    assert report_like(store, "k", compute, local=local) == "value"
    assert report_like(store, "k", compute, local=local) == "value"
    assert compute.calls == 1
    assert not store.put("reports", "k", "v", encode=to_pickle, ttl=1, max_bytes=100)


def test_two_keys_and_two_namespaces_never_mix(stores):
    first, second = stores
    for number in range(20):
        first.put("reports", f"view-{number}", number, encode=to_pickle, ttl=60, max_bytes=100)
        first.put("cohorts", f"view-{number}", -number, encode=to_pickle, ttl=60, max_bytes=100)
    for number in range(20):
        assert second.get("reports", f"view-{number}", decode=from_pickle) == number
        assert second.get("cohorts", f"view-{number}", decode=from_pickle) == -number
    assert second.get("reports", "view-20", decode=from_pickle) is None


def test_another_code_version_reads_nothing_of_this_one(stores, make_store):
    first, _ = stores
    upgraded = make_store(version="next-release")
    first.put("reports", "view", "old pickle", encode=to_pickle, ttl=60, max_bytes=100)
    assert upgraded.get("reports", "view", decode=from_pickle) is None
    assert first.get("reports", "view", decode=from_pickle) == "old pickle"


def test_keys_in_redis_hold_neither_filter_values_nor_patient_data(stores, raw):
    first, _ = stores
    first.put("reports", "sex=F&age=30-50", "report", encode=to_pickle, ttl=60, max_bytes=100)
    (name,) = raw.keys("*")
    assert name.startswith(f"nmosd-explorer:{VERSION}:reports:".encode())
    assert b"sex" not in name
    assert b"30-50" not in name


# Expiry and size ------------------------------------------------------------------------


def test_an_entry_expires_after_its_ttl(stores, raw):
    first, second = stores
    # A TTL long enough for a loaded machine to read the entry back (a 0.3 s one expired
    # before the read on a busy CI machine); Redis holds it with that TTL...
    first.put("cohorts", "upload", b"bytes", encode=bytes, ttl=30.0, max_bytes=100)
    assert second.get("cohorts", "upload", decode=bytes) == b"bytes"
    (name,) = raw.keys("*")
    assert 0 < raw.pttl(name) <= 30_000
    # ... and once it runs out, no worker reads the entry any more.
    raw.pexpire(name, 1)
    poll(lambda: second.get("cohorts", "upload", decode=bytes) is None, "expiry")


def test_reading_an_entry_restarts_its_ttl(stores, raw):
    first, second = stores
    first.put("cohorts", "upload", b"bytes", encode=bytes, ttl=1.0, max_bytes=100)
    (name,) = raw.keys("*")
    raw.pexpire(name, 50)  # nearly expired, until a worker reads it with a TTL
    assert second.get("cohorts", "upload", decode=bytes, ttl=600.0) == b"bytes"
    assert raw.pttl(name) > 1000


def test_an_entry_above_the_size_bound_is_kept_locally_only(stores, raw):
    first, second = stores
    local: BoundedCache[object] = BoundedCache(8)
    large = "x" * 5000
    compute_first, compute_second = Counter(large), Counter(large)
    assert report_like(first, "big", compute_first, local=local, max_bytes=1000) == large
    assert report_like(first, "big", compute_first, local=local, max_bytes=1000) == large
    assert report_like(second, "big", compute_second, max_bytes=1000) == large
    assert (compute_first.calls, compute_second.calls) == (1, 1)
    assert raw.dbsize() == 0
    assert not first.put("reports", "big", large, encode=to_pickle, ttl=60, max_bytes=1000)


# Authentication -------------------------------------------------------------------------


class RecordingDecode:
    """A decode that records what it was given: a forged entry must never reach it."""

    def __init__(self) -> None:
        self.seen: list[bytes] = []

    def __call__(self, payload: bytes) -> object:
        self.seen.append(payload)
        return from_pickle(payload)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda entry: entry[:-1] + bytes([entry[-1] ^ 1]), id="payload-bit-flipped"),
        pytest.param(lambda entry: bytes([entry[0] ^ 1]) + entry[1:], id="mac-bit-flipped"),
        pytest.param(lambda entry: to_pickle("forged"), id="bare-pickle"),
        pytest.param(lambda entry: b"", id="empty"),
    ],
)
def test_a_tampered_entry_is_a_miss_never_unpickled(stores, raw, caplog, forge):
    first, second = stores
    first.put("reports", "view", {"n": 54}, encode=to_pickle, ttl=60, max_bytes=1000)
    (name,) = raw.keys("*")
    raw.set(name, forge(raw.get(name)))
    decode, compute = RecordingDecode(), Counter({"n": 54})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        value = second.get_or_compute(
            "reports",
            "view",
            compute,
            local=BoundedCache(8),
            encode=to_pickle,
            decode=decode,
            ttl=60,
            max_bytes=1000,
        )
    assert value == {"n": 54}
    assert compute.calls == 1
    assert decode.seen == []
    (line,) = warnings_matching(caplog, "integrity")
    assert "54" not in line
    assert "view" not in line
    # The local computation replaced the forged entry with a genuine one.
    assert first.get("reports", "view", decode=from_pickle) == {"n": 54}


def test_an_entry_copied_under_another_key_does_not_verify(stores, raw):
    first, second = stores
    first.put("reports", "view-a", "a", encode=to_pickle, ttl=60, max_bytes=100)
    first.put("reports", "view-b", "b", encode=to_pickle, ttl=60, max_bytes=100)
    name_a, name_b = (first.redis_key("reports", k).encode() for k in ("view-a", "view-b"))
    raw.set(name_b, raw.get(name_a))
    assert second.get("reports", "view-b", decode=from_pickle) is None
    assert second.get("reports", "view-a", decode=from_pickle) == "a"


def test_an_entry_written_with_another_secret_does_not_verify(stores, make_store):
    first, _ = stores
    other = make_store(secret="o" * 40)
    other.put("reports", "view", "theirs", encode=to_pickle, ttl=60, max_bytes=100)
    assert first.get("reports", "view", decode=from_pickle) is None


def test_a_genuine_entry_that_cannot_be_decoded_is_computed_here(stores, caplog):
    first, second = stores
    first.put("reports", "view", b"not a pickle", encode=bytes, ttl=60, max_bytes=100)
    compute = Counter("fresh")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert report_like(second, "view", compute) == "fresh"
    assert compute.calls == 1
    assert len(warnings_matching(caplog, "could not be decoded")) == 1


def test_a_value_that_cannot_be_encoded_is_still_answered_and_kept_locally(stores, caplog):
    first, _ = stores
    local: BoundedCache[object] = BoundedCache(8)
    unpicklable = Counter(lambda: "a closure pickle refuses")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        value = report_like(first, "view", unpicklable, local=local)
        assert report_like(first, "view", unpicklable, local=local) is value
    assert unpicklable.calls == 1
    assert len(warnings_matching(caplog, "could not be encoded")) == 1


def test_the_code_version_follows_the_source(tmp_path, monkeypatch):
    from app.state import code_version as module

    (tmp_path / "analytics").mkdir()
    source = tmp_path / "analytics" / "estimator.py"
    source.write_text("ESTIMATE = 1\n")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    before = module.code_version.__wrapped__()
    assert module.code_version.__wrapped__() == before
    source.write_text("ESTIMATE = 2\n")
    assert module.code_version.__wrapped__() != before


# Redis down, restarted ------------------------------------------------------------------


def test_redis_killed_mid_session_degrades_with_one_line_and_right_answers(
    stores, redis_server, caplog
):
    first, second = stores
    report_like(first, "before", Counter("shared"))
    redis_server.kill()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        # Several retry periods' worth of requests, each for a new view.
        ends = time.monotonic() + 5 * RETRY
        number = 0
        while time.monotonic() < ends or number < 20:
            compute = Counter(number * 10)
            assert report_like(second, f"view-{number}", compute) == number * 10
            assert compute.calls == 1
            number += 1
        assert second.status() == "degraded"
        # Another worker finds out by itself, with its own one line.
        assert report_like(first, "after", Counter("local")) == "local"
        assert first.status() == "degraded"
    assert len(warnings_matching(caplog, "unavailable")) == 2
    assert all("127.0.0.1" not in r.getMessage() for r in caplog.records)


class CountingClient:
    """A Redis client that counts the commands it is asked to send."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.commands = 0

    def __getattr__(self, name: str):
        if name in ("get", "getex", "set", "ping"):
            self.commands += 1
        return getattr(self.client, name)


def test_a_dead_redis_is_asked_at_most_once_per_retry_period(redis_server):
    """The breaker: once Redis failed, requests do not wait on it again until retry_seconds
    have passed (an hour here, so every call below falls in the first period)."""
    client = CountingClient(connect(redis_server.url))
    store = SharedStore(client, SECRET, VERSION, retry_seconds=3600)  # type: ignore[arg-type]
    try:
        redis_server.kill()
        for number in range(20):
            assert report_like(store, f"view-{number}", Counter(number)) == number
            assert store.status() == "degraded"
        assert client.commands == 1
    finally:
        client.client.close()


def test_a_redis_down_at_start_leaves_the_store_degraded_not_broken(redis_server):
    redis_server.kill()
    store = SharedStore(connect(redis_server.url), SECRET, VERSION, retry_seconds=RETRY)
    try:
        assert store.status() == "degraded"
        assert report_like(store, "view", Counter(7)) == 7
    finally:
        store.close()


def test_a_restarted_redis_is_used_again_by_itself(stores, redis_server, caplog):
    first, second = stores
    redis_server.kill()
    report_like(first, "view", Counter("x"))
    assert first.status() == "degraded"
    with caplog.at_level(logging.INFO, logger=LOGGER):
        redis_server.start()  # empty: nothing was persisted
        poll(lambda: first.status() == "shared", "recovery")
    assert len(warnings_matching(caplog, "reachable again")) == 1
    first.put("reports", "after", "back", encode=to_pickle, ttl=60, max_bytes=100)
    poll(lambda: second.status() == "shared", "the other worker's recovery")
    assert second.get("reports", "after", decode=from_pickle) == "back"


# An upload's files: a worker that missed rebuilds the cohort from them ------------------


def test_an_upload_validated_by_one_worker_is_rebuilt_by_another_from_its_bytes(stores):
    first, second = stores
    files = {
        "patients": ("patients.csv", (GOOD / "patients.csv").read_bytes()),
        "relapses": None,
        "infusions": None,
    }

    def rebuild(payload: bytes):
        found = decode_files(payload)
        name, data = found["patients"]
        return found, load_cohort(data, None, patients_name=name, label=name)

    def validate():
        return files, load_cohort(files["patients"][1], None, patients_name="patients.csv")

    def encode(value) -> bytes:
        return encode_files(value[0])

    def upload_in(store: SharedStore, compute):
        return store.get_or_compute(
            "cohorts",
            "upload-digest",
            compute,
            local=BoundedCache(4),
            encode=encode,
            decode=rebuild,
            ttl=3600,
            max_bytes=10 * 1024 * 1024,
        )

    _, cohort_first = upload_in(first, validate)
    never = Counter(None)
    rebuilt_files, cohort_second = upload_in(second, never)
    assert never.calls == 0
    assert rebuilt_files == files
    assert cohort_second.fingerprint == cohort_first.fingerprint
    assert cohort_second.patients.equals(cohort_first.patients)


def test_file_sets_round_trip_names_and_absent_files():
    files = {"patients": ("pacientes ñ.csv", b"a,b\n1,2\n"), "relapses": None, "x": ("", b"")}
    assert decode_files(encode_files(files)) == files
    with pytest.raises(ValueError, match="truncated file set"):
        decode_files(encode_files(files)[:-3])


# Configuration ----------------------------------------------------------------------------


def test_redis_url_needs_a_shared_secret_key():
    with pytest.raises(ConfigError, match="REDIS_URL is set but SECRET_KEY is not"):
        Config.from_env({"REDIS_URL": "redis://redis:6379/0"})
    config = Config.from_env({"REDIS_URL": "redis://redis:6379/0", "SECRET_KEY": SECRET})
    assert (config.redis_url, config.secret_key) == ("redis://redis:6379/0", SECRET)
    assert Config.from_env({}).redis_url is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REDIS_URL": "http://:hunter2@redis:6379"}, "REDIS_URL must look like redis://"),
        ({"REDIS_URL": "redis://"}, "REDIS_URL must look like redis://"),
        ({"SECRET_KEY": "hunter2"}, "SECRET_KEY must be at least 32 characters long"),
    ],
)
def test_bad_redis_settings_are_named_without_their_secrets(env, message):
    with pytest.raises(ConfigError, match=message) as raised:
        Config.from_env(env)
    assert "hunter2" not in str(raised.value)


def test_the_configuration_never_shows_its_secrets():
    config = Config.from_env({"REDIS_URL": "redis://:hunter2@redis:6379/0", "SECRET_KEY": SECRET})
    assert "hunter2" not in repr(config)
    assert SECRET not in repr(config)
