"""The gettext catalogs: ``i18n/locale/<language>/LC_MESSAGES/messages.po``, the source of truth.

The .po is compiled in memory when first needed (read_po -> write_mo -> GNUTranslations),
not shipped as a .mo: a compiled binary next to its source can go stale without anything
noticing, while compiling a few hundred entries costs milliseconds once per process.
English is the msgid itself (gettext's convention): a missing translation shows English,
never a key.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as source:
        return read_po(source, locale=language)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` ('es'); English (no catalog) translates nothing."""
    if not po_path(language).exists():
        return gettext.NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, read_catalog(language))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
