"""The downloaded HTML report carries its own Content-Security-Policy: only its own inline
scripts run (by hash), nothing is loaded or sent, and it still draws its figures offline."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess

import pytest

from analytics.data.cohort import Filters
from analytics.data.demo import load_demo
from analytics.reports.report import build_report
from components.export.html_report import report_html

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


@pytest.fixture(scope="module")
def page() -> str:
    return report_html(build_report(load_demo(), Filters(), group_by="sex"))


def _policy(page: str) -> dict[str, list[str]]:
    found = META.search(page)
    assert found, "no CSP meta tag"
    assert page.index(found.group(0)) < page.index("<script"), "the policy must precede scripts"
    text = found.group(1).replace("&#x27;", "'")
    return {d.split()[0]: d.split()[1:] for d in text.split("; ")}


def test_every_inline_script_and_nothing_else_may_run(page):
    policy = _policy(page)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) >= 3  # plotly.js and one call per figure
    allowed = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    }
    assert set(policy["script-src"]) == allowed
    assert policy["default-src"] == ["'none'"]  # no fetch, no image or frame from anywhere
    assert "connect-src" not in policy  # falls back to 'none'
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'none'"]


@pytest.mark.browser
def test_the_report_still_draws_its_figures_in_chromium_under_its_policy(page, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no Chromium on PATH")
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    broken = tmp_path / "broken.html"  # the same page with plotly.js's hash wrong
    first_hash = _policy(page)["script-src"][0].strip("'")
    broken.write_text(page.replace(first_hash, "sha256-" + "A" * 43 + "="), encoding="utf-8")

    def drawn(file) -> int:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu"]
        command += ["--virtual-time-budget=5000", "--dump-dom", file.as_uri()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        return result.stdout.count('class="main-svg"')

    assert drawn(path) > 0
    assert drawn(broken) == 0  # the policy is in force: an unlisted script does not run
