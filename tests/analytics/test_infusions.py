"""The optional rituximab infusions file: reading, validation, the cohort and its fingerprint.

The bad infusions files live in tests/data/bad/infusions with their own expected.csv (same
columns as bad/expected.csv; every case is checked against good/patients.csv). They are
kept apart from bad/expected.csv because the tests driving that corpus (here, in the CLI
and in the browser) load a file with a companion patients file as a *relapses* file.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analytics.data.cohort import Cohort
from analytics.data.dictionary import DICTIONARY, infusions_template_frame, template_frame
from analytics.data.io import cohort_fingerprint, load_cohort, write_csv
from analytics.data.schema import (
    INFUSION_COLUMNS,
    CohortValidationError,
    validate_infusions,
    validate_patients,
)

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD, BAD_INFUSIONS = DATA / "good", DATA / "bad" / "infusions"
CANONICAL = GOOD / "patients.csv"
# For good/patients.csv (follow-up: P01 48, P02 60, P03 24.5, P04 36, P05 72, P06 30
# months); rows deliberately out of order, with extra columns, one of them text.
INFUSIONS = (
    "patient_id,months_from_rtx,dose_mg,note\n"
    "P02,0,1000,\nP01,6.2,1000,\nP01,0,1000,first\nP01,0.5,1000,\nP03,24.5,500,last visit\n"
)


def bad_cases() -> list[dict[str, str]]:
    """The rows of bad/infusions/expected.csv."""
    with (BAD_INFUSIONS / "expected.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(infusions: bytes | Path, **kwargs: object) -> Cohort:
    return load_cohort(CANONICAL, infusions=infusions, **kwargs)  # type: ignore[arg-type]


def test_every_bad_infusions_file_has_an_expectation() -> None:
    names = {case["file"] for case in bad_cases()}
    assert names == {p.name for p in BAD_INFUSIONS.iterdir()} - {"expected.csv"}
    assert len(names) >= 5


@pytest.mark.parametrize("case", bad_cases(), ids=lambda case: case["file"])
def test_bad_infusions_file_gives_its_located_problem(case: dict[str, str]) -> None:
    with pytest.raises(CohortValidationError) as raised:
        load_cohort(DATA / case["patients"], infusions=BAD_INFUSIONS / case["file"])
    located = [
        problem
        for problem in raised.value.problems
        if problem.file == case["file"]
        and str(problem.row or "") == case["row"]
        and (problem.column or "") == case["column"]
        and case["fragment"] in str(problem)
    ]
    assert located, [str(p) for p in raised.value.problems]
    where = "".join(
        f", {label} {case[key]}"
        for label, key in (("row", "row"), ("column", "column"))
        if case[key]
    )
    assert f"- {case['file']}{where}" in str(raised.value)


def test_clean_frame_is_typed_sorted_and_keeps_extra_columns() -> None:
    cohort = load(INFUSIONS.encode(), infusions_name="infusions.csv")
    infusions = cohort.infusions
    assert infusions is not None
    assert list(infusions.columns) == [*INFUSION_COLUMNS, "dose_mg", "note"]
    assert infusions["patient_id"].tolist() == ["P01", "P01", "P01", "P02", "P03"]
    assert infusions["months_from_rtx"].tolist() == [0.0, 0.5, 6.2, 0.0, 24.5]
    assert infusions["months_from_rtx"].dtype == "float64"
    assert infusions["dose_mg"].tolist() == [1000.0, 1000.0, 1000.0, 1000.0, 500.0]
    assert infusions["note"].tolist() == ["first", None, None, None, "last visit"]
    assert list(infusions.index) == list(range(5))
    # The patients and the outcome do not depend on the infusions file.
    pd.testing.assert_frame_equal(cohort.patients, load_cohort(CANONICAL).patients)
    assert cohort.relapses is None


def test_without_an_infusions_file_the_cohort_has_none() -> None:
    assert load_cohort(CANONICAL).infusions is None
    # Positional construction, as before the field existed, still works.
    assert Cohort(pd.DataFrame(), None, "x", False, "x").infusions is None


def test_extra_columns_named_like_patient_columns_are_not_checked_as_such() -> None:
    data = b"patient_id,months_from_rtx,sex,failure\nP01,0,after the visit,yes\n"
    infusions = load(data).infusions
    assert infusions is not None
    assert infusions.loc[0, "sex"] == "after the visit"
    assert infusions.loc[0, "failure"] == "yes"


def _xlsx(text: str) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in text.splitlines():
        sheet.append(
            [float(c) if c.replace(".", "").isdigit() else c or None for c in line.split(",")]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _parquet(text: str) -> bytes:
    buffer = io.BytesIO()
    pd.read_csv(io.StringIO(text), dtype=str).to_parquet(buffer, index=False)
    return buffer.getvalue()


def _semicolon_decimal_comma(text: str) -> bytes:
    return text.replace(",", ";").replace(".", ",").encode("cp1252")


@pytest.mark.parametrize("convert", [_xlsx, _parquet, _semicolon_decimal_comma])
def test_xlsx_parquet_and_european_csv_load_like_the_csv(convert) -> None:
    expected = load(INFUSIONS.encode()).infusions
    loaded = load(convert(INFUSIONS), infusions_name="infusions.upload").infusions
    assert loaded is not None
    assert expected is not None
    pd.testing.assert_frame_equal(loaded, expected)


def test_every_problem_of_every_file_at_once_and_nothing_loads() -> None:
    patients = b"patient_id,followup_months,failure,failure_months\nP01,12,0,\nP02,-1,0,\n"
    infusions = b"patient_id,months_from_rtx\nP01,0\nP01,-1\nP09,0\nP01,13\nP01,0\nP01,x\n"
    relapses = b"patient_id,months_from_rtx\nP01,nope\n"
    with pytest.raises(CohortValidationError) as raised:
        load_cohort(
            patients,
            relapses,
            infusions=infusions,
            patients_name="p.csv",
            relapses_name="r.csv",
            infusions_name="i.csv",
        )
    assert [(p.file, p.row, p.column) for p in raised.value.problems] == [
        ("p.csv", 3, "followup_months"),
        ("r.csv", 2, "months_from_rtx"),
        ("i.csv", 3, "months_from_rtx"),  # negative
        ("i.csv", 4, "patient_id"),  # unknown patient
        ("i.csv", 5, "months_from_rtx"),  # after follow-up
        ("i.csv", 6, "months_from_rtx"),  # repeats row 2
        ("i.csv", 7, "months_from_rtx"),  # not a number
    ]


def test_a_bad_infusions_file_does_not_load_its_good_patients_and_relapses() -> None:
    with pytest.raises(CohortValidationError) as raised:
        load_cohort(
            CANONICAL,
            GOOD / "relapses.csv",
            infusions=BAD_INFUSIONS / "infusions_unknown_patient.csv",
        )
    assert {p.file for p in raised.value.problems} == {"infusions_unknown_patient.csv"}


def test_an_unreadable_infusions_file_is_reported_with_the_patients_file(tmp_path: Path) -> None:
    with pytest.raises(CohortValidationError) as raised:
        load_cohort(tmp_path / "missing.csv", infusions=b"\x89PNG\r\n\x1a\n\x00\x00")
    text = str(raised.value)
    assert "missing.csv: could not be read" in text
    assert "infusions file: is not a CSV, XLSX or Parquet file" in text


def test_the_limits_hold_for_the_infusions_file() -> None:
    many = "patient_id,months_from_rtx\n" + "".join(f"P05,{m / 10:.1f}\n" for m in range(700))
    assert len(many) > len(CANONICAL.read_bytes())
    with pytest.raises(CohortValidationError, match=r"i\.csv: has more than 10 data rows"):
        load(many.encode(), infusions_name="i.csv", max_rows=10)
    with pytest.raises(CohortValidationError, match=r"i\.csv: file is .*larger than the limit"):
        load(many.encode(), infusions_name="i.csv", max_bytes=len(CANONICAL.read_bytes()))


def test_fingerprint_covers_the_infusions_file() -> None:
    patients, relapses = CANONICAL.read_bytes(), (GOOD / "relapses.csv").read_bytes()
    infusions = INFUSIONS.encode()
    without = load_cohort(CANONICAL, GOOD / "relapses.csv")
    assert without.fingerprint == hashlib.sha256(patients + relapses).hexdigest()
    with_infusions = load_cohort(CANONICAL, GOOD / "relapses.csv", infusions=infusions)
    assert with_infusions.fingerprint == cohort_fingerprint(patients, relapses, infusions)
    assert with_infusions.fingerprint != without.fingerprint
    other = infusions.replace(b"P03,24.5", b"P03,24.0")
    assert load(other).fingerprint != load(infusions).fingerprint
    # One file given as the relapses file or as the infusions file: two cohorts.
    assert cohort_fingerprint(patients, infusions) != cohort_fingerprint(patients, b"", infusions)


def test_validate_infusions_on_a_raw_frame() -> None:
    patients = validate_patients(
        pd.DataFrame({"patient_id": ["P1"], "followup_months": ["12"]}), "p.csv", has_relapses=True
    )
    raw = pd.DataFrame({"Patient ID": ["P1", "P1"], "Months from RTX": ["6,5", "0"]}, dtype=object)
    infusions = validate_infusions(raw, "i.csv", patients, decimal_comma=True)
    assert infusions["months_from_rtx"].tolist() == [0.0, 6.5]
    with pytest.raises(CohortValidationError, match="unknown patient: not in the patients file"):
        validate_infusions(raw.assign(**{"Patient ID": "P2"}), "i.csv", patients)


def test_dictionary_documents_the_infusions_file() -> None:
    documented = {doc.column for doc in DICTIONARY if doc.file == "infusions"}
    assert documented == set(INFUSION_COLUMNS)


def test_the_infusions_template_loads_with_the_patients_template() -> None:
    patients = write_csv(template_frame())
    infusions = write_csv(infusions_template_frame())
    assert patients is not None
    assert infusions is not None
    cohort = load_cohort(patients.encode(), infusions=infusions.encode())
    assert cohort.infusions is not None
    assert set(cohort.infusions["patient_id"]) == set(cohort.patients["patient_id"])
    assert (cohort.infusions.groupby("patient_id")["months_from_rtx"].min() == 0).all()
