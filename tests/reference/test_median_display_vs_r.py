"""Medians with R's confidence limits on the page, in the HTML report and in the CLI text.

R (fixture ``ovarian.json``, ``km_rx``)::

    print(survfit(Surv(followup_months, failure) ~ rx, data = ovarian, conf.type = "log-log"))
    #       n events median 0.95LCL 0.95UCL
    # rx=1 13      7    638     156      NA
    # rx=2 13      5     NA     464      NA

so the page must read "638.0 (95% CI 156.0–NR)" and "NR (95% CI 464.0–NR)", never
"(95% CI n/a)" or a bare "not reached". Ovarian's first failures are on day 59 (rx 1) and
day 353 (rx 2): at the KM table's horizons before them (12, 24, 60) the curve is still 1 with
zero variance (R's summary(fit, times) prints 1-1), which the table says is no interval.
"""

from __future__ import annotations

import pytest

from analytics.__main__ import main
from analytics.data.cohort import Filters
from analytics.data.io import load_cohort
from analytics.reports.report import build_report
from components.export.html_report import report_html
from components.panels import analyses as panels
from tests.dash_text import component_texts
from tests.reference.conftest import REFERENCE_DIR


def _limit(value: float | None) -> str:
    return "NR" if value is None else f"{value:.1f}"


@pytest.fixture(scope="module")
def ovarian_report():
    cohort = load_cohort(REFERENCE_DIR / "ovarian.csv")
    return build_report(cohort, Filters(), group_by="rx")


@pytest.fixture(scope="module")
def expected(r_results) -> dict[str, str]:
    """Group -> R's median and limits as the page writes them."""
    return {
        group: f"{_limit(c['median'])} (95% CI {_limit(c['median_lower'])}–"
        f"{_limit(c['median_upper'])})"
        for group, c in r_results("ovarian")["km_rx"].items()
    }


def test_km_table_shows_r_median_limits(ovarian_report, expected) -> None:
    text = component_texts(panels.km_summary(ovarian_report))
    for shown in expected.values():
        assert shown in text
    assert any("NR: not reached" in piece for piece in text)


def test_html_report_shows_r_median_limits(ovarian_report, expected) -> None:
    html = report_html(ovarian_report)
    for shown in expected.values():
        assert f"<td>{shown}</td>" in html
    assert "NR: not reached" in html


def test_cli_text_shows_r_median_limits(capsys, expected) -> None:
    argv = ["report", "--cohort", str(REFERENCE_DIR / "ovarian.csv"), "--group-by", "rx"]
    assert main([*argv, "--format", "text"]) == 0
    out = capsys.readouterr().out
    for group, shown in expected.items():
        # The group is named as on the page: "column: level" (rx has no label of its own).
        assert f"  rx: {group}: n 13, failures" in out
        assert f"median {shown.replace('–', '-')}" in out


def test_survival_before_the_first_failure_has_no_zero_width_interval(ovarian_report) -> None:
    text = " ".join(component_texts(panels.km_summary(ovarian_report)))
    before_any_failure = [
        s for rows in ovarian_report.survival_at.values() for s in rows if s.cumulative_events == 0
    ]
    assert len(before_any_failure) == 5  # rx 1 at 12 and 24; rx 2 at 12, 24 and 60
    assert text.count("100% (no failures; CI not estimable)") == len(before_any_failure)
    assert "100%–100%" not in text
