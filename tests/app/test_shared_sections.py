"""The view callbacks' caches go through the shared Redis (app/state/shared_cache.py): a
section or relapse report one worker computed is taken from Redis by another worker, not
computed again. Real redis-server (tests/redis_server.py)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pandas as pd
import pytest

from analytics.data.cohort import analysis_frame
from analytics.data.demo import load_demo
from app.callbacks import relapses, view_sections
from app.server.config import Config
from app.server.factory import create_app
from app.state.lru import BoundedCache
from app.state.shared_cache import stable_key
from app.state.shared_store import SHARED_STORE_KEY
from app.state.view_state import ViewState
from tests.redis_server import RedisServer

SECRET = "shared-sections-test-secret-" + "s" * 30


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = RedisServer().start()
    try:
        yield server.url
    finally:
        server.stop()


def _fresh_local_caches(monkeypatch) -> None:
    """A new process's caches: both "workers" of this test live in one process, so each
    starts with empty local caches, as a second gunicorn worker does."""
    monkeypatch.setattr(view_sections, "_sections", BoundedCache(64))
    monkeypatch.setattr(relapses, "_relapse_reports", BoundedCache(8))


def _counting(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_section_and_a_relapse_report_computed_by_one_worker_are_shared(redis_url, monkeypatch):
    cohort = load_demo()
    state = ViewState(sex="F", grace_months=4.0)
    # (Building an app computes its opening view: counted from here on.)
    first, second = (
        create_app(Config(redis_url=redis_url, secret_key=SECRET)).server for _ in range(2)
    )
    core_calls = _counting(monkeypatch, view_sections, "core_section")
    relapse_calls = _counting(monkeypatch, relapses, "build_relapse_report")
    _fresh_local_caches(monkeypatch)
    with first.test_request_context():
        core = view_sections.core_for(cohort, state)
        relapse = relapses.relapse_report_for(cohort, state)
    assert (len(core_calls), len(relapse_calls)) == (1, 1)
    _fresh_local_caches(monkeypatch)
    with second.test_request_context():
        shared_core = view_sections.core_for(cohort, state)
        shared_relapse = relapses.relapse_report_for(cohort, state)
    assert (len(core_calls), len(relapse_calls)) == (1, 1), "computed again, not shared"
    assert (shared_core.n, shared_core.events) == (core.n, core.events)
    assert shared_relapse == relapse
    # Another view is computed, not taken from another view's entry.
    _fresh_local_caches(monkeypatch)
    with second.test_request_context():
        other = view_sections.core_for(cohort, ViewState(sex="M", grace_months=4.0))
    assert len(core_calls) == 2
    assert other.n != core.n


def test_without_redis_each_worker_computes_its_own(monkeypatch):
    cohort = load_demo()
    state = ViewState(sex="F", grace_months=5.0)
    apps = [create_app(Config()).server for _ in range(2)]
    core_calls = _counting(monkeypatch, view_sections, "core_section")
    for app in apps:
        _fresh_local_caches(monkeypatch)
        with app.test_request_context():
            view_sections.core_for(cohort, state)
    assert len(core_calls) == 2


def test_the_shared_core_section_leaves_the_patient_frame_out_and_is_rebuilt(
    redis_url, monkeypatch
):
    """Redis holds the core section without its per-patient rows (the analysed frame, each
    patient's relapse rates: every filtered patient, per view); a worker that takes it
    rebuilds them from its own cohort, and what is computed from them is the first worker's."""
    cohort = load_demo()
    state = ViewState(sex="F", grace_months=6.0, covariates=("asymptomatic_lesions",))
    first, second = (
        create_app(Config(redis_url=redis_url, secret_key=SECRET)).server for _ in range(2)
    )
    _fresh_local_caches(monkeypatch)
    with first.test_request_context():
        core = view_sections.core_for(cohort, state)
        hazards = view_sections.hazards_for(cohort, state)
    assert len(core.frame) == core.n > 0
    store = first.config[SHARED_STORE_KEY]
    key = stable_key(("core", view_sections.core_key(cohort, state)))
    raw = store.get("sections", key, decode=lambda payload: payload)
    assert raw is not None, "the core section was not shared"
    shared_as_stored = pickle.loads(raw)  # noqa: S301 (the test's own Redis)
    assert shared_as_stored.frame.empty
    assert shared_as_stored.relapse_rates is None
    first_id = str(cohort.patients["patient_id"].iloc[0]).encode()
    assert first_id not in raw
    _fresh_local_caches(monkeypatch)
    core_calls = _counting(monkeypatch, view_sections, "core_section")
    with second.test_request_context():
        rebuilt = view_sections.core_for(cohort, state)
    assert core_calls == [], "computed again instead of taken from Redis"
    pd.testing.assert_frame_equal(rebuilt.frame, analysis_frame(cohort, state.filters()))
    assert (rebuilt.n, rebuilt.events) == (core.n, core.events)
    assert rebuilt.relapse_rates is not None
    assert rebuilt.relapse_rates.to_dict() == core.relapse_rates.to_dict()
    with second.test_request_context():
        again = view_sections.hazards_section(rebuilt, state.zph_transform)
    assert again.cox is not None
    assert hazards.cox is not None
    assert again.cox.to_dict() == hazards.cox.to_dict()
