"""axe-core finds no WCAG 2.1 A/AA violation and no best-practice one in the real page: in
English and Spanish, on every tab once opened and computed, and with an upload's problems
listed (issue 15)."""

from __future__ import annotations

import os
from pathlib import Path

import axe
import pytest

from app.layout.page import TAB_KEYS

pytestmark = pytest.mark.browser
BAD_PATIENTS = Path(__file__).resolve().parents[1] / "data" / "bad" / "edss_out_of_range.csv"


@pytest.fixture(scope="module")
def axe_ready():
    missing = axe.missing_requirement()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"accessibility tests cannot run in CI: {missing}", pytrace=False)
        pytest.skip(f"accessibility tests skipped: {missing}")


def _open_tab(explorer, key: str) -> None:
    """Open the tab by its id (the labels are in the page's language), wait until it shows."""
    explorer.click(f"tab-{key}")
    explorer.wait_until(
        lambda: explorer.driver.execute_script(
            "const p = document.getElementById(arguments[0]); return p && !p.hidden;",
            f"panel-{key}",
        ),
        f"panel-{key} shown",
    )
    explorer.wait_settled()


def _violations_per_tab(explorer) -> dict[str, list[dict]]:
    found = {}
    for key in TAB_KEYS:
        _open_tab(explorer, key)
        violations = axe.violations(explorer.driver)
        if violations:
            found[key] = violations
    return found


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_axe_violations_on_any_tab(explorer, axe_ready, language):
    explorer.open(f"?lang={language}")
    assert explorer.driver.execute_script("return document.documentElement.lang") == language
    # The plots' words opened too, so their text is checked as well.
    explorer.driver.execute_script(
        "document.querySelectorAll('details.plot-caption-box').forEach(d => d.open = true)"
    )
    found = _violations_per_tab(explorer)
    report = "\n".join(f"[{tab}]\n{axe.describe(v)}" for tab, v in found.items())
    assert not found, f"axe violations ({language}):\n{report}"
    explorer.assert_no_errors()


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_axe_violations_with_upload_problems_listed(explorer, axe_ready, language):
    explorer.open(f"?lang={language}")
    _open_tab(explorer, "data")
    explorer.upload("upload-patients", BAD_PATIENTS)
    explorer.wait_until(lambda: explorer.visible_text("#upload-problems"), "upload problems")
    explorer.wait_settled()
    violations = axe.violations(explorer.driver)
    assert violations == [], axe.describe(violations)
    explorer.assert_no_errors()


def test_axe_does_find_a_violation(explorer, axe_ready):
    """The check can fail: an image without a text alternative is reported."""
    explorer.open()
    explorer.driver.execute_script(
        "const img = document.createElement('img'); img.src = 'data:,'; img.id = 'nameless';"
        "document.querySelector('main').appendChild(img);"
    )
    assert "image-alt" in [v["id"] for v in axe.violations(explorer.driver)]
