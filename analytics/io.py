"""Reading cohort files (CSV, XLSX, Parquet) and writing safe CSV exports.

The format is sniffed from the content, not trusted from the extension: a ZIP archive is
read as an XLSX workbook, ``PAR1`` as Parquet, anything else as text. Text is decoded as
UTF-8 (with or without BOM; UTF-16 with BOM, as Excel's "Unicode text" export) and falls
back to cp1252/latin-1 only when UTF-8 fails. The separator (comma, semicolon or tab) is
taken from the header line; semicolon- and tab-separated files may use decimal commas
(European Excel writes ``12,5``).

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


def _fail(file: str, rule: str, row: int | None = None) -> CohortValidationError:
    return CohortValidationError([Problem(file, row, None, None, rule)])


def _megabytes(size: int) -> str:
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
        raise _fail(file_name, f"is not valid CSV ({error})", reader.line_num) from None


def _text_rows(data: bytes, file_name: str) -> tuple[Iterator[list[str]], bool, str]:
    text = _decode(data, file_name)
    if _looks_binary(text):
        raise _fail(file_name, "is not a CSV, XLSX or Parquet file (binary content)")
    sep = _separator(text)
    return _csv_rows(text, file_name, sep), sep != ",", sep


def _sheet_rows(sheet: Any, file_name: str, max_rows: int | None) -> list[list[str]]:
    """Cell texts of a worksheet, stopping as soon as the data-row limit is passed."""
    rows: list[list[str]] = []
    filled = 0
    for values in sheet.iter_rows(values_only=True):
        cells = [_cell_text(v) for v in values]
        # Formatted-but-empty rows are common at the end of a sheet: keep their place for
        # row numbering but not their cells.
        rows.append(cells if any(cells) else [])
        filled += bool(rows[-1])
        if max_rows is not None and filled > max_rows + 1:
            raise _too_many_rows(file_name, max_rows)
    return rows


def _xlsx_rows(data: bytes, file_name: str, max_rows: int | None) -> list[list[str]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (data validation, conditional
            # formatting, missing default style); none of them changes cell values.
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                rows = _sheet_rows(workbook.worksheets[0], file_name, max_rows)
            finally:
                workbook.close()
    except CohortValidationError:
        raise
    except Exception as error:  # a malformed archive can raise anything
        rule = (
            f"is a ZIP archive but could not be read as an XLSX workbook ({type(error).__name__})"
        )
        raise _fail(file_name, rule) from None
    return rows


def _parquet_rows(data: bytes, file_name: str, max_rows: int | None) -> list[list[str]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        if max_rows is not None and parquet.metadata.num_rows > max_rows:
            raise _too_many_rows(file_name, max_rows)
        table = parquet.read()
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
    rows: Iterable[list[str]], file_name: str, max_rows: int | None
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """Header row number and cells, and the non-blank data rows with their row numbers."""
    header_row, header = 0, []
    data: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(rows, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if not header_row:
            header_row, header = number, cells
            continue
        data.append((number, cells))
        if max_rows is not None and len(data) > max_rows:
            raise _too_many_rows(file_name, max_rows)
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


def parse_table(data: bytes, file_name: str, max_rows: int | None = None) -> pd.DataFrame:
    """Parse file content into the raw frame (see :func:`read_table`)."""
    sep, decimal_comma = "", False
    if data.startswith(_ZIP_MAGIC):
        rows: Iterable[list[str]] = _xlsx_rows(data, file_name, max_rows)
        decimal_comma = True  # text cells typed as "12,5" in a European-locale workbook
    elif data.startswith(_PARQUET_MAGIC):
        rows = _parquet_rows(data, file_name, max_rows)
    elif data.startswith(_OLE2_MAGIC):
        raise _fail(
            file_name,
            "is a legacy .xls or password-protected workbook: save it as .xlsx or CSV",
        )
    else:
        rows, decimal_comma, sep = _text_rows(data, file_name)
    header_row, header, body = _collect(rows, file_name, max_rows)
    if not header_row:
        raise _fail(file_name, "file is empty")
    if not body:
        raise _fail(file_name, "has a header row but no data rows", header_row)
    frame = _build_frame(file_name, header_row, header, body, sep)
    frame.attrs["decimal_comma"] = decimal_comma
    frame.attrs["header_row"] = header_row
    return frame


def read_table(
    source: Source, file_name: str, *, max_bytes: int | None = None, max_rows: int | None = None
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
    return parse_table(read_bytes(source, file_name, max_bytes), file_name, max_rows)


def _default_name(source: Source, fallback: str) -> str:
    return fallback if isinstance(source, bytes | bytearray | memoryview) else Path(source).name


def _read_raw(
    source: Source, name: str, max_bytes: int | None, max_rows: int | None
) -> tuple[bytes, pd.DataFrame | None, list[Problem]]:
    try:
        data = read_bytes(source, name, max_bytes)
        return data, parse_table(data, name, max_rows), []
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

    Returns
    -------
    analytics.cohort.Cohort
        ``fingerprint`` is the SHA-256 hex digest of the patients bytes followed by the
        relapses bytes.
    """
    from analytics.cohort import Cohort  # lazy: cohort may come to import io

    patients_name = patients_name or _default_name(patients, "patients file")
    patients_bytes, raw_patients, problems = _read_raw(patients, patients_name, max_bytes, max_rows)
    relapses_bytes, raw_relapses = b"", None
    relapse_problems: list[Problem] = []
    if relapses is not None:
        relapses_name = relapses_name or _default_name(relapses, "relapses file")
        relapses_bytes, raw_relapses, relapse_problems = _read_raw(
            relapses, relapses_name, max_bytes, max_rows
        )
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
