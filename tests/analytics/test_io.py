"""Tests of analytics.data.io: reading clinicians' files, load_cohort, and the safe CSV export.

The fixtures under tests/data/good and tests/data/bad are written by
tests/data/make_fixtures.py; bad/expected.csv pairs each bad file with the problem it must
produce (row and column, and a fragment of the message).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analytics.data.cohort import derive_outcome
from analytics.data.io import load_cohort, read_table, write_csv
from analytics.data.schema import CohortValidationError
from tests.corpus import BAD, CANONICAL, DATA, GOOD, bad_cases

BASE = "patient_id,followup_months,failure,failure_months\n"


def test_at_least_fifteen_bad_files_have_expectations() -> None:
    names = {case["file"] for case in bad_cases()}
    # bad/infusions/ has its own expected.csv (tests/analytics/test_infusions.py).
    on_disk = {p.name for p in BAD.iterdir() if p.is_file()} - {"expected.csv"}
    assert names == on_disk
    assert len(names) >= 15


@pytest.mark.parametrize("case", bad_cases(), ids=lambda case: case["file"])
def test_bad_file_gives_its_problem(case: dict[str, str]) -> None:
    if case["patients"]:
        load = lambda: load_cohort(DATA / case["patients"], BAD / case["file"])  # noqa: E731
    else:
        load = lambda: load_cohort(BAD / case["file"])  # noqa: E731
    with pytest.raises(CohortValidationError, match=re.escape(case["fragment"])) as raised:
        load()
    located = [
        problem
        for problem in raised.value.problems
        if str(problem.row or "") == case["row"]
        and (problem.column or "") == case["column"]
        and case["fragment"] in str(problem)
    ]
    assert located, [str(p) for p in raised.value.problems]


def test_canonical_frame_has_the_contract_dtypes(canonical: pd.DataFrame) -> None:
    assert list(canonical.index) == list(range(6))
    assert canonical["patient_id"].tolist() == ["P01", "P02", "P03", "P04", "P05", "P06"]
    floats = ["followup_months", "failure", "failure_months", "age_at_rtx", "edss_baseline"]
    floats += ["asymptomatic_lesions", "asymptomatic_lesion_months", "gd_persistent"]
    for column in floats:
        assert canonical[column].dtype == "float64", column
    assert canonical["failure_months"].isna().tolist() == [False, True, False, True, True, False]
    assert canonical["sex"].tolist() == ["F", "F", "M", "F", "F", "F"]
    assert canonical["fcgr3a_v158f"].tolist() == ["VF", "VV", "FF", None, "VF", "VV"]
    # Unknown extra columns are kept: text stays text, all-numeric becomes float.
    assert canonical["centre"].tolist() == ["Zürich", "Bern", "Zürich", "Basel", "Bern", "Basel"]
    assert canonical["nfl_pg_ml"].dtype == "float64"


@pytest.mark.parametrize(
    "name",
    [
        "patients_bom_crlf.csv",
        "patients_semicolon_cp1252.csv",
        "patients_tab.tsv",
        "patients.xlsx",
        "patients.parquet",
    ],
)
def test_good_variants_load_to_the_canonical_frame(name: str, canonical: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(load_cohort(GOOD / name).patients, canonical)


def test_good_variants_load_from_bytes_whatever_the_extension(canonical: pd.DataFrame) -> None:
    """Uploads are sniffed by content: a Parquet file named .csv is still Parquet."""
    data = (GOOD / "patients.parquet").read_bytes()
    cohort = load_cohort(data, patients_name="export.csv")
    pd.testing.assert_frame_equal(cohort.patients, canonical)
    assert cohort.label == "export.csv"


def test_relapses_only_outcome_gives_the_same_failures(canonical: pd.DataFrame) -> None:
    cohort = load_cohort(GOOD / "patients_no_outcome.csv", GOOD / "relapses.csv")
    expected = canonical.drop(columns=["failure", "failure_months"])
    pd.testing.assert_frame_equal(cohort.patients, expected)
    derived = derive_outcome(cohort.patients, cohort.relapses, grace_months=6.0)
    pd.testing.assert_series_equal(derived["failure"], canonical["failure"])
    pd.testing.assert_series_equal(derived["failure_months"], canonical["failure_months"])


def test_both_outcome_forms_agreeing_load() -> None:
    cohort = load_cohort(CANONICAL, GOOD / "relapses.csv")
    relapses = cohort.relapses
    assert relapses is not None
    assert list(relapses.columns) == ["patient_id", "months_from_rtx"]
    assert relapses["months_from_rtx"].dtype == "float64"
    assert relapses.equals(relapses.sort_values(["patient_id", "months_from_rtx"]))
    assert list(relapses.index) == list(range(10))


def test_fingerprint_label_and_synthetic() -> None:
    patients = CANONICAL.read_bytes()
    relapses = (GOOD / "relapses.csv").read_bytes()
    cohort = load_cohort(CANONICAL, GOOD / "relapses.csv")
    assert cohort.fingerprint == hashlib.sha256(patients + relapses).hexdigest()
    assert cohort.label == "patients.csv"
    assert cohort.synthetic is False
    alone = load_cohort(patients, label="Demo", synthetic=True)
    assert alone.fingerprint == hashlib.sha256(patients).hexdigest()
    assert (alone.label, alone.synthetic) == ("Demo", True)


def test_bytes_without_a_name_are_called_patients_file() -> None:
    with pytest.raises(CohortValidationError, match=r"patients file, row 2, column failure"):
        load_cohort((BASE + "P01,12,7,\n").encode())


def test_problems_of_both_files_come_together_and_nothing_loads() -> None:
    patients = (BASE + "P01,12,0,\nP02,-1,0,\n").encode()
    relapses = b"patient_id,months_from_rtx\nP01,x\n"
    with pytest.raises(CohortValidationError) as raised:
        load_cohort(patients, relapses, patients_name="p.csv", relapses_name="r.csv")
    assert [(p.file, p.row, p.column) for p in raised.value.problems] == [
        ("p.csv", 3, "followup_months"),
        ("r.csv", 2, "months_from_rtx"),
    ]


def test_unreadable_files_are_reported_together(tmp_path: Path) -> None:
    with pytest.raises(CohortValidationError) as raised:
        load_cohort(tmp_path / "missing.csv", BAD / "not_a_table.png")
    text = str(raised.value)
    assert "missing.csv: could not be read" in text
    assert "not_a_table.png: is not a CSV, XLSX or Parquet file" in text


def test_agreement_tolerates_tiny_differences_only() -> None:
    relapses = b"patient_id,months_from_rtx\nP01,10.0000001\n"
    load_cohort((BASE + "P01,12,1,10\n").encode(), relapses)
    with pytest.raises(CohortValidationError, match=r"row 2, column failure_months, value \"10\""):
        load_cohort((BASE + "P01,12,1,10\n").encode(), b"patient_id,months_from_rtx\nP01,10.5\n")


def test_relapse_exactly_at_the_grace_period_is_not_a_failure() -> None:
    with pytest.raises(CohortValidationError, match="failure = 1 but r.csv has no relapse later"):
        load_cohort(
            (BASE + "P01,12,1,6\n").encode(),
            b"patient_id,months_from_rtx\nP01,6\n",
            relapses_name="r.csv",
        )


def test_read_table_keeps_spreadsheet_rows_and_raw_strings() -> None:
    raw = read_table(b" Patient ID ;Follow-up\n\nP1; 12,5 \nP2;3\n\n\n", "t.csv")
    assert list(raw.columns) == ["Patient ID", "Follow-up"]
    assert list(raw.index) == [3, 4]
    assert raw.to_numpy().tolist() == [["P1", "12,5"], ["P2", "3"]]
    assert all(pd.api.types.is_object_dtype(dtype) for dtype in raw.dtypes)
    assert raw.attrs["decimal_comma"] is True
    assert read_table(b"a,b\n1,2\n", "t.csv").attrs["decimal_comma"] is False


def test_repeated_cell_texts_are_stored_once() -> None:
    """One str object per distinct text: at 10^5 rows the raw frame is then near the size of
    the file instead of ~60 bytes per cell."""
    raw = read_table(b"patient_id,followup_months\nP1,12.5\nP2,12.5\nP3,12.50\n", "t.csv")
    months = raw["followup_months"].tolist()
    assert months == ["12.5", "12.5", "12.50"]
    assert months[0] is months[1]


# Every line break str.splitlines knows; only \r, \n and \r\n end a CSV line.
_TEXT_PIECES = ["a", "1", " ", ",", ";", "\t", '"', "é", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c"]
_TEXT_PIECES += ["\x1e", "\x85", "\u2028", "\u2029"]


def _rows_as_stringio_reads(text: str) -> list[tuple[int, list[str]]] | None:
    """Non-blank stripped rows and their numbers as csv.reader over io.StringIO(text, newline="")
    reads them (the reading before the lines were cut without StringIO's copy); None when the
    csv module refuses the text."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    cells = [(number, [c.strip() for c in row]) for number, row in enumerate(rows, start=1)]
    return [(number, row) for number, row in cells if any(row)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TEXT_PIECES), max_size=40).map("".join))
def test_rows_and_row_numbers_are_those_of_the_csv_module(text: str) -> None:
    # More than two control characters make the file "binary content", refused before parsing.
    assume(sum(ch in "\x0b\x1c\x1e" for ch in text) <= 2)
    text = "h1,h2,h3\n" + text
    expected = _rows_as_stringio_reads(text)
    if expected is None or any(any(row[3:]) for _, row in expected[1:]) or len(expected) < 2:
        with pytest.raises(CohortValidationError):
            read_table(text.encode(), "t.csv")
        return
    raw = read_table(text.encode(), "t.csv")
    assert list(raw.index) == [number for number, _ in expected[1:]]
    assert raw.to_numpy().tolist() == [(row + [""] * 3)[:3] for _, row in expected[1:]]


@pytest.mark.parametrize(
    ("text", "decimal_comma"),
    [
        ("a;b\x0bc,d,e\n1;2\n", True),  # str.splitlines ends the header line at \x0b
        ("a,b\x85c;d;e\n1,2\n", False),  # ... and at U+0085
        (" \u2028a;b\n1;2\n", True),  # a blank first line before U+2028 is skipped
    ],
)
def test_separator_comes_from_the_first_non_blank_line(text: str, decimal_comma: bool) -> None:
    """The header line is the first non-blank line as str.splitlines cuts lines."""
    assert read_table(text.encode(), "t.csv").attrs["decimal_comma"] is decimal_comma


def test_header_after_blank_lines_is_located() -> None:
    with pytest.raises(CohortValidationError, match=r"t.csv, row 3: column 5 has values"):
        load_cohort(("\n\n" + BASE[:-1] + ",\nP01,12,0,,x\n").encode(), patients_name="t.csv")
    with pytest.raises(CohortValidationError, match=r"t.csv, row 2, column patient_id, value"):
        load_cohort(
            ("\n" + BASE[:-1] + ",Patient ID\nP01,12,0,,x\n").encode(), patients_name="t.csv"
        )


def test_blank_rows_count_in_problem_row_numbers() -> None:
    with pytest.raises(CohortValidationError, match="p.csv, row 4, column failure, "):
        load_cohort((BASE + "P01,12,0,\n\nP02,12,x,\n").encode(), patients_name="p.csv")


def test_quoted_multiline_cell_counts_as_one_row() -> None:
    data = (BASE[:-1] + ",note\n" + 'P01,12,0,,"line one\nline two"\nP02,0,0,,ok\n').encode()
    with pytest.raises(CohortValidationError, match="row 3, column followup_months") as raised:
        load_cohort(data)
    assert len(raised.value.problems) == 1


def test_utf16_tab_text_as_excel_unicode_export() -> None:
    text = (
        "patient_id\tfollowup_months\tfailure\tfailure_months\tcentre\r\nP01\t12,5\t0\t\tZürich\r\n"
    )
    cohort = load_cohort(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert cohort.patients.loc[0, "followup_months"] == 12.5
    assert cohort.patients.loc[0, "centre"] == "Zürich"


def test_utf8_is_tried_before_legacy_encodings() -> None:
    utf8 = (BASE[:-1] + ",centre\nP01,12,0,,Zürich\n").encode("utf-8")
    assert load_cohort(utf8).patients.loc[0, "centre"] == "Zürich"
    cp1252 = (BASE[:-1] + ",centre\nP01,12,0,,Zürich – Süd\n").encode("cp1252")
    assert load_cohort(cp1252).patients.loc[0, "centre"] == "Zürich – Süd"
    # 0x81 is undefined in cp1252, so only latin-1 can decode it.
    latin1 = (BASE[:-1] + ",centre\nP01,12,0,,A").encode() + b"\x81\n"
    assert load_cohort(latin1).patients.loc[0, "centre"] == "A\x81"


def test_max_bytes_is_checked_before_reading() -> None:
    with pytest.raises(CohortValidationError, match="larger than the limit of 100 bytes"):
        load_cohort(CANONICAL, max_bytes=100)
    with pytest.raises(CohortValidationError, match="larger than the limit"):
        load_cohort(CANONICAL.read_bytes(), max_bytes=100)
    load_cohort(CANONICAL, max_bytes=10_000)


@pytest.mark.parametrize("name", ["patients.csv", "patients.xlsx", "patients.parquet"])
def test_max_rows_applies_to_every_format(name: str) -> None:
    with pytest.raises(CohortValidationError, match="has more than 5 data rows, the limit"):
        load_cohort(GOOD / name, max_rows=5)
    assert len(load_cohort(GOOD / name, max_rows=6).patients) == 6


def test_only_cohort_validation_error_on_csv_syntax_error() -> None:
    data = BASE.encode() + b'P01,"12' + b"x" * 200_000 + b'",0,\n'
    with pytest.raises(CohortValidationError, match="is not valid CSV"):
        load_cohort(data)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([BASE.encode(), b"PK\x03\x04", b"PAR1", b""]), st.binary(max_size=400))
def test_random_bytes_never_raise_anything_else(magic: bytes, data: bytes) -> None:
    try:
        load_cohort(magic + data)
    except CohortValidationError as error:
        assert error.problems  # noqa: PT017 - the property is "only this exception, never empty"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('P01,;\t\n\r" .-e5x=NA')), max_size=200))
def test_random_text_never_raises_anything_else(text: str) -> None:
    try:
        load_cohort((BASE + text).encode())
    except CohortValidationError as error:
        assert error.problems  # noqa: PT017 - the property is "only this exception, never empty"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', "'=HYPERLINK"),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Zürich", "Zürich"),
        ("-5", "-5"),
    ],
)
def test_write_csv_neutralises_formula_text(cell: str, written: str) -> None:
    frame = pd.DataFrame({"note": [cell], "months": [-3.5]})
    text = write_csv(frame)
    assert text is not None
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["note", "months"]
    assert row[0].startswith(written)
    assert row[1] == "-3.5"


def test_write_csv_neutralises_headers_and_writes_files(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=cmd": ["a", None], "n": [1, 2]})
    target = tmp_path / "export.csv"
    assert write_csv(frame, target) is None
    assert target.read_bytes().decode("utf-8") == "'=cmd,n\r\na,1\r\n,2\r\n"
    buffer = io.StringIO()
    write_csv(frame, buffer)
    assert buffer.getvalue() == target.read_bytes().decode("utf-8")


def test_write_csv_round_trips_the_canonical_cohort(canonical: pd.DataFrame) -> None:
    text = write_csv(canonical)
    assert text is not None
    again = load_cohort(text.encode("utf-8")).patients
    pd.testing.assert_frame_equal(again, canonical)
