"""Reading cohort files (CSV, XLSX, Parquet) and writing safe CSV exports.

The format is sniffed from the content, not trusted from the extension: a ZIP archive is
read as an XLSX workbook, ``PAR1`` as Parquet, anything else as text. Text is decoded as
UTF-8 (with or without BOM; UTF-16 with BOM, as Excel's "Unicode text" export) and falls
back to cp1252/latin-1 only when UTF-8 fails. The separator (comma, semicolon or tab) is
taken from the header line; semicolon- and tab-separated files may use decimal commas
(European Excel writes ``12,5``).

Uploads are hostile until proven otherwise: bytes are parsed in memory and nothing is
written to disk; an XLSX archive is inspected before openpyxl opens it (zip bombs, macros,
encrypted parts, embedded objects, external links are refused); the stated dimensions of
a sheet are ignored; column, cell and decoded-size limits hold for every format.

Every failure on user data is raised as :class:`~analytics.schema.CohortValidationError`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from analytics import schema
from analytics.schema import CohortValidationError, Problem

if TYPE_CHECKING:
    from analytics.cohort import Cohort

Source = str | Path | bytes

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_PARQUET_MAGIC = b"PAR1"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
_SEPARATORS = (",", ";", "\t")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# Upload limits that hold whatever the deployment configures (max_bytes/max_rows come on
# top). A cohort workbook of a few thousand patients unpacks to a few MB; 50 MB of sheet XML
# is ~40,000 rows x 30 columns. A zip bomb is a small file whose parts unpack to gigabytes
# in memory when openpyxl parses them, so the archive directory is checked before openpyxl
# opens anything. The sizes in the directory can be trusted: Python's zipfile stops every
# part at its declared size (and fails its CRC check), whatever the compressed data holds.
MAX_EXPANDED_BYTES = 50_000_000
# Sheet XML deflates about 5-20 times (7-15 measured on openpyxl-written sheets of 20,000+
# rows, formatted empty cells included); a part deflating 100+ times is padding.
MAX_PART_RATIO = 100
_RATIO_CHECKED_FROM = 1_000_000  # small parts may have any ratio and cost nothing
MAX_PARTS = 1_000  # an Excel workbook has 10-100 parts; a million tiny parts is a bomb too
MAX_COLUMNS = 200  # the contract has 11 columns; 200 leaves room for any sane extras
# rows x columns held in memory (each cell is a Python object several times per copy):
# 10 million is 100,000 patients x 100 columns, far beyond any NMOSD cohort.
MAX_CELLS = 10_000_000
_ENCRYPTED = "is password-protected or legacy .xls: save as .xlsx or CSV"
_TOO_BIG = "a zip bomb, or a workbook far too large: save the sheet as CSV"


def _fail(file: str, rule: str, row: int | None = None) -> CohortValidationError:
    return CohortValidationError([Problem(file, row, None, None, rule)])


def _megabytes(size: int) -> str:
    if size >= 1_000_000_000:
        return f"{size / 1_000_000_000:.1f} GB"
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def read_bytes(source: Source, file_name: str, max_bytes: int | None = None) -> bytes:
    """The file's bytes, refusing files over ``max_bytes`` before reading them."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        size = len(data)
    else:
        try:
            size = Path(source).stat().st_size
            data = b"" if max_bytes is not None and size > max_bytes else Path(source).read_bytes()
        except OSError as error:
            raise _fail(file_name, f"could not be read ({error.strerror or error})") from None
    if max_bytes is not None and size > max_bytes:
        rule = f"file is {_megabytes(size)}, larger than the limit of {_megabytes(max_bytes)}"
        raise _fail(file_name, rule)
    return data


def _cell_text(value: Any) -> str:
    """One spreadsheet/Parquet cell as the text a clinician would see, stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        # 7.0 from a numeric Excel cell or a nullable Parquet column is the code/count 7.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip()
    return str(value).strip()


def _decode(data: bytes, file_name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _fail(file_name, "could not be decoded as UTF-16 text") from None
    if b"\x00" in data:
        raise _fail(file_name, "is not a CSV, XLSX or Parquet file (binary content)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte.
        return data.decode("latin-1")


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    return controls > max(2, len(sample) // 100)


def _separator(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_rows(text: str, file_name: str, sep: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        yield from reader
    except csv.Error as error:
        reason = str(error)
        if "field limit" in reason:
            # csv's own bound (131,072 characters); in a cohort file only a quote that is
            # never closed swallows that much of the file into one cell.
            reason = (
                f"a cell longer than {csv.field_size_limit():,} characters: a quote not closed?"
            )
        raise _fail(file_name, f"is not valid CSV ({reason})", reader.line_num) from None


def _text_rows(data: bytes, file_name: str) -> tuple[Iterator[list[str]], bool, str]:
    text = _decode(data, file_name)
    if _looks_binary(text):
        raise _fail(file_name, "is not a CSV, XLSX or Parquet file (binary content)")
    sep = _separator(text)
    return _csv_rows(text, file_name, sep), sep != ",", sep


def _unreadable_workbook(file_name: str, error: Exception) -> CohortValidationError:
    rule = f"is a ZIP archive but could not be read as an XLSX workbook ({type(error).__name__})"
    return _fail(file_name, rule)


def _part_name(name: str) -> str:
    """An archive part's name as shown in a message: escaped and short (it is attacker-chosen)."""
    shown = repr(name)[1:-1]
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _check_expansion(parts: list[zipfile.ZipInfo], file_name: str) -> None:
    if len(parts) > MAX_PARTS:
        rule = f"the workbook has {len(parts):,} parts, more than the {MAX_PARTS:,} allowed"
        raise _fail(file_name, f"{rule} ({_TOO_BIG})")
    total = sum(part.file_size for part in parts)
    if total > MAX_EXPANDED_BYTES:
        rule = (
            f"the workbook expands to {_megabytes(total)}, "
            f"more than the {MAX_EXPANDED_BYTES // 1_000_000} MB allowed"
        )
        raise _fail(file_name, f"{rule} ({_TOO_BIG})")
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_CHECKED_FROM and ratio > MAX_PART_RATIO:
            rule = (
                f"the workbook part {_part_name(part.filename)} expands {ratio:,.0f} times "
                f"(to {_megabytes(part.file_size)}) where spreadsheets expand 5-20 times: "
                "this looks like a zip bomb; save the sheet as CSV"
            )
            raise _fail(file_name, rule)


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """The first megabyte of a small bookkeeping part ([Content_Types].xml, mimetype)."""
    match = next((n for n in archive.namelist() if n.lower() == name.lower()), None)
    if match is None:
        return b""
    with archive.open(match) as part:
        return part.read(1_000_000)


def _not_a_workbook(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    if b"opendocument" in _read_part(archive, "mimetype"):
        return "is an OpenDocument spreadsheet (.ods): save it as .xlsx or CSV"
    if "[content_types].xml" not in names:
        return "is a ZIP archive but not an XLSX workbook (no [Content_Types].xml)"
    if "xl/workbook.bin" in names:
        return "is a binary .xlsb workbook: save it as .xlsx or CSV"
    return None


def _active_content(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """Macros, embedded objects and external links: things a data file has no need of.

    The explorer never runs them (openpyxl reads cell values only); they are refused on
    principle (the deployment issue asks that macro files be), and a linked value is a
    cached copy of another workbook that may be out of date.
    """
    content_types = _read_part(archive, "[Content_Types].xml").lower()
    if any(n.endswith("vbaproject.bin") for n in names) or b"macroenabled" in content_types:
        return "contains macros (VBA); save it as a plain .xlsx or CSV"
    if any(n.startswith(("xl/macrosheets/", "xl/dialogsheets/")) for n in names):
        return "contains macros (Excel 4.0 macro sheets); save it as a plain .xlsx or CSV"
    if any(n.startswith(("xl/embeddings/", "xl/activex/")) for n in names):
        return (
            "contains embedded objects (OLE or ActiveX); copy the cells into a new "
            "workbook, or save it as CSV"
        )
    if any(n.startswith("xl/externallinks/") for n in names):
        return (
            "takes values from other workbooks (external links), which may be out of date; "
            "paste them as values, or save it as CSV"
        )
    return None


def _check_archive(data: bytes, file_name: str) -> None:
    """Refuse bombs, encrypted parts, non-workbooks and active content before openpyxl."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:  # a malformed directory can raise anything
        raise _unreadable_workbook(file_name, error) from None
    with archive:
        parts = archive.infolist()
        if any(part.flag_bits & 0x1 for part in parts):  # the ZIP "encrypted" flag
            raise _fail(file_name, _ENCRYPTED)
        _check_expansion(parts, file_name)
        names = {part.filename.lower() for part in parts}
        try:
            problem = _not_a_workbook(archive, names) or _active_content(archive, names)
        except Exception as error:  # a corrupt bookkeeping part
            raise _unreadable_workbook(file_name, error) from None
    if problem is not None:
        raise _fail(file_name, problem)


def _too_many_columns(
    file_name: str, count: str, max_columns: int, row: int | None
) -> CohortValidationError:
    rule = f"has {count} columns, more than the {max_columns} allowed"
    return _fail(file_name, rule, row)


def _too_many_cells(file_name: str) -> CohortValidationError:
    rule = (
        f"spans more than {MAX_CELLS:,} cells (rows x columns, counting formatted empty ones), "
        "far more than a cohort needs"
    )
    return _fail(file_name, rule)


def _sheet_rows(
    sheet: Any, file_name: str, max_rows: int | None, max_columns: int
) -> list[tuple[int, list[str]]]:
    """Non-blank rows of a worksheet with their row numbers, stopping at any limit.

    The sheet's stated dimensions are ignored: read-only openpyxl pads every row to them,
    so a tiny file claiming A1:XFD1048576 would produce 17 billion empty cells. Without
    them each row is as wide as its last cell, and every padded cell counts against
    :data:`MAX_CELLS`.
    """
    sheet.reset_dimensions()
    rows: list[tuple[int, list[str]]] = []
    scanned = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        scanned += max(len(values), 1)
        if scanned > MAX_CELLS:
            raise _too_many_cells(file_name)
        if len(values) > max_columns:
            tail = values[max_columns:]
            if tail.count(None) + tail.count("") < len(tail):  # C-speed: rows can be 16k wide
                rule = f"has values beyond column {max_columns}, the most columns allowed"
                raise _fail(file_name, rule, number)
            values = values[:max_columns]
        cells = [_cell_text(v) for v in values]
        if any(cells):
            rows.append((number, cells))
        if max_rows is not None and len(rows) > max_rows + 1:  # + 1: the header
            raise _too_many_rows(file_name, max_rows)
    return rows


def _xlsx_rows(
    data: bytes, file_name: str, max_rows: int | None, max_columns: int
) -> list[tuple[int, list[str]]]:
    import openpyxl

    _check_archive(data, file_name)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (data validation, conditional
            # formatting, missing default style); none of them changes cell values.
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                rows = _sheet_rows(workbook.worksheets[0], file_name, max_rows, max_columns)
            finally:
                workbook.close()
    except CohortValidationError:
        raise
    except Exception as error:  # a malformed archive can raise anything
        raise _unreadable_workbook(file_name, error) from None
    return rows


def _check_parquet_shape(
    parquet: Any, file_name: str, max_rows: int | None, max_columns: int
) -> list[str]:
    """Limits from the footer, before any data is read; the names of the text columns."""
    import pyarrow as pa

    meta, schema_arrow = parquet.metadata, parquet.schema_arrow
    if meta.num_columns > max_columns:
        raise _too_many_columns(file_name, f"{meta.num_columns:,}", max_columns, None)
    if max_rows is not None and meta.num_rows > max_rows:
        raise _too_many_rows(file_name, max_rows)
    if meta.num_rows * max(meta.num_columns, 1) > MAX_CELLS:
        raise _too_many_cells(file_name)
    text: list[str] = []
    for field in schema_arrow:
        if pa.types.is_nested(field.type):
            name = _part_name(field.name)
            raise _fail(file_name, f"column {name} holds lists or records, not single values")
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            text.append(field.name)
        elif pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            text.append(field.name)
    return text


def _decoded_bytes(table: Any) -> int:
    """What the table takes once dictionary-encoded text is expanded into Python strings.

    A Parquet dictionary stores a repeated value once: a 1 MB string repeated on 2,000 rows
    is a 1 KB file that decodes to 2 GB. Text columns are therefore read as dictionaries
    and their expanded size summed without expanding them.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    total = 0
    for column in table.columns:
        for chunk in column.chunks:
            if pa.types.is_dictionary(chunk.type):
                lengths = pc.binary_length(chunk.dictionary)
                total += (pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0) + len(chunk) * 8
            else:
                total += chunk.nbytes
    return int(total)


def _parquet_rows(
    data: bytes, file_name: str, max_rows: int | None, max_columns: int
) -> list[list[str]]:
    import pyarrow.parquet as pq

    try:
        text = _check_parquet_shape(
            pq.ParquetFile(io.BytesIO(data)), file_name, max_rows, max_columns
        )
        table = pq.ParquetFile(io.BytesIO(data), read_dictionary=text).read()
        expanded = _decoded_bytes(table)
        if expanded > MAX_EXPANDED_BYTES:
            rule = (
                f"the Parquet data expands to {_megabytes(expanded)}, more than the "
                f"{MAX_EXPANDED_BYTES // 1_000_000} MB allowed (a decompression bomb, "
                "or a file far too large)"
            )
            raise _fail(file_name, rule)
    except CohortValidationError:
        raise
    except Exception as error:  # a corrupt file can raise anything
        rule = f"could not be read as a Parquet file ({type(error).__name__})"
        raise _fail(file_name, rule) from None
    columns = [
        [_cell_text(v) for v in table.column(i).to_pylist()] for i in range(table.num_columns)
    ]
    return [list(table.column_names)] + [list(row) for row in zip(*columns, strict=True)]


def _too_many_rows(file_name: str, max_rows: int) -> CohortValidationError:
    return _fail(file_name, f"has more than {max_rows:,} data rows, the limit")


def _collect(
    numbered: Iterable[tuple[int, list[str]]],
    file_name: str,
    max_rows: int | None,
    max_columns: int,
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """Header row number and cells, and the non-blank data rows with their row numbers."""
    header_row, header = 0, []
    data: list[tuple[int, list[str]]] = []
    for number, row in numbered:
        if len(row) > max_columns and any(c.strip() for c in row[max_columns:]):
            raise _too_many_columns(file_name, f"{len(row):,}", max_columns, number)
        cells = [c.strip() for c in row[:max_columns]]
        if not any(cells):
            continue
        if not header_row:
            header_row, header = number, cells
            continue
        data.append((number, cells))
        if max_rows is not None and len(data) > max_rows:
            raise _too_many_rows(file_name, max_rows)
        if len(data) * len(header) > MAX_CELLS:
            raise _too_many_cells(file_name)
    return header_row, header, data


def _ragged(
    file_name: str, sep: str, width: int, data: list[tuple[int, list[str]]]
) -> list[Problem]:
    problems: list[Problem] = []
    hint = (
        " (a decimal comma? use a decimal point, or semicolons as separators)" if sep == "," else ""
    )
    for number, cells in data:
        if any(cells[width:]):
            rule = f"has {len(cells)} values but the header has {width} columns{hint}"
            problems.append(Problem(file_name, number, None, None, rule))
    return problems


def _build_frame(
    file_name: str, header_row: int, header: list[str], data: list[tuple[int, list[str]]], sep: str
) -> pd.DataFrame:
    width = len(header)
    problems = _ragged(file_name, sep, width, data)
    cells = [(row + [""] * width)[:width] for _, row in data]
    keep: list[int] = []
    for index, name in enumerate(header):
        if name:
            keep.append(index)
        elif any(row[index] for row in cells):
            rule = f"column {index + 1} has values but no header name"
            problems.append(Problem(file_name, header_row, None, None, rule))
    if problems:
        raise CohortValidationError(schema.sort_problems(problems))
    frame = pd.DataFrame(
        [[row[i] for i in keep] for row in cells],
        columns=[header[i] for i in keep],
        index=pd.Index([number for number, _ in data], dtype="int64"),
        dtype=object,
    )
    return frame


def parse_table(
    data: bytes, file_name: str, max_rows: int | None = None, max_columns: int = MAX_COLUMNS
) -> pd.DataFrame:
    """Parse file content into the raw frame (see :func:`read_table`)."""
    sep, decimal_comma = "", False
    numbered: Iterable[tuple[int, list[str]]]
    if data.startswith(_ZIP_MAGIC):
        numbered = _xlsx_rows(data, file_name, max_rows, max_columns)
        decimal_comma = True  # text cells typed as "12,5" in a European-locale workbook
    elif data.startswith(_PARQUET_MAGIC):
        numbered = enumerate(_parquet_rows(data, file_name, max_rows, max_columns), start=1)
    elif data.startswith(_OLE2_MAGIC):
        # Excel saves an encrypted .xlsx inside an OLE2 compound file, like a legacy .xls.
        raise _fail(file_name, _ENCRYPTED)
    else:
        rows, decimal_comma, sep = _text_rows(data, file_name)
        numbered = enumerate(rows, start=1)
    header_row, header, body = _collect(numbered, file_name, max_rows, max_columns)
    if not header_row:
        raise _fail(file_name, "file is empty")
    if not body:
        raise _fail(file_name, "has a header row but no data rows", header_row)
    frame = _build_frame(file_name, header_row, header, body, sep)
    frame.attrs["decimal_comma"] = decimal_comma
    frame.attrs["header_row"] = header_row
    return frame


def read_table(
    source: Source,
    file_name: str,
    *,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    max_columns: int = MAX_COLUMNS,
) -> pd.DataFrame:
    """Read a CSV, XLSX (first sheet) or Parquet file into an all-string frame.

    Parameters
    ----------
    source : str, pathlib.Path or bytes
        A path, or the bytes of an upload.
    file_name : str
        Name used in problem messages.
    max_bytes, max_rows : int, optional
        Limits; exceeding one is a problem (checked before parsing where the format allows).
    max_columns : int
        Columns allowed (default :data:`MAX_COLUMNS`). Whatever the limits, an XLSX that
        expands beyond :data:`MAX_EXPANDED_BYTES` (a zip bomb), holds macros, embedded
        objects or external links, or a file of more than :data:`MAX_CELLS` cells is
        refused. Nothing is written to disk: bytes are parsed in memory.

    Returns
    -------
    pandas.DataFrame
        Every column dtype object holding stripped ``str`` ("" = empty cell), header names
        as written (stripped). The index is the spreadsheet row number of each data row
        (blank rows skipped but counted). ``attrs["decimal_comma"]`` says whether ``12,5``
        means 12.5 in this file; ``attrs["header_row"]`` is the header's row (1 unless
        blank rows precede it).

    Raises
    ------
    CohortValidationError
        Unreadable, empty, header-only, ragged or over-limit files.
    """
    data = read_bytes(source, file_name, max_bytes)
    return parse_table(data, file_name, max_rows, max_columns)


def _default_name(source: Source, fallback: str) -> str:
    return fallback if isinstance(source, bytes | bytearray | memoryview) else Path(source).name


def _read_raw(
    source: Source, name: str, max_bytes: int | None, max_rows: int | None, max_columns: int
) -> tuple[bytes, pd.DataFrame | None, list[Problem]]:
    try:
        data = read_bytes(source, name, max_bytes)
        return data, parse_table(data, name, max_rows, max_columns), []
    except CohortValidationError as error:
        return b"", None, error.problems


def load_cohort(
    patients: Source,
    relapses: Source | None = None,
    *,
    patients_name: str | None = None,
    relapses_name: str | None = None,
    label: str | None = None,
    synthetic: bool = False,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    max_columns: int = MAX_COLUMNS,
) -> Cohort:
    """Read and validate a patients file (and optional relapses file) into a :class:`Cohort`.

    Both files are read and checked before anything is returned, so the caller either
    gets a complete cohort or one :class:`CohortValidationError` listing every problem
    in both files (the previously loaded cohort stays in place).

    Parameters
    ----------
    patients, relapses : str, pathlib.Path or bytes
        Paths or uploaded bytes.
    patients_name, relapses_name : str, optional
        Names for messages; default to the file name (or "patients file" for bytes).
    label : str, optional
        Display label; defaults to the patients file name.
    synthetic : bool
        Marks the demo cohort.
    max_bytes, max_rows : int, optional
        Per-file size and data-row limits.
    max_columns : int
        Per-file column limit (see :func:`read_table` for the limits that always hold).

    Returns
    -------
    analytics.cohort.Cohort
        ``fingerprint`` is the SHA-256 hex digest of the patients bytes followed by the
        relapses bytes.
    """
    from analytics.cohort import Cohort  # lazy: cohort may come to import io

    patients_name = patients_name or _default_name(patients, "patients file")
    limits = (max_bytes, max_rows, max_columns)
    patients_bytes, raw_patients, problems = _read_raw(patients, patients_name, *limits)
    relapses_bytes, raw_relapses = b"", None
    relapse_problems: list[Problem] = []
    if relapses is not None:
        relapses_name = relapses_name or _default_name(relapses, "relapses file")
        relapses_bytes, raw_relapses, relapse_problems = _read_raw(relapses, relapses_name, *limits)
    if raw_patients is None or (relapses is not None and raw_relapses is None):
        raise CohortValidationError(problems + relapse_problems)
    clean, problems = schema.check_patients(
        raw_patients, patients_name, has_relapses=relapses is not None
    )
    clean_relapses = None
    if raw_relapses is not None and relapses_name is not None:
        clean_relapses, relapse_problems = schema.check_relapses(
            raw_relapses, relapses_name, clean, patients_name
        )
        if not relapse_problems:
            rows = schema.spreadsheet_rows(raw_patients)
            problems = schema.sort_problems(
                problems
                + schema.outcome_agreement(
                    clean, clean_relapses, patients_name, relapses_name, rows
                )
            )
    if problems or relapse_problems:
        raise CohortValidationError(problems + relapse_problems)
    digest = hashlib.sha256(patients_bytes + relapses_bytes).hexdigest()
    return Cohort(
        patients=clean,
        relapses=clean_relapses,
        label=label or patients_name,
        synthetic=synthetic,
        fingerprint=digest,
    )


def neutralise_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Text starting with ``= + - @``, tab or carriage return is neutralised (OWASP "CSV
    injection"); plain numbers, including negative ones written as text, are left as is
    because a bare number cannot be a formula.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def write_csv(
    frame: pd.DataFrame, path_or_buffer: str | Path | IO[str] | None = None
) -> str | None:
    """Export a frame as UTF-8 CSV (CRLF line ends) with formula-like text neutralised.

    Numeric columns are written untouched; text cells and header names go through
    :func:`neutralise_cell`. With ``path_or_buffer=None`` the CSV text is returned.
    """
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].astype(object).map(neutralise_cell)
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    # CRLF as RFC 4180 says; it also makes the csv writer quote cells holding a bare "\r",
    # which "\n" as terminator would leave unquoted and so split the row in Excel.
    return safe.to_csv(path_or_buffer, index=False, lineterminator="\r\n")
