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
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

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
    write_more_good()


def write_more_good() -> None:
    """Files added with the reliability issue (6), all with the six patients of ROWS."""
    canonical = csv_text(HEADER, ROWS)
    # Latin-1, comma-separated: not UTF-8, so decoded as cp1252, which agrees on accents.
    (GOOD / "patients_latin1.csv").write_bytes(canonical.encode("latin-1"))
    # Excel's CSV export of a sheet with formatted rows below the data: rows of bare commas.
    trailing = canonical + "," * (len(HEADER) - 1) + "\n"
    trailing += ("," * (len(HEADER) - 1) + "\r\n") * 2 + "\n \n\n"
    (GOOD / "patients_trailing_blank_lines.csv").write_text(trailing, encoding="utf-8")
    extra = [*HEADER, "notes", "visit_count"]
    extra_rows = [[*row, f"seen in {row[11]}, twice", str(i + 2)] for i, row in enumerate(ROWS)]
    (GOOD / "patients_extra_columns.csv").write_text(csv_text(extra, extra_rows), encoding="utf-8")
    unicode_ids = ["Pérez-001", "Müller-002", "患者-003", "\U0001f9ea-004", "O'Brien-005"]
    unicode_ids.append("Łukasz-006")
    unicode_rows = [[code, *row[1:]] for code, row in zip(unicode_ids, ROWS, strict=True)]
    (GOOD / "patients_unicode_ids.csv").write_text(csv_text(HEADER, unicode_rows), encoding="utf-8")
    # The data on the first sheet, a notes sheet after it.
    workbook = openpyxl.Workbook()
    fill_sheet(workbook.active, CLINICIAN_HEADER, ROWS)
    fill_sheet(workbook.create_sheet("Notes"), ["Note"], [["EDSS by the treating neurologist"]])
    (GOOD / "patients_two_sheets.xlsx").write_bytes(workbook_bytes(workbook))
    # Follow-up computed by formulas, saved with their values as Excel does.
    workbook = openpyxl.Workbook()
    fill_sheet(workbook.active, HEADER, ROWS)
    workbook.active["B2"] = "=4*12"
    workbook.active["B3"] = "=5*12"
    cached = {"B2": "48", "B3": "60"}
    (GOOD / "patients_formulas.xlsx").write_bytes(workbook_bytes(workbook, cached))
    write_typed_parquet(GOOD / "patients_typed.parquet")


def write_typed_parquet(path: Path) -> None:
    """As pandas writes a typed frame: boolean failure, nullable integer flags, int ids."""
    columns = {}
    for index, name in enumerate(HEADER):
        cells = [row[index] for row in ROWS]
        if name in ("patient_id", "sex", "fcgr3a_v158f", "centre"):
            columns[name] = pa.array([c or None for c in cells], type=pa.string())
        elif name == "failure":
            columns[name] = pa.array([c == "1" for c in cells], type=pa.bool_())
        elif name in ("asymptomatic_lesions", "gd_persistent"):
            columns[name] = pa.array([int(c) if c else None for c in cells], type=pa.int64())
        else:
            columns[name] = pa.array([float(c) if c else None for c in cells], type=pa.float64())
    pq.write_table(pa.table(columns), path)


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """Numbers as numeric cells, text as text, and a trailing formatted-but-empty row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    fill_sheet(sheet, header, rows)
    sheet.cell(row=len(rows) + 3, column=1).number_format = "0.0"
    path.write_bytes(workbook_bytes(workbook))


def fill_sheet(sheet: object, header: list[str], rows: list[list[object]]) -> None:
    sheet.append(header)  # type: ignore[attr-defined]
    for row in rows:
        cells = [number(c) if _is_number(c) else (None if c == "" else c) for c in row]
        sheet.append(cells)  # type: ignore[attr-defined]


FIXED_TIME = dt.datetime(2024, 1, 1)
_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(<)")


def workbook_bytes(workbook: openpyxl.Workbook, cached: dict[str, str] | None = None) -> bytes:
    """An openpyxl workbook saved reproducibly: openpyxl stamps the save time into
    docProps/core.xml and every ZIP entry, so both are replaced by a fixed date.

    ``cached`` gives formula cells (by reference, e.g. ``"B2"``) the cached value Excel
    would have stored; openpyxl itself writes formulas without one.
    """
    workbook.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(buffer) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    parts["docProps/core.xml"] = _CORE_TIME.sub(
        rb"\g<1>2024-01-01T00:00:00Z\g<2>", parts["docProps/core.xml"]
    )
    for reference, value in (cached or {}).items():
        sheet = parts["xl/worksheets/sheet1.xml"]
        cell = re.compile(rf'(<c r="{reference}"[^>]*><f>[^<]*</f>)<v\s*/?>(</v>)?'.encode())
        parts["xl/worksheets/sheet1.xml"] = cell.sub(rb"\g<1><v>" + value.encode() + b"</v>", sheet)
    return zip_bytes(parts)


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


# Hostile workbooks are assembled part by part (not saved by openpyxl, which stamps the
# time into docProps): the same bytes on every run, and each one a single feature.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XLSX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(
    rows: list[list[str]], *, padding: int = 0, dimension: str = "", extra_cells: str = ""
) -> bytes:
    """A worksheet of inline-string cells; ``padding`` spaces after the data make it expand."""
    body = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{_column_letter(col)}{number}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
            for col, text in enumerate(row, start=1)
            if text
        )
        body.append(f'<row r="{number}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = f'<worksheet xmlns="{_MAIN}">{dim}<sheetData>{"".join(body)}{extra_cells}</sheetData>'
    return xml.encode() + b" " * padding + b"</worksheet>"


def xlsx_bytes(
    sheet: bytes,
    extra: dict[str, bytes] | None = None,
    main_type: str = XLSX_MAIN_TYPE,
    encrypted_flag: bool = False,
) -> bytes:
    """A minimal, deterministic workbook: content types, relationships, one sheet, extras."""
    types = (
        f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/></Types>'
    )
    parts = {
        "[Content_Types].xml": types.encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>'
            f'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet,
        **(extra or {}),
    }
    return zip_bytes(parts, encrypted_flag=encrypted_flag)


def zip_bytes(parts: dict[str, bytes], *, encrypted_flag: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content, compresslevel=9)
    return _flag_encrypted(buffer.getvalue()) if encrypted_flag else buffer.getvalue()


def _flag_encrypted(data: bytes) -> bytes:
    """Set the "encrypted" bit of every part, as a ZIP-password tool would (data left plain)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        locals_ = [info.header_offset for info in archive.infolist()]
        central = archive.start_dir  # type: ignore[attr-defined]
    for offset in locals_:
        out[offset + 6] |= 0x1
    while out[central : central + 4] == b"PK\x01\x02":
        out[central + 8] |= 0x1
        name, extra, comment = (
            int.from_bytes(out[central + i : central + i + 2], "little") for i in (28, 30, 32)
        )
        central += 46 + name + extra + comment
    return bytes(out)


GOOD_SHEET = sheet_xml([BASE.strip().split(","), ["P01", "12", "0", ""]])
MACROS = "contains macros (VBA); save it as a plain .xlsx or CSV"
ENCRYPTED = "password-protected or legacy .xls: save as .xlsx or CSV"
# file name -> (content, row, fragment); all patients files, no column.
BAD_HOSTILE: dict[str, tuple[bytes, str, str]] = {
    # 60 MB of sheet XML in a ~60 KB file.
    "zip_bomb.xlsx": (
        xlsx_bytes(sheet_xml([BASE.strip().split(",")], padding=60_000_000)),
        "",
        "the workbook expands to 60.0 MB, more than the 50 MB allowed (a zip bomb",
    ),
    # Under the size bound, but a part deflated ~1000 times: nothing but padding.
    "dense_padding.xlsx": (
        xlsx_bytes(sheet_xml([BASE.strip().split(",")], padding=20_000_000)),
        "",
        "this looks like a zip bomb",
    ),
    "vba_project.xlsx": (
        xlsx_bytes(GOOD_SHEET, {"xl/vbaProject.bin": OLE2_HEADER * 8}),
        "",
        MACROS,
    ),
    # Content sniffed, not the name: a macro-enabled workbook saved as ".csv".
    "macro_enabled_named.csv": (xlsx_bytes(GOOD_SHEET, main_type=XLSM_MAIN_TYPE), "", MACROS),
    "excel4_macro_sheet.xlsx": (
        xlsx_bytes(GOOD_SHEET, {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
        "",
        "contains macros (Excel 4.0 macro sheets)",
    ),
    "ole_object.xlsx": (
        xlsx_bytes(GOOD_SHEET, {"xl/embeddings/oleObject1.bin": OLE2_HEADER * 8}),
        "",
        "contains embedded objects (OLE or ActiveX)",
    ),
    "external_link.xlsx": (
        xlsx_bytes(GOOD_SHEET, {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
        "",
        "takes values from other workbooks (external links)",
    ),
    # Excel wraps an encrypted .xlsx in an OLE2 compound file (EncryptionInfo stream).
    "password_protected.xlsx": (
        OLE2_HEADER
        + b"\x00" * 16
        + b"\x3e\x00\x03\x00\xfe\xff"
        + b"\x00" * 40
        + "EncryptionInfo".encode("utf-16-le"),
        "",
        ENCRYPTED,
    ),
    "zip_encrypted_part.xlsx": (xlsx_bytes(GOOD_SHEET, encrypted_flag=True), "", ENCRYPTED),
    "binary_workbook.xlsx": (
        zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"}),
        "",
        "is a binary .xlsb workbook",
    ),
    "opendocument.ods": (
        zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        "",
        "is an OpenDocument spreadsheet (.ods)",
    ),
    "csv_in_a_zip.xlsx": (
        zip_bytes({"patients.csv": (BASE + "P01,12,0,\n").encode()}),
        "",
        "is a ZIP archive but not an XLSX workbook",
    ),
    "png_named.csv": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        "",
        "is not a CSV, XLSX or Parquet file",
    ),
    "too_many_columns.csv": (
        (",".join([*BASE.strip().split(","), *(f"extra_{i}" for i in range(246))]) + "\n").encode()
        + b"P01,12,0,"
        + b",1" * 246
        + b"\n",
        "1",
        "has 250 columns, more than the 200 allowed",
    ),
    # One stray value in column 300 of a workbook whose data is otherwise fine.
    "value_in_column_300.xlsx": (
        xlsx_bytes(
            sheet_xml(
                [BASE.strip().split(","), ["P01", "12", "0", ""]],
                extra_cells='<row r="3"><c r="KN3" t="inlineStr"><is><t>x</t></is></c></row>',
            )
        ),
        "3",
        "has values beyond column 200",
    ),
}


ZERO_WIDTH_SPACE = "\u200b"
# Added with the reliability issue (6); kept apart so expected.csv only grows at its end.
# file name -> (content, patients file for relapses files or "", row, column, fragment)
MORE_BAD_TEXT: dict[str, tuple[str, str, str, str, str]] = {
    "followup_negative.csv": (BASE + "P01,-3,0,\n", "", "2", "followup_months", "greater than 0"),
    "followup_nan.csv": (
        BASE + "P01,nan,0,\n",
        "",
        "2",
        "followup_months",
        'value "nan": is required and must not be empty',
    ),
    "followup_empty.csv": (
        BASE + "P01,12,0,\nP02,,0,\n",
        "",
        "3",
        "followup_months",
        "is required and must not be empty",
    ),
    "failure_months_nan.csv": (
        BASE + "P01,12,1,NaN\n",
        "",
        "2",
        "failure_months",
        "is required when failure = 1",
    ),
    "failure_months_negative.csv": (
        BASE + "P01,12,1,-2\n",
        "",
        "2",
        "failure_months",
        "must be greater than 0",
    ),
    "failure_months_column_missing.csv": (
        "patient_id,followup_months,failure\nP01,12,1\n",
        "",
        "",
        "failure_months",
        "missing (with failure) column (found: patient_id, followup_months, failure)",
    ),
    "failure_empty.csv": (
        BASE + "P01,12,0,\nP02,12,,\n",
        "",
        "3",
        "failure",
        "is required and must not be empty",
    ),
    "age_text.csv": (
        BASE[:-1] + ",age_at_rtx\nP01,12,0,,forty\n",
        "",
        "2",
        "age_at_rtx",
        'value "forty": must be a number of years',
    ),
    "edss_text.csv": (
        BASE[:-1] + ",edss_baseline\nP01,12,0,,3 to 4\n",
        "",
        "2",
        "edss_baseline",
        "must be a number of EDSS points",
    ),
    "missing_patient_id.csv": (
        "code,followup_months,failure,failure_months\nP01,12,0,\n",
        "",
        "",
        "patient_id",
        "missing required column (found: code, followup_months, failure, failure_months)",
    ),
    # Two codes that look the same would be two patients: invisible characters are refused.
    "id_zero_width.csv": (
        BASE + f"P01,12,0,\nP01{ZERO_WIDTH_SPACE},20,0,\n",
        "",
        "3",
        "patient_id",
        "contains an invisible character (U+200B ZERO WIDTH SPACE)",
    ),
    "id_control_character.csv": (
        BASE + "P01,12,0,\nP\x0702,20,0,\n",
        "",
        "3",
        "patient_id",
        "contains an invisible character (U+0007)",
    ),
    "relapses_id_zero_width.csv": (
        f"patient_id,months_from_rtx\nP01{ZERO_WIDTH_SPACE},14.5\n",
        "good/patients_no_outcome.csv",
        "2",
        "patient_id",
        "contains an invisible character (U+200B ZERO WIDTH SPACE)",
    ),
    "relapses_months_empty.csv": (
        "patient_id,months_from_rtx\nP01,14.5\nP03,\n",
        "good/patients_no_outcome.csv",
        "3",
        "months_from_rtx",
        "is required and must not be empty",
    ),
}
SHEETS_NOTE = 'only the first of the sheets "{}", "{}" is read: put the data on the first sheet'


def more_bad_workbooks() -> dict[str, tuple[bytes, str, str, str]]:
    """Workbooks saved by openpyxl (reproducibly): file name -> (bytes, row, column, fragment)."""
    out: dict[str, tuple[bytes, str, str, str]] = {}
    header = BASE.strip().split(",")
    # A cover sheet first, the data second: the first sheet is read, and the message says so.
    workbook = openpyxl.Workbook()
    workbook.active.title = "Read me"
    fill_sheet(workbook.active, ["Cohort export 2024"], [["Data on the next sheet"]])
    fill_sheet(workbook.create_sheet("Patients"), header, [["P01", "12", "0", ""]])
    out["multi_sheet_cover_first.xlsx"] = (
        workbook_bytes(workbook),
        "",
        "patient_id",
        SHEETS_NOTE.format("Read me", "Patients"),
    )
    # Excel's empty default "Sheet1" left in front of the data.
    workbook = openpyxl.Workbook()
    fill_sheet(workbook.create_sheet("Patients"), header, [["P01", "12", "0", ""]])
    out["multi_sheet_empty_first.xlsx"] = (
        workbook_bytes(workbook),
        "",
        "",
        "file is empty (" + SHEETS_NOTE.format("Sheet", "Patients"),
    )
    # Written by a script, never opened in Excel: the formula has no cached value to read.
    workbook = openpyxl.Workbook()
    fill_sheet(workbook.active, header, [["P01", "=12*2", "0", ""]])
    out["formula_without_cached_value.xlsx"] = (
        workbook_bytes(workbook),
        "2",
        "followup_months",
        "is required and must not be empty",
    )
    # failure merged over two patients' rows: only the top cell holds the value.
    workbook = openpyxl.Workbook()
    fill_sheet(workbook.active, header, [["P01", "12", "0", ""], ["P02", "20", "", ""]])
    workbook.active.merge_cells("C2:C3")
    out["merged_cells.xlsx"] = (
        workbook_bytes(workbook),
        "3",
        "failure",
        "is required and must not be empty",
    )
    return out


def more_bad_parquet() -> dict[str, tuple[bytes, str, str, str]]:
    """Parquet files whose column types are wrong: file name -> (bytes, row, column, fragment)."""

    def table(followup: pa.Array, failure: pa.Array | None = None) -> bytes:
        columns = {
            "patient_id": pa.array(["P01", "P02"]),
            "followup_months": followup,
            "failure": failure if failure is not None else pa.array([0.0, 0.0]),
            "failure_months": pa.array([None, None], type=pa.float64()),
        }
        buffer = io.BytesIO()
        pq.write_table(pa.table(columns), buffer)
        return buffer.getvalue()

    stamps = [dt.datetime(2021, 3, 4), dt.datetime(2022, 5, 6)]
    return {
        "parquet_followup_text.parquet": (
            table(pa.array(["48", "about 60"])),
            "3",
            "followup_months",
            'value "about 60": must be a number of months',
        ),
        "parquet_followup_boolean.parquet": (
            table(pa.array([True, False])),
            "2",
            "followup_months",
            'value "true": must be a number of months',
        ),
        "parquet_followup_timestamp.parquet": (
            table(pa.array(stamps, type=pa.timestamp("ms"))),
            "2",
            "followup_months",
            "must be a number of months, not a date",
        ),
        "parquet_failure_fraction.parquet": (
            table(pa.array([12.0, 20.0]), pa.array([0.5, 0.0])),
            "2",
            "failure",
            'value "0.5": must be 0 or 1',
        ),
    }


def write_more_bad(expected: list[list[str]]) -> None:
    for name, (content, *rest) in MORE_BAD_TEXT.items():
        (BAD / name).write_bytes(content.encode("utf-8"))
        expected.append([name, *rest])
    for name, (data, row, column, fragment) in {
        **more_bad_workbooks(),
        **more_bad_parquet(),
    }.items():
        (BAD / name).write_bytes(data)
        expected.append([name, "", row, column, fragment])


def write_bad() -> None:
    BAD.mkdir(exist_ok=True)
    expected = [["file", "patients", "row", "column", "fragment"]]
    for name, (content, *rest) in BAD_TEXT.items():
        (BAD / name).write_bytes(content.encode("utf-8"))
        expected.append([name, *rest])
    for name, (data, *rest) in BAD_BINARY.items():
        (BAD / name).write_bytes(data)
        expected.append([name, *rest])
    for name, (data, row, fragment) in BAD_HOSTILE.items():
        (BAD / name).write_bytes(data)
        expected.append([name, "", row, "", fragment])
    rows: list[list[object]] = [["P01", dt.datetime(2021, 3, 4), 0, None]]
    write_xlsx(BAD / "followup_date.xlsx", BASE.strip().split(","), rows)
    expected.append(
        ["followup_date.xlsx", "", "2", "followup_months", "must be a number of months, not a date"]
    )
    write_more_bad(expected)
    with (BAD / "expected.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(expected)


if __name__ == "__main__":
    write_good()
    write_bad()
