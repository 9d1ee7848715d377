"""The interface language (English, the default, Spanish, Mexican Spanish): words and numbers.

The facade the code imports; the work is done by :mod:`i18n` (gettext catalogs compiled
from ``i18n/locale/*/LC_MESSAGES/messages.po``, Babel for numbers and plural rules, the
request's locale as a context variable). Text is written in English where it is used and
looked up in the catalog, as gettext does: the English string is the key, so code reads
naturally and a missing translation shows English, never a key.

Results from ``analytics`` stay language-free data (cached once for every language); their
messages with values are :class:`i18n.message.Message` objects (English ``str`` values),
rendered in the page's language when shown (:func:`translate_message`).
"""

from __future__ import annotations

import math
import re

from i18n import numbers
from i18n.catalog import translations
from i18n.locale_context import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    Language,
    catalog_language,
    current_language,
    parse_language,
    using_language,
)
from i18n.message import (
    Grouped,
    Message,
    PluralMessage,
    as_message,
    fixed,
    general,
    reason,
    translate,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "Grouped",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "Language",
    "Message",
    "as_message",
    "N_",
    "PluralMessage",
    "current_language",
    "fixed",
    "general",
    "integer",
    "localize_decimals",
    "localize_digits",
    "ngettext",
    "number",
    "parse_language",
    "percent",
    "pgettext",
    "reason",
    "plotly_separators",
    "short",
    "t",
    "translate_message",
    "using_language",
]


def t(text: str) -> str:
    """``text`` (English) in the current language; English when no translation exists."""
    return translations(catalog_language(current_language())).gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a ``str.format`` template for the count ``n`` (CLDR's plural rule of
    the current language): ``ngettext("{n} problem", "{n} problems", n).format(n=n)``."""
    return translations(catalog_language(current_language())).ngettext(singular, plural, n)


def pgettext(context: str, text: str) -> str:
    """``text`` in the sense ``context`` gives it (one English word, two translations)."""
    return translations(catalog_language(current_language())).pgettext(context, text)


def N_(text: str) -> str:  # noqa: N802 (gettext's name for it)
    """Marks English text translated later, where it is used (e.g. a label that also names
    an element id); returns it unchanged. The catalog test collects these too."""
    return text


def number(value: float | None, digits: int = 1) -> str:
    """A fixed-point number with the locale's decimal mark; 'n/a' when undefined."""
    if value is None or not math.isfinite(value):
        return t("n/a")
    return numbers.fixed(value, digits)


def percent(value: float | None, digits: int = 1) -> str:
    """'25.9%' in English, '25,9 %' in Spanish (CLDR, as the RAE: a space before the sign)."""
    if value is None or not math.isfinite(value):
        return t("n/a")
    return numbers.percent(value, digits)


def integer(value: int) -> str:
    """Thousands grouped: '1,234' in English, '1.234' in Spanish."""
    return numbers.fixed(value, 0, grouping=True)


def short(value: float) -> str:
    """A number as ``:g`` prints it (12, 0.5), with the locale's decimal mark."""
    return numbers.localize_marks(f"{value:g}")


def localize_digits(english: str) -> str:
    """A number formatted the English way ('1,234.5') with the locale's marks."""
    return numbers.localize_marks(english)


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def localize_decimals(text: str) -> str:
    """Decimal points between digits get the locale's mark ("45,0 (34,2–54,5)" in Spanish):
    for short texts of numbers made elsewhere (no thousands separators in them)."""
    decimal_mark, _ = numbers.symbols()
    if decimal_mark == ".":
        return text
    return _DECIMAL_POINT.sub(decimal_mark, text)


def plotly_separators() -> str:
    """plotly's ``layout.separators`` for the current locale: decimal mark, then thousands."""
    decimal_mark, group_mark = numbers.symbols()
    return decimal_mark + group_mark


def translate_message(message: str) -> str:
    """A message from ``analytics`` (warnings, notes, reasons) in the current language: a
    :class:`~i18n.message.Message` renders itself; plain text is a catalog id."""
    return translate(message)
