"""Clicking a Kaplan–Meier drop lists the patients who failed there (issue 13), in Chromium.

Every drop of the default view's curves (demo cohort, grouped by asymptomatic lesions) is
clicked at the middle of its vertical segment and at its top corner; every censoring tick
with no other click target within a few pixels is clicked too (pixel positions: km_clicks).
The expected patients come from the analysis frame. Before the fix (commit c23f570) 4 of
the 24 drop clicks listed the right patients; every clear censoring tick did.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from explorer_page import DEFAULT_GROUP, cli_report
from km_clicks import KmPlot, click_at, open_km
from selenium.webdriver.common.by import By

from analytics.data.cohort import Filters, analysis_frame
from analytics.data.demo import load_demo
from analytics.stats.subgroups import level_labels

pytestmark = pytest.mark.browser

GROUP_BY = "asymptomatic_lesions"
# Ticks closer than this to another click target are ambiguous to a hand too: not clicked.
TICK_CLEARANCE_PX = 8


@dataclass(frozen=True)
class Target:
    """A place to click: a curve key, a month, and the point in data coordinates."""

    what: str  # "drop middle", "drop corner" or "censoring tick"
    group: str
    month: float
    y: float
    expected: tuple[str, ...]  # patient codes the panel must list (failed or censored)


def _patients_at(kind: str) -> dict[tuple[str, float], tuple[str, ...]]:
    """(group, month) -> codes of patients who failed (kind "failed") or were censored then."""
    frame = analysis_frame(load_demo(), Filters())
    groups = level_labels(frame[GROUP_BY])
    wanted = frame["failure"] == (1 if kind == "failed" else 0)
    found: dict[tuple[str, float], list[str]] = {}
    for group, month, code in zip(
        groups[wanted], frame.loc[wanted, "time_months"], frame.loc[wanted, "patient_id"],
        strict=True,
    ):  # fmt: skip
        found.setdefault((str(group), float(month)), []).append(str(code))
    return {key: tuple(sorted(codes)) for key, codes in found.items()}


def _targets() -> tuple[list[Target], list[Target]]:
    """The drops (middle and top corner) and the censoring ticks of the default view."""
    failed, censored = _patients_at("failed"), _patients_at("censored")
    drops, ticks = [], []
    for group, curve in cli_report(*DEFAULT_GROUP)["km"]["groups"].items():
        points = list(zip(curve["timeline"], curve["survival"], curve["censored_at"], strict=True))
        for (_, before, _), (month, after, n_censored) in zip(points, points[1:], strict=False):
            if after < before:
                codes = failed[(group, month)]
                drops.append(Target("drop middle", group, month, (before + after) / 2, codes))
                drops.append(Target("drop corner", group, month, before, codes))
            if n_censored:
                ticks.append(
                    Target("censoring tick", group, month, after, censored[(group, month)])
                )
    return drops, ticks


def _clear_ticks(ticks, drops, plot: KmPlot) -> list[Target]:
    """Ticks with no other click target (tick, drop segment) within TICK_CLEARANCE_PX."""
    clear = []
    for tick in ticks:
        tx, ty = plot.pixel(tick.month, tick.y)
        others = [t for t in ticks if t != tick] + drops
        near = any(
            abs(ox - tx) < TICK_CLEARANCE_PX and abs(oy - ty) < TICK_CLEARANCE_PX
            for other in others
            for ox, oy in [plot.pixel(other.month, other.y)]
        )
        if not near:
            clear.append(tick)
    return clear


def _listed(explorer) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """The selected step's group and the failed and censored codes the panel lists."""
    selected = explorer.prop("km-step-store", "data") or {}

    def codes(css: str) -> tuple[str, ...]:
        found = explorer.driver.find_elements(By.CSS_SELECTOR, css)
        text = found[0].text if found else ""
        return tuple(sorted(c.strip() for c in text.split(",") if c.strip() and c != "none"))

    return selected.get("group"), codes("#km-step-failed"), codes("#km-step-censored")


def _right(explorer, target: Target, custom) -> bool:
    if custom is None:
        return False
    group, failed, censored = _listed(explorer)
    listed = failed if target.what.startswith("drop") else censored
    return group == target.group and listed == target.expected


def _run(explorer, plot: KmPlot, targets) -> list[str]:
    wrong = []
    for target in targets:
        custom = click_at(explorer, plot, target.month, target.y)
        if not _right(explorer, target, custom):
            wrong.append(f"{target.what} group {target.group} month {target.month:g}: {custom}")
    return wrong


def test_clicking_every_drop_lists_the_patients_who_failed_there(explorer):
    drops, _ = _targets()
    assert len(drops) == 2 * 12  # 12 drops in the demo's default view: middle and corner
    wrong = _run(explorer, open_km(explorer), drops)
    right = len(drops) - len(wrong)
    print(f"KM drop clicks right: {right} of {len(drops)}")
    assert wrong == [], f"{right} of {len(drops)} right; wrong: {wrong}"
    explorer.assert_no_errors()


def test_clicking_a_censoring_tick_lists_that_patient(explorer):
    drops, ticks = _targets()
    plot = open_km(explorer)
    clear = _clear_ticks(ticks, drops, plot)
    assert len(clear) >= 10, "too few clearly separated ticks to test"
    wrong = _run(explorer, plot, clear)
    right = len(clear) - len(wrong)
    print(f"KM censoring-tick clicks right: {right} of {len(clear)}")
    assert wrong == [], f"{right} of {len(clear)} right; wrong: {wrong}"
    explorer.assert_no_errors()


def test_clicking_a_long_flat_far_from_drops_and_ticks_lists_nothing(explorer):
    """The lesion group's flat at 52.9 % from month 47.1 (its last failure) to 56.0 (a
    censoring): its middle is far from any drop or tick, so it names no step."""
    plot = open_km(explorer)
    left, right = plot.pixel(47.1, 0.5), plot.pixel(56.0, 0.5)
    assert right[0] - left[0] > 30, "the flat is too short on screen for this test"
    survival = dict(
        zip(
            *[cli_report(*DEFAULT_GROUP)["km"]["groups"]["1"][k] for k in ("timeline", "survival")],
            strict=True,
        )
    )
    assert click_at(explorer, plot, (47.1 + 56.0) / 2, survival[47.1]) is None
    assert explorer.prop("km-step-store", "data") is None
    explorer.assert_no_errors()
