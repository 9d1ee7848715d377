"""One p-value rule for every place a p-value is written (analytics.reports.display)."""

from __future__ import annotations

import pytest

from analytics.reports.display import format_p, p_parts, p_value
from analytics.reports.sections import _ph_note
from i18n.language import using_language


@pytest.mark.parametrize(
    ("p", "relation", "shown"),
    [(0.0, "<", "0.001"), (0.000999, "<", "0.001"), (0.001, "=", "0.001"), (0.0996, "=", "0.10")],
)
def test_the_rule(p, relation, shown):
    found = p_parts(p)
    assert (found[0], str(found[1])) == (relation, shown)


def test_a_p_value_message_is_written_in_the_page_s_language():
    message = p_value(0.0002)
    assert message == "p < 0.001"  # English: the CLI's JSON and text
    assert message.render("es") == "p < 0,001"
    with using_language("es"):
        assert format_p(0.0002) == "p < 0,001"


def test_the_proportional_hazards_note_never_says_p_0_000():
    note = _ph_note("sex", 0.00002)
    assert "cox.zph score test p < 0.001)" in note
    assert "p < 0,001)" in note.render("es")
    assert "p = 0.012)" in _ph_note("sex", 0.0123)
