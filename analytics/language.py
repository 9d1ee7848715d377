"""The interface language (English, the default, or Spanish): words and numbers.

Text is written in English where it is used and looked up in a Spanish catalog
(:mod:`analytics.language_es`) when the page is Spanish, as gettext does: the English string
is the key, so code reads naturally and a missing translation shows English, never a key.

The language of the current request is a context variable, set once per page request or
callback with :func:`using_language`. Threading a ``language`` argument through every
renderer and number formatter would touch every signature for a page-wide choice; the
context variable is scoped (reset on exit), so a gunicorn thread never carries one request's
language into the next.

Results from ``analytics`` stay language-free data (cached once for both languages); their
messages are English and translated when rendered (:func:`translate_message`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Literal

from analytics.language_es import SPANISH, SPANISH_MESSAGES

Language = Literal["en", "es"]
LANGUAGES: tuple[Language, ...] = ("en", "es")
DEFAULT_LANGUAGE: Language = "en"
LANGUAGE_NAMES: dict[Language, str] = {"en": "English", "es": "Español"}

_current: ContextVar[Language] = ContextVar("language", default=DEFAULT_LANGUAGE)


def parse_language(text: object) -> Language:
    """'es' (any case, or 'es-ES') -> 'es'; anything else -> English."""
    code = str(text or "").strip().lower()[:2]
    return "es" if code == "es" else DEFAULT_LANGUAGE


def current_language() -> Language:
    return _current.get()


@contextmanager
def using_language(language: Language) -> Iterator[None]:
    """Render in ``language`` inside the block; the previous language afterwards."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def t(text: str) -> str:
    """``text`` (English) in the current language; English when no translation exists."""
    if _current.get() == "en":
        return text
    return SPANISH.get(text, text)


def N_(text: str) -> str:  # noqa: N802 (gettext's name for it)
    """Marks English text translated later, where it is used (e.g. a label that also names
    an element id); returns it unchanged. The catalog test collects these too."""
    return text


def number(value: float | None, digits: int = 1) -> str:
    """A fixed-point number with the language's decimal mark; 'n/a' when undefined."""
    if value is None or not math.isfinite(value):
        return t("n/a")
    return localize_digits(f"{value:.{digits}f}")


def percent(value: float | None, digits: int = 1) -> str:
    """'25.9%' in English, '25,9 %' in Spanish (RAE: a space before the sign)."""
    if value is None or not math.isfinite(value):
        return t("n/a")
    if _current.get() == "es":
        return f"{number(100 * value, digits)}\u00a0%"
    return f"{value:.{digits}%}"


def integer(value: int) -> str:
    """Thousands grouped: '1,234' in English, '1.234' in Spanish."""
    return localize_digits(f"{value:,d}")


def short(value: float) -> str:
    """A number as ``:g`` prints it (12, 0.5), with the language's decimal mark."""
    return localize_digits(f"{value:g}")


def localize_digits(english: str) -> str:
    """Swap decimal and thousands marks of a number formatted the English way."""
    if _current.get() == "en":
        return english
    return english.translate(_SWAP)


_SWAP = str.maketrans({",": ".", ".": ","})
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def localize_decimals(text: str) -> str:
    """Decimal points between digits become commas in Spanish ("45.0 (34.2–54.5)"): for
    short texts of numbers made elsewhere (no thousands separators in them)."""
    if _current.get() == "en":
        return text
    return _DECIMAL_POINT.sub(",", text)


def translate_message(message: str) -> str:
    """A message from ``analytics`` (warnings, notes) in the current language.

    Messages carry values (counts, column names, numbers), so the catalog holds templates
    ("Only {} relapses per coefficient: ...") matched as patterns; numbers taken from the
    message get the language's decimal mark.
    """
    if _current.get() == "en":
        return message
    exact = SPANISH_MESSAGES.get(message)
    if exact is not None:
        return exact
    for pattern, spanish in _message_patterns():
        match = pattern.fullmatch(message)
        if match:
            values = [_localize_value(v) for v in match.groups()]
            return spanish.format(*values)
    # A message that is also interface text (a label passed through a result).
    return SPANISH.get(message, message)


def _localize_value(value: str) -> str:
    # Only plain numbers change; a column name or a nested message keeps its text (a nested
    # English message, e.g. a reason, is translated in turn when the catalog has it).
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return localize_digits(value)
    return translate_message(value)


@cache
def _message_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    # The most specific template first: "The Andersen–Gill model could not be fitted ({})."
    # before "The {} model could not be fitted ({})." (more fixed text wins).
    templates = sorted(
        (template for template in SPANISH_MESSAGES if "{}" in template),
        key=lambda template: -len(template.replace("{}", "")),
    )
    return tuple(
        (_template_pattern(template), SPANISH_MESSAGES[template]) for template in templates
    )


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in template.split("{}")]
    return re.compile("(.+?)".join(parts), re.S)
