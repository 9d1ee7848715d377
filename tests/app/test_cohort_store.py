"""Uploaded cohorts in a worker's memory: validated once, found by content digest and limits."""

from __future__ import annotations

import base64
from pathlib import Path

import pandas as pd
import pytest

from analytics.data.schema import CohortValidationError
from app.state import cohort_store
from app.state.cohort_store import (
    CACHE_SIZE,
    NO_LIMITS,
    UploadFiles,
    UploadLimits,
    UploadNotHeld,
    decode_upload,
    files_from_contents,
    held_cohort,
    validate_upload,
)
from app.state.lru import BoundedCache

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
PATIENTS = (GOOD / "patients.csv").read_bytes()
RELAPSES = (GOOD / "relapses.csv").read_bytes()


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    """An empty module cache, as in a worker that has seen no upload yet."""
    cache = BoundedCache(cohort_store.CACHE_SIZE)
    monkeypatch.setattr(cohort_store, "_cache", cache)
    return cache


def _files(**changes) -> UploadFiles:
    fields = {
        "patients": PATIENTS,
        "patients_name": "patients.csv",
        "relapses": RELAPSES,
        "relapses_name": "relapses.csv",
    }
    return UploadFiles(**{**fields, **changes})


def test_a_validated_upload_is_held_by_its_digest_and_limits():
    digest, cohort = validate_upload(_files())
    assert held_cohort(digest, NO_LIMITS) is cohort
    assert len(cohort.patients) == len(pd.read_csv(GOOD / "patients.csv"))


def test_the_same_digest_under_other_limits_is_not_held():
    digest, _ = validate_upload(_files())
    with pytest.raises(UploadNotHeld):
        held_cohort(digest, UploadLimits(10**9, (10**6, 10**6, 10**6)))


def test_a_digest_never_validated_is_not_held():
    with pytest.raises(UploadNotHeld):
        held_cohort("0" * 64, NO_LIMITS)


def test_a_worker_that_lost_it_holds_it_again_after_validating_the_same_files(fresh_cache):
    digest, _ = validate_upload(_files())
    fresh_cache._items.clear()
    with pytest.raises(UploadNotHeld):
        held_cohort(digest, NO_LIMITS)
    again, cohort = validate_upload(_files())
    assert again == digest
    assert held_cohort(digest, NO_LIMITS) is cohort


@pytest.mark.parametrize(
    "changes",
    [
        {"patients_name": "other.csv"},  # the name is the cohort's label on the page
        {"relapses": None},
        {"relapses": None, "infusions": RELAPSES, "infusions_name": "relapses.csv"},
        {"patients": PATIENTS + b"\n"},
    ],
)
def test_any_other_file_or_name_has_another_digest(changes):
    assert _files(**changes).digest() != _files().digest()


def test_the_digest_does_not_run_parts_together():
    # Without lengths, "ab" + "c" and "a" + "bc" would hash alike.
    first = UploadFiles(b"c", "ab")
    second = UploadFiles(b"bc", "a")
    assert first.digest() != second.digest()


def test_a_rejected_upload_holds_nothing(fresh_cache):
    with pytest.raises(CohortValidationError):
        validate_upload(UploadFiles((BAD / "duplicate_id.csv").read_bytes(), "duplicate_id.csv"))
    assert len(fresh_cache) == 0


def test_each_file_has_its_own_row_limit():
    """A relapses file has several rows per patient: its limit is its own."""
    patients_rows = len(pd.read_csv(GOOD / "patients.csv"))
    relapse_rows = len(pd.read_csv(GOOD / "relapses.csv"))
    assert relapse_rows > patients_rows
    fits = UploadLimits(None, (patients_rows, relapse_rows, 1))
    validate_upload(_files(), fits)
    with pytest.raises(CohortValidationError) as caught:
        validate_upload(_files(), UploadLimits(None, (patients_rows, relapse_rows - 1, 1)))
    [problem] = caught.value.problems
    assert problem.file == "relapses.csv"
    wanted = f"has more than {relapse_rows - 1} data rows, the limit for a relapses file"
    assert str(problem.rule) == wanted


def test_the_module_cache_is_bounded_by_cache_size(fresh_cache):
    for i in range(CACHE_SIZE + 3):
        # Same patients, a trailing blank line count makes each upload distinct bytes.
        validate_upload(UploadFiles(PATIENTS + b"\n" * i, f"p{i}.csv"))
    assert len(fresh_cache) == CACHE_SIZE


# --- the files held by the page ----------------------------------------------------------


def _data_url(data: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(data).decode()


def test_the_pages_contents_give_the_uploads_files_and_digest():
    files = files_from_contents(
        (_data_url(PATIENTS), _data_url(RELAPSES), None),
        ("patients.csv", "relapses.csv", None),
    )
    assert files == _files()
    assert files.digest() == _files().digest()


def test_no_patients_file_in_the_page_means_no_upload():
    assert files_from_contents((None, _data_url(RELAPSES), None), (None, "r.csv", None)) is None


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
        12,
    ],
)
def test_an_undecodable_upload_is_a_validation_error(contents):
    with pytest.raises(CohortValidationError, match="could not be decoded"):
        decode_upload(contents, "upload.csv")


def test_the_decode_error_names_the_file():
    with pytest.raises(CohortValidationError) as caught:
        decode_upload("data:text/csv;base64,@@@", "clinic export.csv")
    assert [p.file for p in caught.value.problems] == ["clinic export.csv"]


def test_contents_without_a_payload_give_a_validation_error_not_a_crash():
    data = decode_upload("garbage-without-comma", "x.csv")
    with pytest.raises(CohortValidationError):
        validate_upload(UploadFiles(data, "x.csv"))
