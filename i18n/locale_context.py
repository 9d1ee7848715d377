"""The locale of the current request: one context variable, set per page request or callback.

Threading a ``language`` argument through every renderer and number formatter would touch
every signature for a page-wide choice; the context variable is scoped (reset on exit), so a
gunicorn thread never carries one request's language into the next.

A language is a BCP 47 tag the page accepts: its words come from the catalog of its first
part ("es-MX" reads the Spanish catalog), its numbers from CLDR for the whole tag (Mexico
writes a decimal point, Spain a decimal comma).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

Language = Literal["en", "es", "es-MX"]
LANGUAGES: tuple[Language, ...] = ("en", "es", "es-MX")
DEFAULT_LANGUAGE: Language = "en"
LANGUAGE_NAMES: dict[Language, str] = {
    "en": "English",
    "es": "Español",
    "es-MX": "Español (México)",
}

_current: ContextVar[Language] = ContextVar("language", default=DEFAULT_LANGUAGE)


def parse_language(text: object) -> Language:
    """'es-MX' (any case, '-' or '_') -> 'es-MX'; any other 'es' tag -> 'es'; else English."""
    code = str(text or "").strip().lower().replace("_", "-")
    if code == "es-mx":
        return "es-MX"
    return "es" if code[:2] == "es" else DEFAULT_LANGUAGE


def current_language() -> Language:
    return _current.get()


def catalog_language(language: Language) -> str:
    """The catalog a language's words come from: 'es-MX' -> 'es'."""
    return language.split("-")[0]


def babel_locale(language: Language) -> str:
    """Babel's (CLDR's) name of the locale: 'es-MX' -> 'es_MX'."""
    return language.replace("-", "_")


@contextmanager
def using_language(language: Language) -> Iterator[None]:
    """Render in ``language`` inside the block; the previous language afterwards."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)
