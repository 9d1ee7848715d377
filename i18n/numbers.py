"""Numbers in the current locale, with CLDR's symbols and patterns (Babel).

The rounding is Python's, as before Babel: a value is rounded by ``format`` (half-even on
the binary value), and Babel only writes the rounded decimal with the locale's marks, so a
number reads the same in every language and the English output is unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol

from i18n.locale_context import Language, babel_locale, current_language


def _locale(language: Language | None) -> str:
    return babel_locale(language or current_language())


def _fraction(digits: int) -> str:
    return "." + "0" * digits if digits > 0 else ""


def fixed(
    value: float | Decimal, digits: int, *, grouping: bool = False, language: Language | None = None
) -> str:
    """``value`` with ``digits`` decimals: '3.49' / '3,49'; thousands grouped if ``grouping``."""
    return _fixed_text(f"{value:.{digits}f}", digits, grouping, _locale(language))


# Babel parses its pattern on every call (about 25 µs a number): a 10 000-patient KM
# figure's hover texts were 9 000 numbers, 230 ms. The rounded text is the whole input of
# Babel's part (Python rounds first), and a figure's numbers repeat (months at one decimal,
# percentages at one): the written form is kept per rounded text.
WRITTEN_CACHE = 1 << 16


@lru_cache(maxsize=WRITTEN_CACHE)
def _fixed_text(rounded: str, digits: int, grouping: bool, locale: str) -> str:
    return format_decimal(
        Decimal(rounded), f"#,##0{_fraction(digits)}", locale=locale, group_separator=grouping
    )


def decimal_text(value: Decimal, *, language: Language | None = None) -> str:
    """A decimal with exactly the digits it was written with ('0.50' keeps its zero)."""
    exponent = value.as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return fixed(value, digits, language=language)


def percent(value: float, digits: int, *, language: Language | None = None) -> str:
    """A proportion as a percentage: '25.9%' (en, es-MX), '25,9 %' (es: CLDR's space)."""
    return _percent_text(f"{100 * value:.{digits}f}", digits, _locale(language))


@lru_cache(maxsize=WRITTEN_CACHE)
def _percent_text(rounded: str, digits: int, locale: str) -> str:
    return format_percent(
        Decimal(rounded) / 100,
        _percent_pattern(locale, digits),
        locale=locale,
        group_separator=False,
    )


@cache
def _percent_pattern(locale: str, digits: int) -> str:
    pattern: str = Locale.parse(locale).percent_formats[None].pattern
    return pattern.replace("#,##0", f"#,##0{_fraction(digits)}", 1)


def symbols(language: Language | None = None) -> tuple[str, str]:
    """The locale's decimal mark and thousands separator: ('.', ',') or (',', '.')."""
    return _symbols(_locale(language))


@cache
def _symbols(locale: str) -> tuple[str, str]:
    return get_decimal_symbol(locale), get_group_symbol(locale)


def localize_marks(english: str, language: Language | None = None) -> str:
    """A number written the English way ('1,234.5', '1e-05') with the locale's marks."""
    decimal_mark, group_mark = symbols(language)
    if (decimal_mark, group_mark) == (".", ","):
        return english
    marks: dict[str, str | int | None] = {".": decimal_mark, ",": group_mark}
    return english.translate(str.maketrans(marks))
