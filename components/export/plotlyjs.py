"""The plotly.js the page and the offline report use: the vendored "basic" partial bundle.

Every figure here is made of scatter traces (bars and pies are in the bundle too), so the
basic bundle (395 KB gzipped) replaces the full one (1.47 MB) that Dash would otherwise
serve: the first page is a megabyte lighter and the browser parses a third of the code.
It must be the plotly.js version that the installed plotly.py writes figures for
(tests/components/test_plotlyjs.py checks it).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PLOTLYJS_VERSION = "4.1.1"
BUNDLE = Path(__file__).resolve().parents[2] / "assets" / "00_plotly-basic-4.1.1.min.js"


@lru_cache(maxsize=1)
def inline_script() -> str:
    """The bundle as one ``<script>`` element, for self-contained HTML files."""
    return f'<script type="text/javascript">{BUNDLE.read_text(encoding="utf-8")}</script>'
