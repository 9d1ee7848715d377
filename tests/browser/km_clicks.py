"""Clicking the Kaplan–Meier figure in Chromium at a point given in data coordinates.

Pixel positions come from the figure's own axis ranges and the curve panel's drag area on
screen (plotly's axis conversions, ``_fullLayout``'s ``l2p``, are private); plotly's public
``plotly_click`` event says which point, if any, a click hit.
"""

from __future__ import annotations

from dataclasses import dataclass

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

DRAG_AREA = '#km-graph .nsewdrag[data-subplot="xy"]'
_AREA_JS = """
const drag = document.querySelector(arguments[0]);
if (!drag) { return null; }
const box = drag.getBoundingClientRect();
return {left: box.left, top: box.top, width: box.width, height: box.height};
"""
_LISTEN_JS = """
const gd = document.querySelector('#km-graph .js-plotly-plot');
window.__kmClicks = [];
gd.on('plotly_click', d => window.__kmClicks.push(d.points[0].customdata || null));
"""


@dataclass(frozen=True)
class KmPlot:
    """The curve panel on screen (page pixels) and the figure drawn in it."""

    area: dict
    figure: dict

    def pixel(self, x: float, y: float) -> tuple[float, float]:
        """Page pixel of data point (x, y) on the curve panel (linear axes, set ranges)."""
        x0, x1 = self.figure["layout"]["xaxis"]["range"]
        y0, y1 = self.figure["layout"]["yaxis"]["range"]
        return (
            self.area["left"] + (x - x0) / (x1 - x0) * self.area["width"],
            self.area["top"] + (1 - (y - y0) / (y1 - y0)) * self.area["height"],
        )


def open_km(explorer, query: str = "") -> KmPlot:
    """Open the page, bring the KM graph into view and listen to its clicks."""
    explorer.open(query)
    graph = explorer.driver.find_element(By.CSS_SELECTOR, "#km-graph")
    explorer.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", graph
    )
    area = explorer.wait_until(
        lambda: explorer.driver.execute_script(_AREA_JS, DRAG_AREA), "the KM plot"
    )
    explorer.driver.execute_script(_LISTEN_JS)
    return KmPlot(area, explorer.prop("km-graph", "figure"))


def click_at(explorer, plot: KmPlot, x: float, y: float) -> list | None:
    """Click data point (x, y): the customdata of the point plotly reported, once the page
    lists its patients; None when the click hit no point."""
    drag = explorer.driver.find_element(By.CSS_SELECTOR, DRAG_AREA)
    px, py = plot.pixel(x, y)
    before = explorer.driver.execute_script("return window.__kmClicks.length;")
    # Offsets from the drag area's centre, where move_to_element puts the mouse.
    dx = round(px - (plot.area["left"] + plot.area["width"] / 2))
    dy = round(py - (plot.area["top"] + plot.area["height"] / 2))
    chain = ActionChains(explorer.driver).move_to_element(drag).move_by_offset(dx, dy)
    chain.pause(0.1).click().perform()
    # plotly_click fires within the mouse events, before perform() returns.
    clicks = explorer.driver.execute_script("return window.__kmClicks;")
    if len(clicks) == before:
        return None
    custom = clicks[-1]
    explorer.wait_until(
        lambda: (explorer.prop("km-step-store", "data") or {}).get("time") == custom[1],
        "the clicked step's patients",
    )
    explorer.wait_settled()
    return custom
