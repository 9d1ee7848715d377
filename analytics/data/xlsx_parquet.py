"""Binary table formats: XLSX workbooks inspected before parsing, and Parquet files.

Split from :mod:`analytics.data.io` (which sniffs the format and reads text): uploads are hostile
until proven otherwise, so a workbook's zip directory is checked for bombs, macros, embedded
objects, external links and encryption before openpyxl opens it, and a Parquet file's
decoded size and shape before it is decoded.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from typing import Any

from analytics.data.schema import CohortValidationError, Problem
from analytics.warnings_guard import ignored_warnings
from i18n.language import N_, Grouped, Message

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"

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
ENCRYPTED = N_("is password-protected or legacy .xls: save as .xlsx or CSV")
_TOO_BIG = N_("a zip bomb, or a workbook far too large: save the sheet as CSV")
# pyarrow is the optional `parquet` extra (about 170 MB of the image): an installation without
# it refuses Parquet files with this, for the user (another format) and the administrator.
PARQUET_NOT_INSTALLED = N_(
    "is a Parquet file, and this installation cannot read Parquet (the optional pyarrow "
    "package is not installed): save the file as CSV or XLSX, or ask the administrator to "
    "enable Parquet (the `parquet` extra; Docker build argument WITH_PARQUET=1)"
)


def fail(file: str, rule: str, row: int | None = None) -> CohortValidationError:
    return CohortValidationError([Problem(file, row, None, None, rule)])


def megabytes(size: int) -> str:
    if size >= 1_000_000_000:
        return f"{size / 1_000_000_000:.1f} GB"
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def unreadable_workbook(file_name: str, error: Exception) -> CohortValidationError:
    rule = Message(
        "is a ZIP archive but could not be read as an XLSX workbook ({error})",
        error=type(error).__name__,
    )
    return fail(file_name, rule)


def _part_name(name: str) -> str:
    """An archive part's name as shown in a message: escaped and short (it is attacker-chosen)."""
    shown = repr(name)[1:-1]
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _too_big(rule: Message) -> Message:
    return Message("{rule} ({why})", rule=rule, why=Message(_TOO_BIG))


def _check_expansion(parts: list[zipfile.ZipInfo], file_name: str) -> None:
    if len(parts) > MAX_PARTS:
        rule = Message(
            "the workbook has {parts} parts, more than the {maximum} allowed",
            parts=Grouped(len(parts)),
            maximum=Grouped(MAX_PARTS),
        )
        raise fail(file_name, _too_big(rule))
    total = sum(part.file_size for part in parts)
    if total > MAX_EXPANDED_BYTES:
        rule = Message(
            "the workbook expands to {size}, more than the {maximum} MB allowed",
            size=megabytes(total),
            maximum=MAX_EXPANDED_BYTES // 1_000_000,
        )
        raise fail(file_name, _too_big(rule))
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_CHECKED_FROM and ratio > MAX_PART_RATIO:
            rule = Message(
                "the workbook part {part} expands {ratio} times (to {size}) where spreadsheets "
                "expand 5-20 times: this looks like a zip bomb; save the sheet as CSV",
                part=_part_name(part.filename),
                ratio=Grouped(int(f"{ratio:.0f}")),
                size=megabytes(part.file_size),
            )
            raise fail(file_name, rule)


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


def check_archive(data: bytes, file_name: str) -> None:
    """Refuse bombs, encrypted parts, non-workbooks and active content before openpyxl."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:  # a malformed directory can raise anything
        raise unreadable_workbook(file_name, error) from None
    with archive:
        parts = archive.infolist()
        if any(part.flag_bits & 0x1 for part in parts):  # the ZIP "encrypted" flag
            raise fail(file_name, ENCRYPTED)
        _check_expansion(parts, file_name)
        names = {part.filename.lower() for part in parts}
        try:
            problem = _not_a_workbook(archive, names) or _active_content(archive, names)
        except Exception as error:  # a corrupt bookkeeping part
            raise unreadable_workbook(file_name, error) from None
    if problem is not None:
        raise fail(file_name, problem)


def too_many_columns(
    file_name: str, count: str, max_columns: int, row: int | None
) -> CohortValidationError:
    rule = Message(
        "has {count} columns, more than the {maximum} allowed", count=count, maximum=max_columns
    )
    return fail(file_name, rule, row)


def too_many_cells(file_name: str, limit: int = MAX_CELLS) -> CohortValidationError:
    rule = Message(
        "spans more than {limit} cells (rows x columns, counting formatted empty ones), far more "
        "than a cohort needs",
        limit=Grouped(limit),
    )
    return fail(file_name, rule)


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
            raise too_many_cells(file_name)
        if len(values) > max_columns:
            tail = values[max_columns:]
            if tail.count(None) + tail.count("") < len(tail):  # C-speed: rows can be 16k wide
                rule = Message(
                    "has values beyond column {maximum}, the most columns allowed",
                    maximum=max_columns,
                )
                raise fail(file_name, rule, number)
            values = values[:max_columns]
        cells = [cell_text(v) for v in values]
        if any(cells):
            rows.append((number, cells))
        if max_rows is not None and len(rows) > max_rows + 1:  # + 1: the header
            raise too_many_rows(file_name, max_rows)
    return rows


def first_sheet_note(names: list[str]) -> str:
    """What to tell the user when a workbook has several sheets ("" for one sheet).

    Only the first sheet is read (a cohort is one table; guessing which sheet holds it
    would load the wrong one silently), so problems that suggest the data is elsewhere
    (empty, header only, required columns missing) name the sheets the workbook has.
    """
    if len(names) < 2:
        return ""
    shown = ", ".join(f'"{_part_name(name)}"' for name in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return Message(
        "only the first of the sheets {sheets} is read: put the data on the first sheet",
        sheets=shown + more,
    )


def xlsx_rows(
    data: bytes, file_name: str, max_rows: int | None, max_columns: int
) -> tuple[list[tuple[int, list[str]]], str]:
    """The first worksheet's non-blank rows, and :func:`first_sheet_note` for the workbook."""
    import openpyxl

    check_archive(data, file_name)
    try:
        # openpyxl warns about workbook features it drops (data validation, conditional
        # formatting, missing default style); none of them changes cell values.
        with ignored_warnings(UserWarning):
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                note = first_sheet_note([sheet.title for sheet in workbook.worksheets])
                rows = _sheet_rows(workbook.worksheets[0], file_name, max_rows, max_columns)
            finally:
                workbook.close()
    except CohortValidationError:
        raise
    except Exception as error:  # a malformed archive can raise anything
        raise unreadable_workbook(file_name, error) from None
    return rows, note


def _check_parquet_shape(
    parquet: Any, file_name: str, max_rows: int | None, max_columns: int
) -> list[str]:
    """Limits from the footer, before any data is read; the names of the text columns."""
    import pyarrow as pa

    meta, schema_arrow = parquet.metadata, parquet.schema_arrow
    if meta.num_columns > max_columns:
        raise too_many_columns(file_name, f"{meta.num_columns:,}", max_columns, None)
    if max_rows is not None and meta.num_rows > max_rows:
        raise too_many_rows(file_name, max_rows)
    if meta.num_rows * max(meta.num_columns, 1) > MAX_CELLS:
        raise too_many_cells(file_name)
    text: list[str] = []
    for field in schema_arrow:
        if pa.types.is_nested(field.type):
            name = _part_name(field.name)
            raise fail(
                file_name,
                Message("column {name} holds lists or records, not single values", name=name),
            )
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


def _parquet_reader(file_name: str) -> Any:
    """``pyarrow.parquet``, or the problem that says how to enable Parquet."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise fail(file_name, PARQUET_NOT_INSTALLED) from None
    return pq


def parquet_rows(
    data: bytes, file_name: str, max_rows: int | None, max_columns: int
) -> list[list[str]]:
    pq = _parquet_reader(file_name)
    try:
        text = _check_parquet_shape(
            pq.ParquetFile(io.BytesIO(data)), file_name, max_rows, max_columns
        )
        table = pq.ParquetFile(io.BytesIO(data), read_dictionary=text).read()
        expanded = _decoded_bytes(table)
        if expanded > MAX_EXPANDED_BYTES:
            rule = Message(
                "the Parquet data expands to {size}, more than the {maximum} MB allowed (a "
                "decompression bomb, or a file far too large)",
                size=megabytes(expanded),
                maximum=MAX_EXPANDED_BYTES // 1_000_000,
            )
            raise fail(file_name, rule)
    except CohortValidationError:
        raise
    except Exception as error:  # a corrupt file can raise anything
        rule = Message("could not be read as a Parquet file ({error})", error=type(error).__name__)
        raise fail(file_name, rule) from None
    columns = [
        [cell_text(v) for v in table.column(i).to_pylist()] for i in range(table.num_columns)
    ]
    return [list(table.column_names)] + [list(row) for row in zip(*columns, strict=True)]


def cell_text(value: Any) -> str:
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
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        # A date cell: Excel stores dates as midnight datetimes; show "2019-07-02".
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip()
    return str(value).strip()


ROW_LIMIT_RULE = "has more than {maximum} data rows, the limit"


def too_many_rows(file_name: str, max_rows: int) -> CohortValidationError:
    return fail(
        file_name,
        Message("has more than {maximum} data rows, the limit", maximum=Grouped(max_rows)),
    )
