"""CSV text: decoding, the separator, and rows read lazily from the text.

Split from :mod:`analytics.data.io` (which sniffs the format). Text is decoded as UTF-8 (with or
without BOM; UTF-16 with BOM, as Excel's "Unicode text" export) and falls back to
cp1252/latin-1 only when UTF-8 fails. The separator (comma, semicolon or tab) is taken from
the header line; semicolon- and tab-separated files may use decimal commas.

Rows are read one line at a time from the decoded text, so a 10^5-row file is never held a
second time as a list of lines or in :class:`io.StringIO`.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator

from analytics.data.xlsx_parquet import fail
from i18n.language import Grouped, Message, as_message

_SEPARATORS = (",", ";", "\t")
# A line as io.StringIO(text, newline="") yields it: ended by \r\n, \r or \n, kept.
_CSV_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# A line as str.splitlines() cuts them (it also breaks at \v, \f, \x1c-\x1e, \x85, U+2028/9).
_SPLITLINES_LINE = re.compile("[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


def _decode(data: bytes, file_name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise fail(file_name, "could not be decoded as UTF-16 text") from None
    if b"\x00" in data:
        raise fail(file_name, "is not a CSV, XLSX or Parquet file (binary content)")
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
    # The first non-blank line of text.splitlines(), found without splitting the whole file.
    lines = (match.group() for match in _SPLITLINES_LINE.finditer(text))
    # Comment lines before the header (an export's "# filters: ...") are not the header.
    header = next((line for line in lines if line.strip() and not is_comment(line)), "")
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def is_comment(line: str) -> bool:
    """A line before the header that says what the file is (``# filters: sex=F``)."""
    return line.lstrip().startswith("#")


def _lines(text: str) -> Iterator[str]:
    """The lines ``io.StringIO(text, newline="")`` yields, without its copy of the text.

    StringIO holds its text at 4 bytes a character: 24 MB while a 6 MB relapses file is read.
    """
    for match in _CSV_LINE.finditer(text):
        yield match.group()


def _csv_rows(text: str, file_name: str, sep: str) -> Iterator[list[str]]:
    reader = csv.reader(_lines(text), delimiter=sep)
    try:
        yield from reader
    except csv.Error as error:
        reason = str(error)
        if "field limit" in reason:
            # csv's own bound (131,072 characters); in a cohort file only a quote that is
            # never closed swallows that much of the file into one cell.
            reason = Message(
                "a cell longer than {limit} characters: a quote not closed?",
                limit=Grouped(csv.field_size_limit()),
            )
        rule = Message("is not valid CSV ({reason})", reason=as_message(reason))
        raise fail(file_name, rule, reader.line_num) from None


def text_rows(data: bytes, file_name: str) -> tuple[Iterator[list[str]], bool, str]:
    """The file's rows as csv.reader reads them, whether ``12,5`` may mean 12.5, and the
    separator (comma, semicolon or tab, from the header line)."""
    text = _decode(data, file_name)
    if _looks_binary(text):
        raise fail(file_name, "is not a CSV, XLSX or Parquet file (binary content)")
    sep = _separator(text)
    return _csv_rows(text, file_name, sep), sep != ",", sep
