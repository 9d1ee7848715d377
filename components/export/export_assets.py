"""The export script and font as the offline HTML report inlines them (the page serves the
same files from assets/)."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from components.export.print_spec import FONT_FILE

ASSETS = Path(__file__).resolve().parents[2] / "assets"
EXPORT_SCRIPT = ASSETS / "figure_export.js"

# The report's menus and figures, spaced as on the page.
REPORT_STYLE = (
    ".export-menu{margin:.25rem 0 1.25rem;font-size:.9em}.export-menu summary{cursor:pointer;"
    "color:#0b5ed7}.export-choices{display:flex;flex-wrap:wrap;gap:.3rem;margin:.4rem 0}"
    ".export-choices button{font:inherit;padding:.2rem .5rem;border:1px solid #6c757d;"
    "border-radius:.25rem;background:#fff;cursor:pointer}"
    ".export-choices button:focus-visible,.export-menu summary:focus-visible"
    "{outline:3px solid #0b5ed7;outline-offset:2px}"
)


@lru_cache(maxsize=1)
def inline_export_script() -> str:
    """``assets/figure_export.js`` as one ``<script>`` element."""
    return f"<script>{EXPORT_SCRIPT.read_text(encoding='utf-8')}</script>"


@lru_cache(maxsize=1)
def font_data_url() -> str:
    """The embedded font as a data URL: the report exports offline, fonts included."""
    data = base64.b64encode((ASSETS / FONT_FILE).read_bytes()).decode("ascii")
    return f"data:font/ttf;base64,{data}"
