"""Numbers in the current locale, with CLDR's symbols and patterns (Babel).

The rounding is Python's, as before Babel: a value is rounded by ``format`` (half-even on
the binary value), and Babel only writes the rounded decimal with the locale's marks, so a
number reads the same in every language and the English output is unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

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
    rounded = Decimal(f"{value:.{digits}f}")
    return format_decimal(
        rounded, f"#,##0{_fraction(digits)}", locale=_locale(language), group_separator=grouping
    )


def decimal_text(value: Decimal, *, language: Language | None = None) -> str:
    """A decimal with exactly the digits it was written with ('0.50' keeps its zero)."""
    exponent = value.as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return fixed(value, digits, language=language)


def percent(value: float, digits: int, *, language: Language | None = None) -> str:
    """A proportion as a percentage: '25.9%' (en, es-MX), '25,9 %' (es: CLDR's space)."""
    locale = _locale(language)
    rounded = Decimal(f"{100 * value:.{digits}f}")
    return format_percent(
        rounded / 100, _percent_pattern(locale, digits), locale=locale, group_separator=False
    )


@cache
def _percent_pattern(locale: str, digits: int) -> str:
    pattern: str = Locale.parse(locale).percent_formats[None].pattern
    return pattern.replace("#,##0", f"#,##0{_fraction(digits)}", 1)


def symbols(language: Language | None = None) -> tuple[str, str]:
    """The locale's decimal mark and thousands separator: ('.', ',') or (',', '.')."""
    locale = _locale(language)
    return get_decimal_symbol(locale), get_group_symbol(locale)


def localize_marks(english: str, language: Language | None = None) -> str:
    """A number written the English way ('1,234.5', '1e-05') with the locale's marks."""
    decimal_mark, group_mark = symbols(language)
    if (decimal_mark, group_mark) == (".", ","):
        return english
    marks: dict[str, str | int | None] = {".": decimal_mark, ",": group_mark}
    return english.translate(str.maketrans(marks))
