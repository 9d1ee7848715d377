"""Reading cohort files (CSV, XLSX, Parquet) and writing safe CSV exports.

The format is sniffed from the content, not trusted from the extension: a ZIP archive is
read as an XLSX workbook, ``PAR1`` as Parquet, anything else as text (read by
:mod:`analytics.data.csv_text`). Text is decoded as UTF-8 (with or without BOM; UTF-16 with
BOM, as Excel's "Unicode text" export) and falls back to cp1252/latin-1 only when UTF-8
fails. The separator (comma, semicolon or tab) is taken from the header line; semicolon- and
tab-separated files may use decimal commas (European Excel writes ``12,5``).

Uploads are hostile until proven otherwise: bytes are parsed in memory and nothing is
written to disk; an XLSX archive is inspected before openpyxl opens it (zip bombs, macros,
encrypted parts, embedded objects, external links are refused); the stated dimensions of
a sheet are ignored; column, cell and decoded-size limits hold for every format.

Every failure on user data is raised as :class:`~analytics.data.schema.CohortValidationError`.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from analytics.data import schema
from analytics.data.csv_text import is_comment, text_rows
from analytics.data.mapping import MappingChoice, apply_choice, derived_columns
from analytics.data.schema import CohortValidationError, Problem
from analytics.data.xlsx_parquet import (
    ENCRYPTED,
    MAX_CELLS,
    MAX_COLUMNS,
    ROW_LIMIT_RULE,
    fail,
    megabytes,
    parquet_rows,
    too_many_cells,
    too_many_columns,
    too_many_rows,
    xlsx_rows,
)
from i18n.language import N_, Message

if TYPE_CHECKING:
    from analytics.data.cohort import Cohort, Filters

Source = str | Path | bytes

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_PARQUET_MAGIC = b"PAR1"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def read_bytes(source: Source, file_name: str, max_bytes: int | None = None) -> bytes:
    """The file's bytes, refusing files over ``max_bytes`` before reading them."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        size = len(data)
    else:
        try:
            status = Path(source).stat()
            if not stat.S_ISREG(status.st_mode):
                # A FIFO would hang the read, /dev/zero would never end it.
                raise fail(file_name, "is not a regular file (a folder, pipe or device)")
            size = status.st_size
            data = b"" if max_bytes is not None and size > max_bytes else Path(source).read_bytes()
        except OSError as error:
            why = Message("could not be read ({reason})", reason=str(error.strerror or error))
            raise fail(file_name, why) from None
    if max_bytes is not None and size > max_bytes:
        rule = Message(
            "file is {size}, larger than the limit of {maximum}",
            size=megabytes(size),
            maximum=megabytes(max_bytes),
        )
        raise fail(file_name, rule)
    return data


class _Collected(NamedTuple):
    """A table as read, column by column: header, data-row numbers, cells of each header column."""

    header_row: int
    header: list[str]
    rows: list[int]
    columns: list[list[str]]
    longer_rows: list[tuple[int, int]]  # (row, cells) of rows with values beyond the header


def _collect(
    numbered: Iterable[tuple[int, list[str]]],
    file_name: str,
    max_rows: int | None,
    max_columns: int,
) -> _Collected:
    """Header row number and cells, and the non-blank data rows with their row numbers.

    Cells go straight into one list per column, each distinct text stored once: a list per
    row costs more than the file itself at 10^5 rows, and most columns repeat a few hundred
    texts ("0", "F", "12.5"), so this keeps the peak memory of a load near the file's size.
    """
    header_row, header = 0, []
    rows: list[int] = []
    columns: list[list[str]] = []
    longer_rows: list[tuple[int, int]] = []
    texts: dict[str, str] = {}
    for number, row in numbered:
        if len(row) > max_columns and any(c.strip() for c in row[max_columns:]):
            raise too_many_columns(file_name, f"{len(row):,}", max_columns, number)
        cells = [c.strip() for c in row[:max_columns]]
        # Blank rows, and notes above the header (an export's "# filters: ..."), are skipped.
        if not any(cells) or (not header_row and is_comment(cells[0])):
            continue
        if not header_row:
            header_row, header = number, cells
            columns = [[] for _ in header]
            continue
        rows.append(number)
        if max_rows is not None and len(rows) > max_rows:
            raise too_many_rows(file_name, max_rows)
        if len(rows) * len(header) > MAX_CELLS:
            raise too_many_cells(file_name, MAX_CELLS)
        if any(cells[len(header) :]):
            longer_rows.append((number, len(cells)))
        for column, text in zip(columns, cells, strict=False):
            column.append(texts.setdefault(text, text))
        for column in columns[len(cells) :]:
            column.append("")
    return _Collected(header_row, header, rows, columns, longer_rows)


def _build_frame(file_name: str, table: _Collected, sep: str) -> pd.DataFrame:
    width = len(table.header)
    template = (
        N_(
            "has {count} values but the header has {width} columns (a decimal comma? use a "
            "decimal point, or semicolons as separators)"
        )
        if sep == ","
        else N_("has {count} values but the header has {width} columns")
    )
    problems = [
        Problem(file_name, number, None, None, Message(template, count=count, width=width))
        for number, count in table.longer_rows
    ]
    keep: list[int] = []
    for index, name in enumerate(table.header):
        if name:
            keep.append(index)
        elif any(table.columns[index]):
            rule = Message("column {number} has values but no header name", number=index + 1)
            problems.append(Problem(file_name, table.header_row, None, None, rule))
    if problems:
        raise CohortValidationError(schema.sort_problems(problems))
    # One object block laid out as pandas stores it (a row per column), filled column by
    # column with each list freed once copied, so the cells are never held twice over.
    block = np.empty((len(keep), len(table.rows)), dtype=object)
    for position, index in enumerate(keep):
        block[position] = table.columns[index]
        table.columns[index] = []
    return pd.DataFrame(
        block.T,
        columns=[table.header[i] for i in keep],
        index=pd.Index(table.rows, dtype="int64"),
        dtype=object,
        copy=False,
    )


def parse_table(
    data: bytes, file_name: str, max_rows: int | None = None, max_columns: int = MAX_COLUMNS
) -> pd.DataFrame:
    """Parse file content into the raw frame (see :func:`read_table`)."""
    sep, decimal_comma, sheet_note = "", False, ""
    numbered: Iterable[tuple[int, list[str]]]
    if data.startswith(_ZIP_MAGIC):
        numbered, sheet_note = xlsx_rows(data, file_name, max_rows, max_columns)
        decimal_comma = True  # text cells typed as "12,5" in a European-locale workbook
    elif data.startswith(_PARQUET_MAGIC):
        numbered = enumerate(parquet_rows(data, file_name, max_rows, max_columns), start=1)
    elif data.startswith(_OLE2_MAGIC):
        # Excel saves an encrypted .xlsx inside an OLE2 compound file, like a legacy .xls.
        raise fail(file_name, ENCRYPTED)
    else:
        rows, decimal_comma, sep = text_rows(data, file_name)
        numbered = enumerate(rows, start=1)
    table = _collect(numbered, file_name, max_rows, max_columns)
    if not table.header_row:
        empty = Message("file is empty ({note})", note=sheet_note) if sheet_note else None
        raise fail(file_name, empty or Message("file is empty"))
    if not table.rows:
        no_rows = (
            Message("has a header row but no data rows ({note})", note=sheet_note)
            if sheet_note
            else Message("has a header row but no data rows")
        )
        raise fail(file_name, no_rows, table.header_row)
    frame = _build_frame(file_name, table, sep)
    frame.attrs["decimal_comma"] = decimal_comma
    frame.attrs["header_row"] = table.header_row
    frame.attrs["sheet_note"] = sheet_note
    return frame


def read_table(
    source: Source,
    file_name: str,
    *,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    max_columns: int = MAX_COLUMNS,
) -> pd.DataFrame:
    """Read a CSV, XLSX (first sheet only) or Parquet file into an all-string frame.

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
        blank rows precede it); ``attrs["sheet_note"]`` names a workbook's sheets when it
        has several (only the first is read), else "".

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


class _EventsRead(NamedTuple):
    """An optional per-patient events file as read: its bytes, raw frame (None if unreadable)."""

    name: str
    data: bytes
    raw: pd.DataFrame | None
    problems: list[Problem]


def _read_events(
    source: Source | None,
    name: str | None,
    fallback: str,
    limits: tuple[int | None, int | None, int],
) -> _EventsRead | None:
    if source is None:
        return None
    name = name or _default_name(source, fallback)
    return _EventsRead(name, *_read_raw(source, name, *limits))


def _check_events(
    read: _EventsRead | None, spec: schema.EventsFile, patients: pd.DataFrame, patients_name: str
) -> tuple[pd.DataFrame | None, list[Problem]]:
    if read is None or read.raw is None:
        return None, []
    return schema.check_events(read.raw, read.name, patients, patients_name, spec)


class RowLimits(NamedTuple):
    """Most data rows accepted per file (None: no limit): a registry's relapses file has
    several rows per patient, so one limit for every file either refuses it or lets a
    patients file grow far beyond what a worker should hold."""

    patients: int | None = None
    relapses: int | None = None
    infusions: int | None = None


def _naming_the_file_limit(problems: list[Problem], kind: str) -> list[Problem]:
    """The row-limit problem of a file with a limit of its own says which file's limit it is
    (a relapses file's limit is not a patients file's)."""
    named = []
    for problem in problems:
        rule = problem.rule
        if isinstance(rule, Message) and rule.msgid == ROW_LIMIT_RULE:
            maximum = rule.params["maximum"]
            if kind == "patients":
                rule = Message(
                    "has more than {maximum} data rows, the limit for a patients file",
                    maximum=maximum,
                )
            elif kind == "relapses":
                rule = Message(
                    "has more than {maximum} data rows, the limit for a relapses file",
                    maximum=maximum,
                )
            else:
                rule = Message(
                    "has more than {maximum} data rows, the limit for an infusions file",
                    maximum=maximum,
                )
            problem = replace(problem, rule=rule)
        named.append(problem)
    return named


def row_limits(max_rows: int | RowLimits | None) -> RowLimits:
    """``max_rows`` as per-file limits: one number applies to every file."""
    if isinstance(max_rows, RowLimits):
        return max_rows
    return RowLimits(max_rows, max_rows, max_rows)


def cohort_fingerprint(
    patients: bytes, relapses: bytes = b"", infusions: bytes | None = None
) -> str:
    """SHA-256 hex digest of the cohort's files: patients then relapses bytes, then infusions.

    Without an infusions file this is the digest of the patients bytes followed by the
    relapses bytes, as before that file existed (fingerprints of saved exports still
    match). The infusions bytes follow a separator that carries both lengths, so one file
    given as the relapses file or as the infusions file makes two fingerprints.
    """
    # Two updates hash the same bytes as patients + relapses, without a copy of both files.
    digest = hashlib.sha256(patients)
    digest.update(relapses)
    if infusions is not None:
        lengths = len(patients).to_bytes(8, "big") + len(relapses).to_bytes(8, "big")
        digest.update(b"\0infusions\0" + lengths + infusions)
    return digest.hexdigest()


def _with_mapping(fingerprint: str, mapping: MappingChoice | None) -> str:
    """The files' fingerprint, made another cohort's by a mapping (caches key on it)."""
    if mapping is None:
        return fingerprint
    return hashlib.sha256(f"{fingerprint}|{mapping.to_json()}".encode()).hexdigest()


def load_cohort(
    patients: Source,
    relapses: Source | None = None,
    *,
    infusions: Source | None = None,
    patients_name: str | None = None,
    relapses_name: str | None = None,
    infusions_name: str | None = None,
    label: str | None = None,
    synthetic: bool = False,
    max_bytes: int | None = None,
    max_rows: int | RowLimits | None = None,
    max_columns: int = MAX_COLUMNS,
    mapping: MappingChoice | None = None,
    parsed_patients: pd.DataFrame | None = None,
) -> Cohort:
    """Read and validate a patients file (and optional relapses and infusions files) into a
    :class:`Cohort`.

    Every file is read and checked before anything is returned, so the caller either
    gets a complete cohort or one :class:`CohortValidationError` listing every problem
    in every file (the previously loaded cohort stays in place).

    Parameters
    ----------
    patients, relapses, infusions : str, pathlib.Path or bytes
        Paths or uploaded bytes. The infusions file (rituximab infusions, ``patient_id``
        and ``months_from_rtx`` from the first infusion) feeds the patient timeline; no
        analysis reads it.
    patients_name, relapses_name, infusions_name : str, optional
        Names for messages; default to the file name (or "patients file", "relapses
        file", "infusions file" for bytes).
    label : str, optional
        Display label; defaults to the patients file name.
    synthetic : bool
        Marks the demo cohort.
    max_bytes : int, optional
        Per-file size limit.
    max_rows : int or RowLimits, optional
        Data-row limit of every file, or of each file (:class:`RowLimits`).
    max_columns : int
        Per-file column limit (see :func:`read_table` for the limits that always hold).
    mapping : MappingChoice, optional
        The user's confirmed reading of the patients file (Spanish headers and values,
        months derived from dates: :mod:`analytics.data.mapping`), applied before validation.
    parsed_patients : pandas.DataFrame, optional
        :func:`read_table`'s frame of the ``patients`` bytes, read under the same limits
        (the caller parsed them already); it is not modified.

    Returns
    -------
    analytics.data.cohort.Cohort
        ``fingerprint`` is :func:`cohort_fingerprint` of the files' bytes.
    """
    from analytics.data.cohort import Cohort  # lazy: cohort may come to import io

    patients_name = patients_name or _default_name(patients, "patients file")
    most_rows = row_limits(max_rows)
    raw_patients: pd.DataFrame | None
    problems: list[Problem]
    if parsed_patients is not None and isinstance(patients, bytes):
        # Parsed already under these limits (the page's mapping proposal): not twice.
        patients_bytes, raw_patients, problems = patients, parsed_patients, []
    else:
        patients_bytes, raw_patients, problems = _read_raw(
            patients, patients_name, max_bytes, most_rows.patients, max_columns
        )
    relapses_read = _read_events(
        relapses, relapses_name, "relapses file", (max_bytes, most_rows.relapses, max_columns)
    )
    infusions_read = _read_events(
        infusions, infusions_name, "infusions file", (max_bytes, most_rows.infusions, max_columns)
    )
    if isinstance(max_rows, RowLimits):
        problems = _naming_the_file_limit(problems, "patients")
        if relapses_read is not None:
            named = _naming_the_file_limit(relapses_read.problems, "relapses")
            relapses_read = relapses_read._replace(problems=named)
        if infusions_read is not None:
            named = _naming_the_file_limit(infusions_read.problems, "infusions")
            infusions_read = infusions_read._replace(problems=named)
    events = [read for read in (relapses_read, infusions_read) if read is not None]
    if raw_patients is None or any(read.raw is None for read in events):
        raise CohortValidationError(problems + [p for read in events for p in read.problems])
    mapping_problems: list[Problem] = []
    if mapping is not None:
        raw_patients, mapping_problems = apply_choice(raw_patients, mapping, patients_name)
    clean, problems = schema.check_patients(
        raw_patients, patients_name, has_relapses=relapses is not None
    )
    if mapping_problems:
        # A date that is not one leaves its derived months empty: one problem, not a
        # second "is required" for the months it could not give.
        reported = {problem.row for problem in mapping_problems}
        derived = {*derived_columns(mapping), "failure"}
        problems = [p for p in problems if not (p.row in reported and p.column in derived)]
        problems = schema.sort_problems(mapping_problems + problems, raw_patients.columns)
    clean_relapses, relapse_problems = _check_events(
        relapses_read, schema.RELAPSES_FILE, clean, patients_name
    )
    clean_infusions, infusion_problems = _check_events(
        infusions_read, schema.INFUSIONS_FILE, clean, patients_name
    )
    if clean_relapses is not None and relapses_read is not None and not relapse_problems:
        rows = schema.spreadsheet_rows(raw_patients)
        problems = schema.sort_problems(
            problems
            + schema.outcome_agreement(
                clean, clean_relapses, patients_name, relapses_read.name, rows
            )
        )
    if problems or relapse_problems or infusion_problems:
        raise CohortValidationError(problems + relapse_problems + infusion_problems)
    return Cohort(
        patients=clean,
        relapses=clean_relapses,
        label=label or patients_name,
        synthetic=synthetic,
        fingerprint=_with_mapping(
            cohort_fingerprint(
                patients_bytes,
                relapses_read.data if relapses_read else b"",
                infusions_read.data if infusions_read else None,
            ),
            mapping,
        ),
        infusions=clean_infusions,
        derived_months=derived_columns(mapping),
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


def _whole_numbers(column: pd.Series) -> pd.Series:
    """A float column of whole numbers (0/1 flags, counts) as integers: "1", not "1.0"."""
    values = column.to_numpy(dtype=float, na_value=np.nan)
    present = values[~np.isnan(values)]
    if present.size and np.all(present == np.round(present)) and np.all(np.abs(present) < 2**53):
        return column.astype("Int64")
    return column


def write_csv(
    frame: pd.DataFrame,
    path_or_buffer: str | Path | IO[str] | None = None,
    comments: Iterable[str] = (),
) -> str | None:
    """Export a frame as UTF-8 CSV (CRLF line ends) with formula-like text neutralised.

    Float columns of whole numbers (0/1 flags) are written as integers; other numbers
    untouched; text cells and header names go through :func:`neutralise_cell`.
    ``comments`` are written first, each as a line starting with "# " (what the file is and
    the filters that made it; :func:`read_table` skips such lines above the header). With
    ``path_or_buffer=None`` the CSV text is returned.
    """
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_float_dtype(safe[column]):
            safe[column] = _whole_numbers(safe[column])
        elif not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].astype(object).map(neutralise_cell)
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    # CRLF as RFC 4180 says; it also makes the csv writer quote cells holding a bare "\r",
    # which "\n" as terminator would leave unquoted and so split the row in Excel.
    # A comment is one line of plain text: no line breaks or quotes that a reader could
    # take for the start of a row.
    head = "".join("# " + re.sub(r"[\r\n\"]+", " ", line) + "\r\n" for line in comments)
    text = head + safe.to_csv(None, index=False, lineterminator="\r\n")
    if path_or_buffer is None:
        return text
    if isinstance(path_or_buffer, str | Path):
        Path(path_or_buffer).write_text(text, encoding="utf-8", newline="")
    else:
        path_or_buffer.write(text)
    return None


def export_notes(cohort: Cohort, filters: Filters, patients: int) -> list[str]:
    """The comment lines of a filtered export: source, filters, size, coding (English, as
    the column names; no patient data)."""
    active = "; ".join(
        f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}"
        for name, value in filters.active().items()
    )
    return [
        f"NMOSD cohort explorer export of {cohort.label} (files sha256 {cohort.fingerprint[:12]})",
        f"filters: {active}",
        f"patients: {patients}",
        "times in months from the first rituximab infusion; 0/1 columns: 1 = yes",
    ]
