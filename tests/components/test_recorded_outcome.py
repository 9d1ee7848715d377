"""A failure-column cohort (no relapses file): the card and the HTML report say the outcome is
the recorded column, not a grace-period definition that was never applied (issue 12)."""

from __future__ import annotations

from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from components.export.html_report import report_html
from components.panels.cards import summary_cards
from tests.conftest import make_cohort
from tests.dash_text import component_texts


def test_a_failure_column_cohort_says_so_on_the_card_and_in_the_report(small_patients):
    report = build_report(make_cohort(small_patients), Filters())
    assert "as recorded in the failure column" in component_texts(summary_cards(report, report.n))
    html = report_html(report)
    assert "grace_months" not in html
    assert "grace period 6 months" not in html
    assert "no grace period was applied" in html


def test_a_relapses_cohort_keeps_the_grace_period_wording(demo):
    report = build_report(demo, Filters(grace_months=3))
    assert "relapse after the grace period" in component_texts(summary_cards(report, report.n))
    assert "grace period 3 months" in report_html(report)
