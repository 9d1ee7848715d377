"""Figure export for journals in real Chromium: from each figure's "Export figure" menu on
the page and in the offline HTML report, the files Chrome saves are what the menu promises.

PNG: the pixels of the column width (and the figure's height) at the chosen dpi, a pHYs
chunk saying that dpi, and nothing but background on the image's border (a label running
off the figure would touch it). SVG: width and height in mm, the font embedded, every text's
box inside the page when Chromium lays the file out, and every font 7-9 pt at print size.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from app.layout import ids
from components.export.export_assets import ASSETS
from components.export.html_report import report_html
from components.export.menu import menu_text
from components.export.print_spec import (
    CHOICES,
    COLUMN_WIDTH_MM,
    FIGURES,
    FONT_FILE,
    MAX_FONT_PT,
    MAX_HEIGHT_MM,
    MIN_FONT_PT,
    MIN_HEIGHT_MM,
    pixels,
)
from components.panels.relapses import MCF_GRAPH

pytestmark = pytest.mark.browser

# Every figure of the page: its tab and its graph.
PAGE_FIGURES = {
    "km": ("Survival", ids.KM_GRAPH),
    "timelines": ("Timelines", ids.TIMELINE_GRAPH),
    "forest": ("Hazard ratios", ids.FOREST_GRAPH),
    "rates": ("Failure rates", "rates-graph"),
    "mcf": ("Relapses", MCF_GRAPH),
}

# A figure drawn (not the "Computing…" placeholder, which has no trace).
_DRAWN_JS = """const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot')
    || document.getElementById(arguments[0]);
return !!(gd && gd.data && gd.data.length > 0 && gd.querySelector('.main-svg'));"""


def _label(kind: str, fmt: str, column: str, dpi: int | None = None) -> str:
    position = CHOICES.index(
        next(c for c in CHOICES if (c.format, c.column, c.dpi) == (fmt, column, dpi))
    )
    return menu_text(kind).entries[position].label


def _file_name(kind: str, fmt: str, column: str, dpi: int | None = None) -> str:
    choice = next(c for c in CHOICES if (c.format, c.column, c.dpi) == (fmt, column, dpi))
    return choice.file_name(kind)


def _export(explorer, graph_id: str, kind: str, fmt: str, column: str, dpi=None) -> Path:
    """Open the figure's menu, choose one entry, wait for Chrome's finished download."""
    driver = explorer.driver
    name = _file_name(kind, fmt, column, dpi)
    target = explorer.downloads / name
    target.unlink(missing_ok=True)
    menu = driver.find_element(By.CSS_SELECTOR, f"[data-export-graph='{graph_id}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", menu)
    # With the keyboard, as a user who cannot use a mouse would (and no overlay can take it).
    if menu.get_attribute("open") is None:
        menu.find_element(By.TAG_NAME, "summary").send_keys(Keys.ENTER)
    label = _label(kind, fmt, column, dpi)
    menu.find_element(By.XPATH, f".//button[normalize-space()='{label}']").send_keys(Keys.ENTER)
    explorer.wait_until(
        lambda: (
            target.exists()
            and target.stat().st_size > 0
            and not any(explorer.downloads.glob("*.crdownload"))
        ),
        f"download of {name}",
        timeout=60,
    )
    status = menu.find_element(By.CSS_SELECTOR, ".export-status")
    explorer.wait_until(lambda: name in status.text, "the menu says the file was saved")
    return target


def _png_chunks(data: bytes) -> dict[bytes, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.setdefault(kind, body)
        at += 12 + length
    return chunks


def _check_png(path: Path, width_mm: float, height_mm: float | None, dpi: int) -> None:
    from PIL import Image

    data = path.read_bytes()
    x_per_metre, y_per_metre, unit = struct.unpack(">IIB", _png_chunks(data)[b"pHYs"])
    assert (x_per_metre, y_per_metre, unit) == (round(dpi / 0.0254),) * 2 + (1,)
    with Image.open(path) as image:
        assert round(image.info["dpi"][0]) == dpi
        width, height = image.size
        assert width == pixels(width_mm, dpi)
        if height_mm is not None:
            assert height == pixels(height_mm, dpi)
        else:
            assert pixels(MIN_HEIGHT_MM, dpi) <= height <= pixels(MAX_HEIGHT_MM, dpi)
        rgb = image.convert("RGB")
        pixels_ = rgb.load()
        border = [pixels_[x, y] for x in range(width) for y in (0, height - 1)]
        border += [pixels_[x, y] for y in range(height) for x in (0, width - 1)]
        assert all(min(p) >= 250 for p in border), "the figure touches the image's edge"
        assert rgb.getextrema()[0][0] < 100, "the image has dark text or lines"


_TEXT_BOXES_JS = """
const svg = document.documentElement;
const page = svg.getBoundingClientRect();
const ptPerUnit = page.width * 0.75 / svg.viewBox.baseVal.width;
const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()
    && t.getBoundingClientRect().width > 0);
const outside = texts.map(t => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) =>
    r.left < page.left - 0.5 || r.top < page.top - 0.5
    || r.right > page.right + 0.5 || r.bottom > page.bottom + 0.5)
  .map(([s, r]) => [s, r.left, r.top, r.right, r.bottom]);
const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize) * ptPerUnit);
return {n: texts.length, outside: outside, sizes: sizes,
        page: [page.width, page.height]};
"""


def _check_svg(explorer, path: Path, width_mm: float, height_mm: float | None) -> None:
    source = path.read_text(encoding="utf-8")
    root = re.search(r"<svg[^>]*>", source).group(0)
    width = re.search(r'\bwidth="([0-9.]+)mm"', root)
    height = re.search(r'\bheight="([0-9.]+)mm"', root)
    assert width
    assert float(width.group(1)) == pytest.approx(width_mm, abs=1e-3)
    assert height is not None
    if height_mm is not None:
        assert float(height.group(1)) == pytest.approx(height_mm, abs=1e-3)
    else:
        assert MIN_HEIGHT_MM <= float(height.group(1)) <= MAX_HEIGHT_MM
    font = re.search(r"url\(data:font/ttf;base64,([A-Za-z0-9+/=]+)\)", source)
    assert font
    assert base64.b64decode(font.group(1)) == (ASSETS / FONT_FILE).read_bytes()
    assert "Liberation Sans" in source
    explorer.driver.get(path.as_uri())
    found = explorer.driver.execute_script(_TEXT_BOXES_JS)
    assert found["page"][0] == pytest.approx(width_mm / 25.4 * 96, abs=0.5)
    assert found["n"] > 3, "the figure's text is in the file"
    assert found["outside"] == [], f"text off the page in {path.name}"
    assert all(MIN_FONT_PT - 0.01 <= s <= MAX_FONT_PT + 0.01 for s in found["sizes"]), sorted(
        set(found["sizes"])
    )


def _open_page(explorer) -> None:
    """The page loaded fresh; each test then waits for the figure it exports to be drawn
    (with more time than the page object's 15 s for every callback: CI machines are busy)."""
    explorer.driver.get(f"{explorer.server_url}/")
    explorer.wait_until(
        lambda: explorer.driver.find_elements(By.CSS_SELECTOR, "#card-n-value"), "page", 60
    )


def _open_figure(explorer, kind: str) -> str:
    tab, graph_id = PAGE_FIGURES[kind]
    # The tabs are above the last figure's menu, which the page was scrolled to.
    explorer.driver.execute_script("window.scrollTo(0, 0);")
    explorer.open_tab(tab)
    explorer.wait_until(
        lambda: explorer.driver.execute_script(_DRAWN_JS, graph_id), f"{kind} drawn", 60
    )
    return graph_id


def test_png_from_the_page_has_the_pixels_and_dpi_promised_and_a_clear_border(explorer):
    _open_page(explorer)
    graph_id = _open_figure(explorer, "km")
    km = FIGURES["km"]
    single = _export(explorer, graph_id, "km", "png", "single", 300)
    _check_png(single, COLUMN_WIDTH_MM["single"], km.single_height_mm, 300)
    double = _export(explorer, graph_id, "km", "png", "double", 600)
    _check_png(double, COLUMN_WIDTH_MM["double"], km.double_height_mm, 600)
    explorer.assert_no_errors()


def test_every_figure_of_the_page_exports_print_sized_svg_with_no_text_off_the_page(explorer):
    _open_page(explorer)
    saved = []
    for kind in PAGE_FIGURES:
        graph_id = _open_figure(explorer, kind)
        for column in ("single", "double"):
            saved.append((kind, column, _export(explorer, graph_id, kind, "svg", column)))
        if kind == "timelines":
            # The PNG of a figure sized by its rows (one per patient) keeps its border clear.
            rows = _export(explorer, graph_id, kind, "png", "single", 300)
    explorer.assert_no_errors()
    _check_png(rows, COLUMN_WIDTH_MM["single"], None, 300)
    for kind, column, path in saved:
        _check_svg(explorer, path, COLUMN_WIDTH_MM[column], FIGURES[kind].height_mm(column))


def test_the_offline_html_report_exports_its_figures(explorer, demo, tmp_path):
    report = build_report(
        demo, Filters(), group_by="asymptomatic_lesions", covariates=("asymptomatic_lesions",)
    )
    page = tmp_path / "report.html"
    page.write_text(report_html(report), encoding="utf-8")
    explorer.driver.get(page.as_uri())
    for kind in ("km", "forest"):
        explorer.wait_until(
            lambda kind=kind: explorer.driver.execute_script(_DRAWN_JS, f"report-{kind}-figure"),
            f"the report's {kind} figure drawn",
        )
    km = FIGURES["km"]
    png = _export(explorer, "report-km-figure", "km", "png", "double", 600)
    svg = _export(explorer, "report-forest-figure", "forest", "svg", "single")
    assert explorer.console_errors() == []
    _check_png(png, COLUMN_WIDTH_MM["double"], km.double_height_mm, 600)
    _check_svg(explorer, svg, COLUMN_WIDTH_MM["single"], None)
