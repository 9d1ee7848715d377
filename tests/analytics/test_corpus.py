"""The malformed-input corpus of tests/data (written by tests/data/make_fixtures.py), whole.

tests/analytics/test_io.py checks that each bad file gives the problem bad/expected.csv
records for it (row, column, fragment) and that the original good variants load to the
frame of good/patients.csv. Here: every bad file fails *only* with CohortValidationError,
names itself (and its row and column) in the message the user reads, and nothing half-loads;
the good files added since load; and the size limits hold for 100 MB and 1 M-row inputs,
generated on the fly (never committed) and refused quickly.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics.data.io import load_cohort
from analytics.data.schema import CohortValidationError
from tests.corpus import BAD, DATA, GOOD, bad_cases

# Good files whose frame test_io.py already compares with good/patients.csv, and the
# companion files it loads (no outcome; relapses).
CHECKED_IN_TEST_IO = {
    "patients.csv",
    "patients_bom_crlf.csv",
    "patients_semicolon_cp1252.csv",
    "patients_tab.tsv",
    "patients.xlsx",
    "patients.parquet",
    "patients_no_outcome.csv",
    "relapses.csv",
}
# Loaded to the canonical frame exactly.
SAME_AS_CANONICAL = [
    "patients_latin1.csv",
    "patients_trailing_blank_lines.csv",
    "patients_two_sheets.xlsx",
    "patients_formulas.xlsx",
    "patients_typed.parquet",
]
UNICODE_IDS = ["Pérez-001", "Müller-002", "患者-003", "\U0001f9ea-004", "O'Brien-005", "Łukasz-006"]
LIMIT_SECONDS = 5.0  # a refused file must not be parsed whole: generous for a 2-core CI box


def test_corpus_has_forty_bad_files_and_every_good_file_is_checked() -> None:
    assert len(bad_cases()) >= 40
    covered = CHECKED_IN_TEST_IO | set(SAME_AS_CANONICAL)
    covered |= {"patients_extra_columns.csv", "patients_unicode_ids.csv"}
    assert {p.name for p in GOOD.iterdir()} == covered


@pytest.mark.parametrize("case", bad_cases(), ids=lambda case: case["file"])
def test_bad_file_is_refused_with_a_located_message_and_nothing_else(
    case: dict[str, str],
) -> None:
    bad = BAD / case["file"]
    try:
        if case["patients"]:
            cohort = load_cohort(DATA / case["patients"], bad)
        else:
            cohort = load_cohort(bad)
    except CohortValidationError as error:
        message = str(error)
    else:  # pragma: no cover - the failure message says what loaded
        pytest.fail(f"{case['file']} loaded {len(cohort.patients)} patients")
    # The line the user reads for this problem: file first, then row and column when known.
    # A relapses file that disagrees with the patients file's failure column is reported on
    # the patients row, naming the relapses file in the rule.
    located = ""
    if case["row"]:
        located += f", row {case['row']}"
    if case["column"]:
        located += f", column {case['column']}"
    files = [case["file"], Path(case["patients"]).name] if case["patients"] else [case["file"]]
    lines = [line for line in message.splitlines() if case["fragment"] in line]
    assert lines, message
    assert any(
        case["file"] in line and line.startswith(tuple(f"- {f}{located}" for f in files))
        for line in lines
    ), message
    assert "Traceback" not in message


def test_a_bad_relapses_file_does_not_load_its_good_patients_file() -> None:
    """Both files or nothing: the caller gets no cohort to half-use."""
    with pytest.raises(CohortValidationError) as raised:
        load_cohort(GOOD / "patients_no_outcome.csv", BAD / "relapses_unknown_patient.csv")
    assert {p.file for p in raised.value.problems} == {"relapses_unknown_patient.csv"}


@pytest.mark.parametrize("name", SAME_AS_CANONICAL)
def test_more_good_files_load_to_the_canonical_frame(name: str, canonical: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(load_cohort(GOOD / name).patients, canonical)


def test_extra_columns_are_kept_beside_the_canonical_ones(canonical: pd.DataFrame) -> None:
    patients = load_cohort(GOOD / "patients_extra_columns.csv").patients
    pd.testing.assert_frame_equal(patients[list(canonical.columns)], canonical)
    assert patients["notes"].tolist()[0] == "seen in Zürich, twice"
    assert patients["visit_count"].tolist() == [2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


def test_unicode_patient_codes_load_unchanged(canonical: pd.DataFrame) -> None:
    """Accents, CJK and emoji are valid pseudonymous codes; invisible characters are not
    (bad/id_zero_width.csv, bad/id_control_character.csv)."""
    patients = load_cohort(GOOD / "patients_unicode_ids.csv").patients
    assert patients["patient_id"].tolist() == UNICODE_IDS
    pd.testing.assert_frame_equal(
        patients.drop(columns="patient_id"), canonical.drop(columns="patient_id")
    )


def _refused_quickly(load, match: str) -> None:
    started = time.perf_counter()
    with pytest.raises(CohortValidationError, match=match):
        load()
    elapsed = time.perf_counter() - started
    assert elapsed < LIMIT_SECONDS, f"took {elapsed:.1f} s to refuse"


def _csv_rows(count: int) -> bytes:
    header = b"patient_id,followup_months,failure,failure_months\n"
    return header + b"".join(b"P%07d,12,0,\n" % i for i in range(count))


def test_a_100_mb_file_is_refused_by_size_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "patients_100mb.csv"
    row = b"P0000001,12,0,," + b"x" * 85 + b"\n"
    with path.open("wb") as handle:
        handle.write(b"patient_id,followup_months,failure,failure_months,notes\n")
        handle.write(row * (100_000_000 // len(row)))
    limit = 10 * 1024 * 1024
    _refused_quickly(
        lambda: load_cohort(path, max_bytes=limit),
        r"patients_100mb\.csv: file is 100\.0 MB, larger than the limit of 10\.5 MB",
    )


def test_a_100_mb_upload_is_refused_by_size(tmp_path: Path) -> None:
    data = b"patient_id,followup_months\n" + b"P1,12\n" * (100_000_000 // 6)
    _refused_quickly(
        lambda: load_cohort(data, patients_name="upload.csv", max_bytes=10_000_000),
        r"upload\.csv: file is 100\.0 MB, larger than the limit of 10\.0 MB",
    )


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_a_million_rows_are_refused_at_the_row_limit(tmp_path: Path, form: str) -> None:
    if form == "csv":
        path = tmp_path / "million.csv"
        path.write_bytes(_csv_rows(1_000_000))
    else:
        path = tmp_path / "million.parquet"
        ids = pa.array([f"P{i:07d}" for i in range(1_000_000)])
        months = pa.array([12.0] * 1_000_000)
        pq.write_table(pa.table({"patient_id": ids, "followup_months": months}), path)
    _refused_quickly(
        lambda: load_cohort(path, max_rows=100_000),
        rf"million\.{form}: has more than 100,000 data rows, the limit",
    )
