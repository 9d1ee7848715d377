"""The "Export figure" menu and the print sizes it asks for (the files themselves are checked
in real Chromium: tests/browser/test_figure_export.py)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from components.export.html_report import report_html
from components.export.menu import FIGURE_NAMES, export_menu, export_menu_html
from components.export.print_spec import (
    CHOICES,
    COLUMN_WIDTH_MM,
    FIGURES,
    MAX_FONT_PT,
    MIN_FONT_PT,
    MIN_LINE_PT,
    pixels,
)
from i18n.language import using_language


def _buttons(component) -> list:
    group = component.children[1]
    return list(group.children)


def test_every_figure_offers_png_300_and_600_dpi_and_svg_at_both_column_widths():
    offered = {(c.format, c.dpi, c.column) for c in CHOICES}
    assert offered == {
        (fmt, dpi, column)
        for fmt, dpi in (("png", 300), ("png", 600), ("svg", None))
        for column in ("single", "double")
    }
    assert set(FIGURES) == set(FIGURE_NAMES) == {"km", "forest", "rates", "timelines", "mcf"}


def test_column_widths_and_type_sizes_are_those_journals_ask_for():
    # Single column 80-90 mm, double 168-190 mm (Wiley, Elsevier, Nature, Cell).
    assert 80 <= COLUMN_WIDTH_MM["single"] <= 90
    assert 168 <= COLUMN_WIDTH_MM["double"] <= 190
    assert (MIN_FONT_PT, MAX_FONT_PT) == (7, 9)
    assert MIN_LINE_PT >= 0.5


def test_pixels_follow_the_physical_size():
    assert pixels(85, 300) == 1004  # 85 / 25.4 * 300 = 1003.94
    assert pixels(170, 600) == 4016  # 4015.75
    assert pixels(25.4, 300) == 300


@pytest.mark.parametrize("kind", sorted(FIGURES))
def test_each_button_carries_its_request(kind):
    buttons = _buttons(export_menu(f"{kind}-graph", kind))
    assert len(buttons) == len(CHOICES)
    for button, choice in zip(buttons, CHOICES, strict=True):
        request = json.loads(button.to_plotly_json()["props"]["data-export"])
        assert request["format"] == choice.format
        assert request["dpi"] == choice.dpi
        assert request["widthMm"] == COLUMN_WIDTH_MM[choice.column]
        assert request["heightMm"] == FIGURES[kind].height_mm(choice.column)
        assert request["fileName"].startswith(FIGURES[kind].stem)
        assert request["fileName"].endswith(".png" if choice.format == "png" else ".svg")
        assert button.type == "button"


def test_the_menu_is_labelled_and_names_its_figure_in_english_and_spanish():
    menu = export_menu("km-graph", "km")
    assert menu.children[0].children == "Export figure"
    group = menu.children[1].to_plotly_json()["props"]
    assert group["role"] == "group"
    assert group["aria-label"] == "Export figure: Kaplan–Meier plot"
    labels = [b.children for b in _buttons(menu)]
    assert labels[0] == "PNG, 300 dpi · single column, 85 mm"
    assert labels[-1] == "SVG, vector with embedded font · double column, 170 mm"
    with using_language("es"):
        menu = export_menu("km-graph", "km")
        assert menu.children[0].children == "Exportar figura"
        group = menu.children[1].to_plotly_json()["props"]
        assert group["aria-label"] == "Exportar figura: Gráfico de Kaplan–Meier"
        assert _buttons(menu)[1].children == "PNG, 600 ppp · una columna, 85 mm"


class _Menu(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[tuple[str, str]] = []
        self._request: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "button":
            self._request = dict(attrs)["data-export"]

    def handle_data(self, data):
        if self._request is not None:
            self.buttons.append((data, self._request))
            self._request = None


def test_the_report_menu_is_the_page_menu_as_html():
    page = [
        (b.children, b.to_plotly_json()["props"]["data-export"])
        for b in _buttons(export_menu("g", "forest"))
    ]
    parser = _Menu()
    parser.feed(export_menu_html("g", "forest"))
    assert parser.buttons == page


def test_the_report_offers_the_menu_under_each_figure_with_script_and_font(demo):
    from analytics.data.cohort import Filters
    from analytics.reports.report import build_report

    report = build_report(demo, Filters(), group_by="asymptomatic_lesions")
    html = report_html(report)
    for kind in ("km", "forest"):
        assert f'id="report-{kind}-figure"' in html
        assert f'data-export-graph="report-{kind}-figure"' in html
    assert "nmosdFigureExport" in html  # assets/figure_export.js, inlined
    font = re.search(r'data-export-font="data:font/ttf;base64,([A-Za-z0-9+/=]+)"', html)
    assert font is not None
    assert len(font.group(1)) > 100_000
