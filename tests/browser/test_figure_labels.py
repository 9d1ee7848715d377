"""No figure label is clipped or collides, from 1024 to 1920 px, in English and Spanish (issue 15).

Every figure of every tab is measured in Chromium (tests/browser/figure_labels.py): each SVG
text (titles, tick labels, axis titles, annotations, legend, risk-table numbers, the forest's
"HR (CI), p" column) inside its figure (data text inside its plot area), no two texts
overlapping, the toolbar over no text and the legend over no plot. The Kaplan–Meier figure is
also measured at the 1-year horizon (3-monthly ticks and at-risk columns) and in KMunicate
style. One page load per language; each width is a window resize, after which plotly lays
the figures out again (waited for: each figure as wide as its slot).
"""

from __future__ import annotations

import pytest
from figure_labels import LABEL_PROBLEMS_JS, TEXT_COUNT_JS
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.browser

WIDTHS = (1024, 1280, 1440, 1920)
LANGUAGES = ("en", "es")
HEIGHT = 900
# Seconds to wait for a drawing on a machine busy with other work (CI runs several suites).
SLOW = 90.0
# Tab key -> the graph it shows (the tabs without a figure have none to measure).
FIGURES = {
    "km": "km-graph",
    "timelines": "timeline-graph",
    "hr": "forest-graph",
    "rates": "rates-graph",
    "relapses": "relapse-mcf-graph",
}

_GRAPH_READY_JS = """
const graph = document.getElementById(arguments[0]);
if (!graph || !graph.getClientRects().length) { return false; }
const svg = graph.querySelector('svg.main-svg');
if (!svg || graph.classList.contains('dash-graph--pending')) { return false; }
// Drawn (traces in the plot, not the "Computing…" placeholder) and laid out for this width.
const traces = graph.querySelectorAll('.scatterlayer .trace').length;
const slot = graph.getBoundingClientRect().width;
return traces > 0 && Math.abs(svg.getBoundingClientRect().width - slot) <= 1;
"""

_loaded: dict[str, str | None] = {"language": None, "url": None}


@pytest.fixture
def page(explorer):
    """The page in a window of the test's width; the usual 1440 x 900 afterwards."""
    yield explorer
    explorer.driver.set_window_size(1440, HEIGHT)


def _show(page, language: str, width: int) -> None:
    page.driver.set_window_size(width, HEIGHT)
    if _loaded["language"] != language or page.driver.current_url != _loaded["url"]:
        page.driver.get(f"{page.server_url}/{'' if language == 'en' else '?lang=es'}")
        page.wait_until(lambda: page.driver.find_elements(By.ID, "card-n-value"), "the cards", SLOW)
        page.wait_settled(SLOW)
        _loaded.update(language=language, url=page.driver.current_url)


def _measure(page, tab: str, graph_id: str, what: str) -> list[str]:
    page.driver.execute_script(f"document.getElementById('tab-{tab}').click()")
    page.wait_until(
        lambda: page.driver.execute_script(_GRAPH_READY_JS, graph_id),
        f"{what} drawn at the window's width",
        SLOW,
    )
    page.wait_settled(SLOW)
    page.wait_until(
        lambda: page.driver.execute_script(_GRAPH_READY_JS, graph_id), f"{what} laid out", SLOW
    )
    graph = page.driver.find_element(By.ID, graph_id)
    assert page.driver.execute_script(TEXT_COUNT_JS, graph) >= 5, f"{what}: no text measured"
    return [f"{what}: {p}" for p in page.driver.execute_script(LABEL_PROBLEMS_JS, graph)]


def _km_view(page, control: str, value: str, tick_months: list[float] | None = None) -> None:
    page.driver.execute_script("document.getElementById('tab-km').click()")
    page.choose(control, value)
    if tick_months is not None:
        page.wait_until(
            lambda: (
                (page.prop("km-graph", "figure") or {})
                .get("layout", {})
                .get("xaxis2", {})
                .get("tickvals")
                == tick_months
            ),
            f"KM ticks at {tick_months}",
            SLOW,
        )
    page.wait_settled(SLOW)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_figure_label_is_clipped_or_overlapping(page, language, width):
    _show(page, language, width)
    problems = []
    for tab, graph_id in FIGURES.items():
        problems += _measure(page, tab, graph_id, f"{tab} at {width} px, {language}")
    # The 1-year horizon: ticks and at-risk columns every 3 months (it showed only "0").
    _km_view(page, "filter-horizon", "12", [0, 3, 6, 9, 12])
    problems += _measure(page, "km", "km-graph", f"KM, 1 year, at {width} px, {language}")
    _km_view(page, "km-options", "kmunicate")  # ticked: the KMunicate table
    problems += _measure(page, "km", "km-graph", f"KMunicate at {width} px, {language}")
    _km_view(page, "km-options", "kmunicate")  # unticked again
    _km_view(page, "filter-horizon", "full")
    _loaded["url"] = page.driver.current_url
    assert problems == []
    page.assert_no_errors()
