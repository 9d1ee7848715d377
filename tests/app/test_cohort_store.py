"""Per-session uploads: the browser's store rebuilds the same cohort in any worker."""

from __future__ import annotations

import base64
from pathlib import Path

import pandas as pd
import pytest

from analytics.data.schema import CohortValidationError
from app.state import cohort_store
from app.state.cohort_store import (
    CACHE_SIZE,
    cohort_from_store,
    decode_upload,
    store_from_upload,
)
from app.state.lru import BoundedCache
from tests.conftest import make_cohort

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


@pytest.fixture
def fresh_cache(monkeypatch):
    """An empty module cache, as in a worker that has seen no upload yet."""
    cache = BoundedCache(cohort_store.CACHE_SIZE)
    monkeypatch.setattr(cohort_store, "_cache", cache)
    return cache


@pytest.fixture
def server_default(small_patients):
    """Stands in for the server's configured cohort."""
    return make_cohort(small_patients)


def _same_cohort(a, b) -> None:
    pd.testing.assert_frame_equal(a.patients, b.patients)
    if a.relapses is None:
        assert b.relapses is None
    else:
        pd.testing.assert_frame_equal(a.relapses, b.relapses)
    assert (a.label, a.synthetic, a.fingerprint) == (b.label, b.synthetic, b.fingerprint)


def _upload(fresh_cache):
    patients = (GOOD / "patients.csv").read_bytes()
    relapses = (GOOD / "relapses.csv").read_bytes()
    return store_from_upload(patients, "patients.csv", relapses, "relapses.csv")


def test_store_then_cohort_gives_the_same_cohort(fresh_cache, server_default):
    store, cohort = _upload(fresh_cache)
    _same_cohort(cohort_from_store(store, server_default), cohort)


def test_another_worker_rebuilds_the_same_cohort_from_the_store(
    fresh_cache, server_default, monkeypatch
):
    store, cohort = _upload(fresh_cache)
    monkeypatch.setattr(cohort_store, "_cache", BoundedCache(cohort_store.CACHE_SIZE))
    rebuilt = cohort_from_store(store, server_default)
    assert rebuilt is not cohort
    _same_cohort(rebuilt, cohort)


def test_rebuilding_after_the_cache_was_cleared_refills_it(fresh_cache, server_default):
    store, _ = _upload(fresh_cache)
    fresh_cache._items.clear()
    rebuilt = cohort_from_store(store, server_default)
    assert cohort_from_store(store, server_default) is rebuilt


def test_the_store_survives_a_json_round_trip(fresh_cache, server_default, monkeypatch):
    import json

    store, cohort = _upload(fresh_cache)
    monkeypatch.setattr(cohort_store, "_cache", BoundedCache(cohort_store.CACHE_SIZE))
    _same_cohort(cohort_from_store(json.loads(json.dumps(store)), server_default), cohort)


def test_a_patients_only_upload_round_trips(fresh_cache, server_default, monkeypatch):
    store, cohort = store_from_upload((GOOD / "patients.csv").read_bytes(), "patients.csv")
    assert store["relapses"] is None
    monkeypatch.setattr(cohort_store, "_cache", BoundedCache(cohort_store.CACHE_SIZE))
    _same_cohort(cohort_from_store(store, server_default), cohort)


def test_the_store_keeps_names_and_bytes_not_patient_rows(fresh_cache):
    store, _ = _upload(fresh_cache)
    assert sorted(store) == ["infusions", "key", "patients", "relapses"]
    assert store["patients"]["name"] == "patients.csv"
    assert base64.b64decode(store["patients"]["data"]) == (GOOD / "patients.csv").read_bytes()


@pytest.mark.parametrize("store", [None, {}])
def test_no_upload_means_the_server_cohort(store, server_default):
    assert cohort_from_store(store, server_default) is server_default


def test_different_relapses_give_a_different_key(fresh_cache):
    patients = (GOOD / "patients.csv").read_bytes()
    with_relapses, _ = _upload(fresh_cache)
    without, _ = store_from_upload(patients, "patients.csv")
    assert with_relapses["key"] != without["key"]


def test_a_rejected_upload_stores_nothing(fresh_cache):
    with pytest.raises(CohortValidationError):
        store_from_upload((BAD / "duplicate_id.csv").read_bytes(), "duplicate_id.csv")
    assert len(fresh_cache._items) == 0


def test_a_tampered_store_raises_the_validation_error(fresh_cache, server_default):
    store, _ = _upload(fresh_cache)
    fresh_cache._items.clear()
    store["patients"]["data"] = base64.b64encode(b"patient_id,followup_months\nA,abc\n").decode()
    with pytest.raises(CohortValidationError):
        cohort_from_store(store, server_default)


# --- LRU bound ---------------------------------------------------------------------------


def test_the_cache_holds_at_most_its_size(server_default):
    cache = BoundedCache(3)
    for i in range(5):
        cache.put(f"k{i}", server_default)
    assert list(cache._items) == ["k2", "k3", "k4"]


def test_reading_an_entry_keeps_it_longest(server_default):
    cache = BoundedCache(2)
    cache.put("a", server_default)
    cache.put("b", server_default)
    cache.get("a")
    cache.put("c", server_default)
    assert cache.get("a") is server_default
    assert cache.get("b") is None


def test_putting_an_existing_key_does_not_grow_the_cache(server_default):
    cache = BoundedCache(2)
    for key in ("a", "b", "a", "a"):
        cache.put(key, server_default)
    assert list(cache._items) == ["b", "a"]


def test_the_module_cache_is_bounded_by_cache_size(fresh_cache, small_patients):
    base = (GOOD / "patients.csv").read_bytes()
    for i in range(CACHE_SIZE + 3):
        # Same patients, a trailing blank line count makes each upload distinct bytes.
        store_from_upload(base + b"\n" * i, f"p{i}.csv")
    assert len(fresh_cache._items) == CACHE_SIZE


# --- decoding ----------------------------------------------------------------------------


def test_a_data_url_is_decoded():
    payload = base64.b64encode(b"patient_id\n").decode()
    assert decode_upload(f"data:text/csv;base64,{payload}", "p.csv") == b"patient_id\n"


@pytest.mark.parametrize(
    "contents",
    [
        "data:text/csv;base64,!!!notbase64!!!",
        "data:text/csv;base64,abc",  # bad padding
        "data:text/csv;base64,ÄÖÜ",
        "data:text/csv;base64,aGVsbG8=\nd29ybGQ=",
    ],
)
def test_an_undecodable_upload_is_a_validation_error(contents):
    with pytest.raises(CohortValidationError, match="could not be decoded"):
        decode_upload(contents, "upload.csv")


def test_the_decode_error_names_the_file():
    with pytest.raises(CohortValidationError) as caught:
        decode_upload("data:text/csv;base64,@@@", "clinic export.csv")
    assert [p.file for p in caught.value.problems] == ["clinic export.csv"]


def test_contents_without_a_payload_give_a_validation_error_not_a_crash(fresh_cache):
    data = decode_upload("garbage-without-comma", "x.csv")
    with pytest.raises(CohortValidationError):
        store_from_upload(data, "x.csv")
