"""Print sizes of exported figures: journal column widths, heights per figure, type sizes.

Widths. Single column 85 mm (3.35 in), double column 170 mm (6.69 in). Journals ask for
80-90 mm and 168-190 mm (Wiley, the publisher of Ann Clin Transl Neurol where the reproduced
study appeared: 80 and 168 mm; Elsevier 90 and 190 mm; Nature 89 and 183 mm; Cell 85 and
174 mm). At 85 and 170 mm a figure fits the wider journals unscaled and the narrowest with a
reduction of at most 6 % (8 pt text stays above 7.5 pt); the text sizes below are chosen so.

Heights. Plots of fixed content (Kaplan-Meier, MCF) have a height per width; plots with one
row per model term, subgroup or patient (forest, failure rates, timelines) keep the row
pitch of the screen figure, whose builders size them per row, within ``MIN_HEIGHT_MM`` and
``MAX_HEIGHT_MM`` (225 mm: under the 230-240 mm text height of Wiley and Elsevier pages).

Type and lines. Text 8 pt; every font of the figure set to 7-9 pt (tick labels and
risk-table counts 7 pt, title 9 pt); lines at least 0.5 pt. Figures are laid out at the print
size (plotly.js computes margins and wrapping for that width and those fonts), then written
in physical units: SVG ``width``/``height`` in mm, PNG pixels and pHYs dpi from the mm.

The numbers travel to the browser as JSON in each export button (``export_request``), where
``assets/figure_export.js`` lays out and writes the file, so the page and the offline HTML
report export identically and the tests read the promised sizes from here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Literal

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0

COLUMN_WIDTH_MM = {"single": 85.0, "double": 170.0}
PNG_DPI = (300, 600)
BASE_FONT_PT = 8.0
MIN_FONT_PT = 7.0
MAX_FONT_PT = 9.0
MIN_LINE_PT = 0.5
MIN_HEIGHT_MM = 45.0
MAX_HEIGHT_MM = 225.0

# The font embedded in exported figures (assets/fonts, SIL OFL 1.1, Debian fonts-liberation):
# metric-compatible with Arial, which journals list first; the same file measures the text
# in the browser and is embedded in the SVG, so the layout and the file agree.
FONT_FAMILY = "Liberation Sans"
FONT_STACK = "'Liberation Sans', Arial, Helvetica, sans-serif"
FONT_FILE = "fonts/LiberationSans-Regular.ttf"

Column = Literal["single", "double"]


@dataclass(frozen=True)
class FigureKind:
    """One exported figure: its file name stem and, for plots of fixed content, the height
    (mm) at each column width; ``None`` keeps the screen figure's per-row height."""

    stem: str
    single_height_mm: float | None = None
    double_height_mm: float | None = None
    # A figure of few rows still needs room for its row labels wrapped onto two lines.
    min_height_mm: float = MIN_HEIGHT_MM

    def height_mm(self, column: Column) -> float | None:
        return self.single_height_mm if column == "single" else self.double_height_mm


FIGURES = {
    # Curves over the number-at-risk table: square at one column, 170 x 120 at two.
    "km": FigureKind("nmosd-km", 85.0, 120.0),
    "mcf": FigureKind("nmosd-mcf", 90.0, 110.0),
    "forest": FigureKind("nmosd-forest", min_height_mm=70.0),
    "rates": FigureKind("nmosd-rates"),
    "timelines": FigureKind("nmosd-timelines"),
}

Format = Literal["png", "svg"]


@dataclass(frozen=True)
class ExportChoice:
    """One entry of the export menu: a file format (and dpi for PNG) at a column width."""

    format: Format
    column: Column
    dpi: int | None = None

    @property
    def width_mm(self) -> float:
        return COLUMN_WIDTH_MM[self.column]

    def file_name(self, kind: str) -> str:
        stem = f"{FIGURES[kind].stem}-{self.column}"
        return f"{stem}-{self.dpi}dpi.png" if self.format == "png" else f"{stem}.svg"


CHOICES = tuple(
    ExportChoice(fmt, column, dpi)
    for column in ("single", "double")
    for fmt, dpi in (("png", 300), ("png", 600), ("svg", None))
)


def export_request(kind: str, choice: ExportChoice) -> str:
    """What the browser needs to write ``choice`` of figure ``kind``, as JSON."""
    figure = FIGURES[kind]
    return json.dumps(
        {
            "format": choice.format,
            "dpi": choice.dpi,
            "widthMm": choice.width_mm,
            "heightMm": figure.height_mm(choice.column),
            "minHeightMm": figure.min_height_mm,
            "maxHeightMm": MAX_HEIGHT_MM,
            "basePt": BASE_FONT_PT,
            "minFontPt": MIN_FONT_PT,
            "maxFontPt": MAX_FONT_PT,
            "minLinePt": MIN_LINE_PT,
            "fontFamily": FONT_FAMILY,
            "fontStack": FONT_STACK,
            "fontFile": FONT_FILE,
            "fileName": choice.file_name(kind),
        },
        separators=(",", ":"),
    )


def pixels(length_mm: float, dpi: int) -> int:
    """The pixels of ``length_mm`` at ``dpi``, rounded half up as the browser's Math.round."""
    return math.floor(length_mm / MM_PER_INCH * dpi + 0.5)
