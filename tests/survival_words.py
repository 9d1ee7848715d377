"""The CLI's survival at a horizon, written as the page writes it (for the plots' captions)."""

from __future__ import annotations


def page_survival(at: dict) -> str:
    """'85% (95% CI 61%–93%)', or before any failure (S = 1, zero variance) what the page says
    instead of a degenerate interval (analytics.reports.display.format_survival)."""
    if at["survival"] == 1 and at["ci_low"] == at["ci_high"]:
        return "100% (no failures; CI not estimable)"
    return f"{at['survival']:.0%} (95% CI {at['ci_low']:.0%}–{at['ci_high']:.0%})"


def assert_reads(sentence: str, survival_at: dict, months: float) -> None:
    """``sentence`` lists the CLI's survival at ``months`` of every group followed then, in
    the CLI's order and nothing else."""
    expected = [
        page_survival(at)
        for rows in survival_at.values()
        for at in rows
        if at["time"] == months and at["at_risk"] > 0
    ]
    assert expected
    at = 0
    for value in expected:
        found = sentence.find(value, at)
        assert found >= 0, f"{value!r} not in {sentence[at:]!r}"
        at = found + len(value)
    assert sentence.count("(") == len(expected), sentence
