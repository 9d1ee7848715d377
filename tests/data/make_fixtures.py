"""Write the cohort-file fixtures of tests/data/good and tests/data/bad.

Run from the repository root: ``.venv/bin/python tests/data/make_fixtures.py``. The files
are committed; this script is the one place their content (and, for the bad files, the
problem each must produce, written to ``bad/expected.csv``) is defined.

Good files all hold the same six patients in the shapes clinicians' spreadsheets come in
and must load to the same frame as ``good/patients.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
GOOD, BAD = HERE / "good", HERE / "bad"

HEADER = [
    "patient_id",
    "followup_months",
    "failure",
    "failure_months",
    "sex",
    "age_at_rtx",
    "edss_baseline",
    "asymptomatic_lesions",
    "asymptomatic_lesion_months",
    "gd_persistent",
    "fcgr3a_v158f",
    "centre",
    "nfl_pg_ml",
]
ROWS = [
    ["P01", "48", "1", "14.5", "F", "45", "3.5", "1", "10", "0", "VF", "Zürich", "12.3"],
    ["P02", "60", "0", "", "F", "38", "2", "0", "", "1", "VV", "Bern", "8"],
    ["P03", "24.5", "1", "9", "M", "52.5", "6", "1", "", "0", "FF", "Zürich", "20.75"],
    ["P04", "36", "0", "", "F", "", "", "", "", "", "", "Basel", ""],
    ["P05", "72", "0", "", "F", "61", "4.5", "0", "", "0", "VF", "Bern", "9.5"],
    ["P06", "30", "1", "20", "F", "29", "1", "1", "18", "1", "VV", "Basel", "15"],
]
# Relapses consistent with ROWS at the 6-month grace period: P02's relapse at 4 months and
# P06's at exactly 6 fall inside it; P01's first relapse after it is at 14.5.
RELAPSES = [["P01", "-5"], ["P01", "3"], ["P01", "14.5"], ["P01", "30"], ["P02", "-12"]]
RELAPSES += [["P02", "4"], ["P03", "9"], ["P06", "-2"], ["P06", "6"], ["P06", "20"]]

CLINICIAN_HEADER = [
    " Patient ID",
    "Follow-up months",
    "Failure",
    "Failure_Months ",
    "SEX",
    "Age at RTX",
    "EDSS baseline",
    "Asymptomatic lesions",
    "asymptomatic-lesion-months",
    "gd persistent",
    "FCGR3A-V158F",
    "Centre",
    "NfL pg ml",
]
FLAG_WORDS = {"0": "no", "1": "yes", "": ""}


def csv_text(header: list[str], rows: list[list[str]], sep: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows([header, *rows])
    return buffer.getvalue()


def clinician_rows() -> list[list[str]]:
    """Lower-case sex/genotype, yes/no flags, padded cells: what a hand-kept sheet looks like."""
    out = []
    for row in ROWS:
        row = list(row)
        row[2], row[7], row[9] = FLAG_WORDS[row[2]], FLAG_WORDS[row[7]], FLAG_WORDS[row[9]]
        row[4] = {"F": "female", "M": "m"}[row[4]]
        row[10] = row[10].lower()
        out.append([f" {cell} " if cell else cell for cell in row])
    return out


def number(text: str) -> float | int | None:
    if not text:
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def write_good() -> None:
    GOOD.mkdir(exist_ok=True)
    (GOOD / "patients.csv").write_text(csv_text(HEADER, ROWS), encoding="utf-8")
    bom_crlf = csv_text(CLINICIAN_HEADER, clinician_rows()).replace("\n", "\r\n") + "\r\n\r\n"
    (GOOD / "patients_bom_crlf.csv").write_bytes(b"\xef\xbb\xbf" + bom_crlf.encode("utf-8"))
    # European Excel: semicolons, decimal commas, Windows-1252 ("Zürich" as one byte).
    decimal = [[cell.replace(".", ",") for cell in row] for row in ROWS]
    semicolon = csv_text(CLINICIAN_HEADER, decimal, ";").replace("\n", "\r\n")
    (GOOD / "patients_semicolon_cp1252.csv").write_bytes(semicolon.encode("cp1252"))
    (GOOD / "patients_tab.tsv").write_text(csv_text(HEADER, decimal, "\t"), encoding="utf-8")
    no_outcome = [h for h in HEADER if h not in ("failure", "failure_months")]
    keep = [HEADER.index(h) for h in no_outcome]
    rows = [[row[i] for i in keep] for row in ROWS]
    (GOOD / "patients_no_outcome.csv").write_text(csv_text(no_outcome, rows), encoding="utf-8")
    (GOOD / "relapses.csv").write_text(
        csv_text(["patient_id", "months_from_rtx"], RELAPSES), encoding="utf-8"
    )
    write_xlsx(GOOD / "patients.xlsx", CLINICIAN_HEADER, ROWS)
    write_parquet(GOOD / "patients.parquet")


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """Numbers as numeric cells, text as text, and a trailing formatted-but-empty row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([number(c) if _is_number(c) else (None if c == "" else c) for c in row])
    sheet.cell(row=len(rows) + 3, column=1).number_format = "0.0"
    workbook.save(path)


def _is_number(cell: object) -> bool:
    if not isinstance(cell, str):
        return False
    try:
        float(cell)
    except ValueError:
        return False
    return True


def write_parquet(path: Path) -> None:
    """Typed columns, as a data-warehouse export would have them (nullable floats, strings)."""
    columns = {}
    for index, name in enumerate(HEADER):
        cells = [row[index] for row in ROWS]
        if name in ("patient_id", "sex", "fcgr3a_v158f", "centre"):
            columns[name] = pa.array([c or None for c in cells], type=pa.string())
        else:
            columns[name] = pa.array([float(c) if c else None for c in cells], type=pa.float64())
    pq.write_table(pa.table(columns), path)


BASE = "patient_id,followup_months,failure,failure_months\n"
# file name -> (content, patients file for relapses files or "", row, column, fragment)
BAD_TEXT: dict[str, tuple[str, str, str, str, str]] = {
    "empty.csv": ("", "", "", "", "file is empty"),
    "blank_lines_only.csv": ("\n \n\r\n", "", "", "", "file is empty"),
    "header_only.csv": (BASE, "", "1", "", "has a header row but no data rows"),
    "missing_followup.csv": (
        "patient_id,follow_up_time,failure,failure_months\nP01,12,0,\n",
        "",
        "",
        "followup_months",
        'missing required column (found: patient_id, follow_up_time, failure, failure_months); did you mean "follow_up_time"?',  # noqa: E501
    ),
    "duplicate_id.csv": (
        BASE + "P01,12,0,\nP02,12,0,\nP01,20,0,\n",
        "",
        "4",
        "patient_id",
        'value "P01": duplicate patient_id (first on row 2)',
    ),
    "empty_id.csv": (BASE + "P01,12,0,\n ,12,0,\n", "", "3", "patient_id", "is required"),
    "edss_out_of_range.csv": (
        "patient_id,followup_months,failure,failure_months,edss_baseline\n"
        + "".join(f"P0{i},12,0,,{i}\n" for i in range(1, 6))
        + "P06,12,0,,11\n",
        "",
        "7",
        "edss_baseline",
        'edss_out_of_range.csv, row 7, column edss_baseline, value "11": must be between 0 and 10 in steps of 0.5',  # noqa: E501
    ),
    "edss_not_half_step.csv": (
        "patient_id,followup_months,failure,failure_months,edss_baseline\nP01,12,0,,3.25\n",
        "",
        "2",
        "edss_baseline",
        "in steps of 0.5",
    ),
    "followup_zero.csv": (BASE + "P01,0,0,\n", "", "2", "followup_months", "greater than 0"),
    "followup_date.csv": (
        BASE + "P01,2021-03-04,0,\n",
        "",
        "2",
        "followup_months",
        "must be a number of months, not a date",
    ),
    "followup_infinite.csv": (BASE + "P01,inf,0,\n", "", "2", "followup_months", "finite"),
    "failure_not_binary.csv": (BASE + "P01,12,2,\n", "", "2", "failure", "must be 0 or 1"),
    "failure_months_missing.csv": (
        BASE + "P01,12,1,\n",
        "",
        "2",
        "failure_months",
        "is required when failure = 1",
    ),
    "failure_months_after_followup.csv": (
        BASE + "P01,12,1,13\n",
        "",
        "2",
        "failure_months",
        "must not be later than followup_months (12)",
    ),
    "sex_invalid.csv": (
        "patient_id,followup_months,failure,failure_months,sex\nP01,12,0,,X\n",
        "",
        "2",
        "sex",
        "must be F or M",
    ),
    "age_out_of_range.csv": (
        "patient_id,followup_months,failure,failure_months,age_at_rtx\nP01,12,0,,130\n",
        "",
        "2",
        "age_at_rtx",
        "must be between 0 and 120",
    ),
    "lesion_time_without_lesion.csv": (
        "patient_id,followup_months,failure,failure_months,asymptomatic_lesions,"
        "asymptomatic_lesion_months\nP01,12,0,,0,5\n",
        "",
        "2",
        "asymptomatic_lesion_months",
        "asymptomatic_lesions is not 1",
    ),
    "genotype_invalid.csv": (
        "patient_id,followup_months,failure,failure_months,fcgr3a_v158f\nP01,12,0,,VX\n",
        "",
        "2",
        "fcgr3a_v158f",
        "must be VV, VF or FF",
    ),
    "no_outcome.csv": ("patient_id,followup_months\nP01,12\n", "", "", "failure", "no outcome"),
    "decimal_comma_in_comma_csv.csv": (
        "patient_id,followup_months,failure\nP01,12,5,0\n",
        "",
        "2",
        "",
        "has 4 values but the header has 3 columns (a decimal comma?",
    ),
    "duplicate_header.csv": (
        "Patient ID,followup_months,failure,failure_months,patient_id\nP01,12,0,,P01\n",
        "",
        "1",
        "patient_id",
        "column name appears twice",
    ),
    "header_missing_name.csv": (BASE[:-1] + ",\nP01,12,0,,oops\n", "", "1", "", "no header name"),
    "huge_cell.csv": (
        BASE + "P01," + "12 months " * 500 + ",0,\n",
        "",
        "2",
        "followup_months",
        'value "12 months 12 months 12 months 12 months…": must be a number of months',
    ),
    "relapses_unknown_patient.csv": (
        "patient_id,months_from_rtx\nP01,14.5\nP99,3\n",
        "good/patients_no_outcome.csv",
        "3",
        "patient_id",
        'value "P99": unknown patient: not in patients_no_outcome.csv',
    ),
    "relapses_after_followup.csv": (
        "patient_id,months_from_rtx\nP03,30\n",
        "good/patients_no_outcome.csv",
        "2",
        "months_from_rtx",
        "must not be later than that patient's followup_months (24.5)",
    ),
    "relapses_missing_column.csv": (
        "patient_id,months\nP01,3\n",
        "good/patients_no_outcome.csv",
        "",
        "months_from_rtx",
        "missing required column",
    ),
    "relapses_months_text.csv": (
        "patient_id,months_from_rtx\nP01,about 7\n",
        "good/patients_no_outcome.csv",
        "2",
        "months_from_rtx",
        "must be a number of months",
    ),
    "relapses_disagree.csv": (
        csv_text(["patient_id", "months_from_rtx"], [*RELAPSES, ["P05", "40"]]),
        "good/patients.csv",
        "6",
        "failure",
        "failure = 0 but relapses_disagree.csv has a relapse at 40 months",
    ),
}
BAD_BINARY: dict[str, tuple[bytes, str, str, str, str]] = {
    "not_a_table.png": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        "",
        "",
        "",
        "is not a CSV, XLSX or Parquet file",
    ),
    "legacy.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "", "", "", "legacy .xls"),
    "corrupt.xlsx": (b"PK\x03\x04" + b"not really a zip" * 4, "", "", "", "XLSX workbook"),
    "corrupt.parquet": (b"PAR1" + b"garbage" * 8 + b"PAR1", "", "", "", "Parquet file"),
}


def write_bad() -> None:
    BAD.mkdir(exist_ok=True)
    expected = [["file", "patients", "row", "column", "fragment"]]
    for name, (content, *rest) in BAD_TEXT.items():
        (BAD / name).write_bytes(content.encode("utf-8"))
        expected.append([name, *rest])
    for name, (data, *rest) in BAD_BINARY.items():
        (BAD / name).write_bytes(data)
        expected.append([name, *rest])
    rows: list[list[object]] = [["P01", dt.datetime(2021, 3, 4), 0, None]]
    write_xlsx(BAD / "followup_date.xlsx", BASE.strip().split(","), rows)
    expected.append(
        ["followup_date.xlsx", "", "2", "followup_months", "must be a number of months, not a date"]
    )
    with (BAD / "expected.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(expected)


if __name__ == "__main__":
    write_good()
    write_bad()
