"""The bounded LRU behind the cohort and report caches: bounds and single flight."""

from __future__ import annotations

import threading
import time

import pytest

from app.state.lru import BoundedCache


def test_total_weight_is_bounded_dropping_the_oldest():
    cache = BoundedCache(max_items=10, max_weight=100)
    for key in "abc":
        cache.put(key, key, weight=40)
    assert [cache.get(k) for k in "abc"] == [None, "b", "c"]


def test_a_value_heavier_than_the_bound_is_not_cached():
    cache = BoundedCache(max_items=10, max_weight=10)
    assert cache.get_or_compute("big", lambda: "v", weight=lambda _: 11) == "v"
    assert cache.get("big") is None


def test_concurrent_requests_for_one_key_compute_it_once():
    cache: BoundedCache[int] = BoundedCache(max_items=4)
    calls = []
    started = threading.Barrier(8)

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    results = []

    def ask() -> None:
        started.wait()
        results.append(cache.get_or_compute("k", slow))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 8
    assert len(calls) == 1
    assert (cache.hits, cache.misses) == (7, 1)


def test_a_failed_computation_is_not_cached_and_waiters_retry():
    cache: BoundedCache[str] = BoundedCache(max_items=4)
    gate = threading.Event()
    outcomes = []

    def fail() -> str:
        gate.wait()
        raise RuntimeError("boom")

    def first() -> None:
        try:
            cache.get_or_compute("k", fail)
        except RuntimeError as error:
            outcomes.append(str(error))

    owner = threading.Thread(target=first)
    owner.start()
    time.sleep(0.05)  # the owner holds the key's pending slot
    waiter = threading.Thread(
        target=lambda: outcomes.append(cache.get_or_compute("k", lambda: "ok"))
    )
    waiter.start()
    time.sleep(0.05)
    gate.set()
    owner.join()
    waiter.join()
    assert sorted(outcomes) == ["boom", "ok"]
    assert cache.get("k") == "ok"


@pytest.mark.parametrize("size", [0, -1])
def test_a_zero_size_cache_stores_nothing(size):
    cache = BoundedCache(max_items=size)
    cache.put("a", 1)
    assert cache.get("a") is None


# Moved from test_cohort_store.py (the cache of uploaded cohorts is this LRU).
def test_the_cache_holds_at_most_its_size():
    cache = BoundedCache(3)
    for i in range(5):
        cache.put(f"k{i}", i)
    assert list(cache._items) == ["k2", "k3", "k4"]


def test_reading_an_entry_keeps_it_longest():
    cache = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    assert cache.get("a") == 1
    assert cache.get("b") is None


def test_putting_an_existing_key_does_not_grow_the_cache():
    cache = BoundedCache(2)
    for key in ("a", "b", "a", "a"):
        cache.put(key, 0)
    assert list(cache._items) == ["b", "a"]
