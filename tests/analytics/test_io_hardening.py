"""Hostile uploads: zip bombs, macros, encrypted and disguised files, absurd shapes.

The hostile files under tests/data/bad are listed in bad/expected.csv (so test_io and the
CLI test cover them too); the cases here need in-memory variations, timing or monkeypatching.
Workbooks are built part by part with the helpers of tests/data/make_fixtures.py.
"""

from __future__ import annotations

import importlib.util
import io
import os
import struct
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.data import io as cohort_io
from analytics.data.io import load_cohort, read_table
from analytics.data.schema import CohortValidationError

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD, BAD = DATA / "good", DATA / "bad"
BASE = "patient_id,followup_months,failure,failure_months\n"
HEADER = BASE.strip().split(",")


def _fixtures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fixtures = _fixtures()


def good_workbook(**sheet_options: object) -> bytes:
    """One valid patient in a minimal workbook; options go to make_fixtures.sheet_xml."""
    return fixtures.xlsx_bytes(
        fixtures.sheet_xml([HEADER, ["P01", "12", "0", ""]], **sheet_options)
    )


def rejects(data: bytes, fragment: str, name: str = "upload.xlsx") -> CohortValidationError:
    """Load ``data`` expecting one file-level problem containing ``fragment``."""
    with pytest.raises(CohortValidationError, match=fragment) as raised:
        load_cohort(data, patients_name=name)
    assert all(problem.file == name for problem in raised.value.problems)
    return raised.value


# ---- zip bombs --------------------------------------------------------------------------


def test_zip_bomb_is_refused_from_the_directory_before_openpyxl_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import openpyxl

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    data = (BAD / "zip_bomb.xlsx").read_bytes()
    assert len(data) < 200_000  # small on disk ...
    # CPU time, not wall time: a blow-up costs CPU whatever else runs; a CI machine
    # shared with other builds stretches wall time alone (failed there on correct code).
    started = time.process_time()
    error = rejects(data, r"expands to 60\.0 MB, more than the 50 MB allowed \(a zip bomb")
    assert time.process_time() - started < 1.0  # ... and refused without inflating it
    assert str(error.problems[0]).startswith("upload.xlsx: the workbook expands to")


def _overlapping_bomb(copies: int) -> bytes:
    """One 20 MB part listed ``copies`` times in the directory (Fifield's non-recursive bomb)."""
    data = fixtures.xlsx_bytes(fixtures.sheet_xml([HEADER], padding=20_000_000))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        start = archive.start_dir  # type: ignore[attr-defined]
    end = data.index(b"PK\x05\x06")
    central = data[start:end]
    record_at = central.index(b"xl/worksheets/sheet1.xml") - 46
    length = 46 + len(sheet.filename) + len(sheet.extra) + len(sheet.comment)
    record = central[record_at : record_at + length]
    extra = b"".join(
        record[:28]
        + struct.pack("<H", len(f"xl/worksheets/copy{i:04d}.xml"))
        + record[30:46]
        + f"xl/worksheets/copy{i:04d}.xml".encode()
        + record[46 + len(sheet.filename) :]
        for i in range(copies)
    )
    central += extra
    count = len(zipfile.ZipFile(io.BytesIO(data)).infolist()) + copies
    eocd = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(central), start, 0)
    return data[:start] + central + eocd


def test_overlapping_parts_bomb_reports_gigabytes() -> None:
    data = _overlapping_bomb(110)
    assert len(data) < 100_000
    rejects(data, r"the workbook expands to 2\.2 GB, more than the 50 MB allowed")


def test_a_part_that_deflates_a_thousand_times_is_refused() -> None:
    data = (BAD / "dense_padding.xlsx").read_bytes()
    rejects(data, r"part xl/worksheets/sheet1\.xml expands [\d,]+ times \(to 20\.0 MB\)")


def test_too_many_parts_is_refused() -> None:
    parts = {f"xl/media/image{i}.png": b"" for i in range(1_001)}
    data = fixtures.xlsx_bytes(fixtures.GOOD_SHEET, parts)
    rejects(data, r"has 1,006 parts, more than the 1,000 allowed")


def test_part_names_in_messages_are_escaped_and_short() -> None:
    name = "xl/\n" + "x" * 500 + ".xml"
    data = fixtures.zip_bytes({"[Content_Types].xml": b"<Types/>", name: b" " * 2_000_000})
    error = rejects(data, "this looks like a zip bomb")
    rule = error.problems[0].rule
    assert "\n" not in rule
    assert "x" * 100 not in rule


def test_a_normal_large_workbook_passes_the_bomb_checks() -> None:
    rows = [HEADER] + [[f"P{i:05d}", "12", "0", ""] for i in range(8_000)]
    data = fixtures.xlsx_bytes(fixtures.sheet_xml(rows))
    assert len(load_cohort(data).patients) == 8_000


@pytest.mark.parametrize("where", ["sheet", "workbook"])
def test_xml_entity_expansion_is_refused_quickly(where: str) -> None:
    """'Billion laughs': expat and lxml both refuse it; the user gets one clear problem."""
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    doctype = f'<?xml version="1.0"?><!DOCTYPE x [{entities}]>'
    data = good_workbook()
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    if where == "sheet":
        parts["xl/worksheets/sheet1.xml"] = (
            doctype + f'<worksheet xmlns="{fixtures._MAIN}"><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>'
        ).encode()
    else:
        parts["xl/workbook.xml"] = (
            parts["xl/workbook.xml"]
            .replace(b"<workbook", doctype.encode() + b"<workbook", 1)
            .replace(b'name="Sheet1"', b'name="&a9;"')
        )
    started = time.process_time()
    rejects(fixtures.zip_bytes(parts), "could not be read as an XLSX workbook")
    assert time.process_time() - started < 5.0


# ---- sheet shapes that would blow up read-only openpyxl ----------------------------------


def test_stated_dimensions_are_ignored() -> None:
    """A sheet claiming A1:XFD1048576 would be padded to 17 billion cells by openpyxl."""
    data = good_workbook(
        dimension="A1:XFD1048576",
        extra_cells='<row r="1048576"><c r="XFD1048576" s="0"/></row>',
    )
    started = time.process_time()
    cohort = load_cohort(data)
    assert time.process_time() - started < 5.0
    assert cohort.patients["patient_id"].tolist() == ["P01"]


def test_formatted_empty_cells_far_right_count_against_the_cell_budget() -> None:
    far = "".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>' for r in range(3, 2_000))
    started = time.process_time()
    rejects(good_workbook(extra_cells=far), r"spans more than 10,000,000 cells")
    assert time.process_time() - started < 10.0


def test_a_few_formatted_empty_cells_far_right_are_harmless() -> None:
    far = "".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>' for r in range(3, 50))
    assert len(load_cohort(good_workbook(extra_cells=far)).patients) == 1


def test_max_columns_is_a_parameter() -> None:
    with pytest.raises(CohortValidationError, match="has 4 columns, more than the 3 allowed"):
        read_table(BASE.encode() + b"P01,12,0,\n", "t.csv", max_columns=3)
    assert read_table(BASE.encode() + b"P01,12,0,\n", "t.csv", max_columns=4).shape == (1, 4)


def test_a_data_row_with_thousands_of_values_is_refused_by_row() -> None:
    data = BASE.encode() + b"P01,12,0,\nP02," + b"1," * 100_000 + b"\n"
    with pytest.raises(CohortValidationError, match=r"t.csv, row 3: has 100,002 columns"):
        read_table(data, "t.csv")


def test_trailing_empty_cells_beyond_the_limit_are_fine() -> None:
    data = BASE.encode() + b"P01,12,0," + b"," * 1_000 + b"\n"
    assert read_table(data, "t.csv").shape == (1, 4)


def test_cell_budget_applies_to_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cohort_io, "MAX_CELLS", 100)
    data = BASE.encode() + b"P01,12,0,\n" * 30
    with pytest.raises(CohortValidationError, match=r"spans more than 100 cells"):
        read_table(data, "t.csv")


# ---- CSV edge cases -----------------------------------------------------------------------


def test_unclosed_quote_swallowing_the_file_is_named() -> None:
    data = BASE.encode() + b'P01,"12,0,\n' + b"P02,12,0,\n" * 20_000
    with pytest.raises(
        CohortValidationError,
        match=r"is not valid CSV \(a cell longer than 131,072 characters: a quote not closed\?\)",
    ):
        load_cohort(data)


@pytest.mark.parametrize(
    "cell",
    [b'"' * 1_000_001, b'"' + b'""' * 200_000 + b'"', b'"a""' * 30_000 + b'"'],
    ids=["odd quotes", "escaped quotes", "nested-looking quotes"],
)
def test_deep_quoting_gives_a_problem_or_a_value_quickly(cell: bytes) -> None:
    started = time.process_time()
    try:
        load_cohort(BASE.encode() + b"P01," + cell + b",0,\n")
    except CohortValidationError as error:
        # The property is "a problem or a value", so the assertions sit in the except.
        assert error.problems  # noqa: PT017
        assert all(len(str(problem)) < 300 for problem in error.problems)  # noqa: PT017
    assert time.process_time() - started < 5.0


# ---- Parquet -------------------------------------------------------------------------------


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def test_parquet_dictionary_bomb_is_refused_before_decoding() -> None:
    """A 1 MB string on 2,000 rows is stored once: a ~1 KB file that decodes to 2 GB."""
    note = pa.DictionaryArray.from_arrays(
        pa.array([0] * 2_000, pa.int32()), pa.array(["x" * 1_000_000])
    )
    table = pa.table(
        {
            "patient_id": pa.array([f"P{i}" for i in range(2_000)]),
            "followup_months": pa.array([12.0] * 2_000),
            "note": note,
        }
    )
    data = _parquet(table)
    assert len(data) < 100_000
    rejects(data, r"the Parquet data expands to 2\.0 GB, more than the 50 MB allowed", "c.parquet")


def test_parquet_column_and_nesting_limits() -> None:
    wide = pa.table({f"c{i}": pa.array([1.0]) for i in range(250)})
    rejects(_parquet(wide), "has 250 columns, more than the 200 allowed", "w.parquet")
    nested = pa.table({"patient_id": pa.array(["P1"]), "visits": pa.array([[1, 2]])})
    rejects(_parquet(nested), "column visits holds lists or records", "n.parquet")


# ---- content sniffed, never the extension -----------------------------------------------


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("patients.csv", "patients.xlsx"),
        ("patients.xlsx", "patients.csv"),
        ("patients.parquet", "patients.xlsx"),
        ("patients_semicolon_cp1252.csv", "patients.parquet"),
    ],
)
def test_misnamed_good_files_load_by_content(source: str, name: str) -> None:
    expected = load_cohort(GOOD / source).patients
    cohort = load_cohort((GOOD / source).read_bytes(), patients_name=name)
    assert cohort.label == name
    assert cohort.patients.equals(expected)


@pytest.mark.parametrize("name", ["report.csv", "report.xlsx", "report.xlsm", "report"])
def test_macro_workbooks_are_refused_whatever_the_name(name: str) -> None:
    rejects((BAD / "vba_project.xlsx").read_bytes(), r"contains macros \(VBA\)", name)
    rejects((BAD / "macro_enabled_named.csv").read_bytes(), r"contains macros \(VBA\)", name)


def test_png_named_csv_is_refused() -> None:
    rejects((BAD / "png_named.csv").read_bytes(), "is not a CSV, XLSX or Parquet file", "x.csv")


def test_encrypted_workbooks_say_how_to_fix_them() -> None:
    for name in ("password_protected.xlsx", "zip_encrypted_part.xlsx", "legacy.xls"):
        rejects(
            (BAD / name).read_bytes(), "password-protected or legacy .xls: save as .xlsx or CSV"
        )


# ---- nothing is written to disk ------------------------------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_WRITE_EVENTS = {"os.mkdir", "os.rename", "os.remove", "os.truncate", "shutil.copyfile"}
_guard: dict[str, list[str] | None] = {"writes": None}


def _deny_writes(event: str, args: tuple[object, ...]) -> None:
    """Audit hook: while armed, record and refuse any file opened for writing.

    Audit hooks see every open (builtins.open, io.FileIO, os.open, tempfile) whatever the
    library; a hook cannot be removed, so it stays installed but disarmed between tests.
    """
    writes = _guard["writes"]
    if writes is None:
        return
    if event == "open":
        path, mode, flags = args
        by_mode = isinstance(mode, str) and any(letter in mode for letter in "wax+")
        if by_mode or (isinstance(flags, int) and flags & _WRITE_FLAGS):
            writes.append(f"open({path!r}, {mode!r})")
            raise PermissionError("a write during reading")
    elif event in _WRITE_EVENTS or event.startswith("tempfile."):
        writes.append(f"{event}{args!r}")
        raise PermissionError("a write during reading")


@pytest.fixture
def no_writes() -> Iterator[Callable[[], list[str]]]:
    """Arm the write-refusing audit hook for one test; yields the list of attempts."""
    if not getattr(sys, "_cohort_io_hook", False):
        sys.addaudithook(_deny_writes)
        sys._cohort_io_hook = True  # type: ignore[attr-defined]
    import openpyxl  # noqa: F401 - imported before arming: imports may write .pyc files
    import pyarrow.parquet  # noqa: F401

    writes: list[str] = []
    _guard["writes"] = writes
    try:
        yield lambda: writes
    finally:
        _guard["writes"] = None


def test_audit_hook_catches_writes(tmp_path: Path, no_writes: Callable[[], list[str]]) -> None:
    import tempfile

    with pytest.raises(PermissionError):
        (tmp_path / "x.txt").write_text("x")
    with pytest.raises(PermissionError):
        tempfile.TemporaryFile()
    attempts = no_writes()
    assert "x.txt" in attempts[0]
    assert len(attempts) >= 2  # TemporaryFile retries without O_TMPFILE


@pytest.mark.parametrize(
    "name", ["patients.csv", "patients.xlsx", "patients.parquet", "patients_tab.tsv"]
)
def test_reading_uploaded_bytes_writes_nothing(
    name: str, no_writes: Callable[[], list[str]]
) -> None:
    data = (GOOD / name).read_bytes()
    relapses = (GOOD / "relapses.csv").read_bytes()
    cohort = load_cohort(data, relapses, patients_name=name, relapses_name="relapses.csv")
    assert len(cohort.patients) == 6
    for hostile in ("zip_bomb.xlsx", "vba_project.xlsx", "too_many_columns.csv"):
        with pytest.raises(CohortValidationError):
            load_cohort((BAD / hostile).read_bytes())
    assert no_writes() == []


# ---- properties ---------------------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_corrupted_workbooks_never_raise_anything_else(data: st.DataObject) -> None:
    workbook = bytearray((GOOD / "patients.xlsx").read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(workbook) - 1))
        workbook[position] = data.draw(st.integers(0, 255))
    try:
        load_cohort(bytes(workbook))
    except CohortValidationError as error:
        assert error.problems  # noqa: PT017 - the property is "only this exception, never empty"


_PART_NAMES = st.sampled_from(
    [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
        "xl/vbaProject.bin",
        "mimetype",
        "xl/workbook.bin",
        "xl/externalLinks/externalLink1.xml",
        "docProps/app.xml",
    ]
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_PART_NAMES, st.binary(max_size=200), max_size=6))
def test_arbitrary_small_archives_never_raise_anything_else(parts: dict[str, bytes]) -> None:
    try:
        load_cohort(fixtures.zip_bytes(parts))
    except CohortValidationError as error:
        assert error.problems  # noqa: PT017 - the property is "only this exception, never empty"
