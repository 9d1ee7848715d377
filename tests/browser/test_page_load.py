"""Opening the dashboard: the synthetic label, the CLI's numbers, a clean console."""

from __future__ import annotations

import pytest
from explorer_page import DEFAULT_GROUP, cli_report

pytestmark = pytest.mark.browser


def test_first_page_shows_synthetic_label_and_cli_numbers(explorer):
    explorer.open()

    badge = explorer.text("#cohort-label")
    assert "Synthetic demo cohort" in badge
    assert "not real data" in badge
    explorer.expect(cli_report(*DEFAULT_GROUP))
    assert explorer.query() == ""
    explorer.assert_no_errors()
