"""The paper reproduction tab says what it compares and by which rule (issue 15): a published
HR of 25.9 against a recomputed 22.8 is "inside our CI", never "consistent" as if equal; the
internal-consistency column is named for what it checks."""

from __future__ import annotations

import pytest

from analytics.reports.paper import _interval_comparison, compare_with_paper
from components.panels import analyses as panels
from i18n.language import translate_message, using_language
from tests.dash_text import component_texts, components_of


@pytest.fixture(scope="module")
def comparison(demo):
    return compare_with_paper(demo)


def _row(comparison, quantity):
    return next(r for r in comparison.rows if r.quantity == quantity)


def _panel_rows(comparison):
    return [
        [" ".join(component_texts(cell)) for cell in tr.children]
        for tr in components_of(panels.paper_panel(comparison), "Tr")
    ]


def test_the_hr_row_states_both_values_the_ci_and_the_rule(comparison):
    hr = _row(comparison, "Cox HR, asymptomatic lesions")
    text = str(hr.comparison)
    assert text.startswith("Published 25.9, recomputed 22.8 (95% CI 2.38–218.9)")
    assert text.endswith("the published value lies inside our CI — compatible, not equal.")
    with using_language("es"):
        spanish = translate_message(hr.comparison)
    assert spanish.startswith("Publicado 25,9, recalculado 22,8 (IC 95 % 2,38–218,9)")
    assert "dentro de nuestro IC" in spanish


def test_a_published_value_outside_the_ci_is_said_to_be_outside():
    text = str(_interval_comparison(25.9, 3.1, 1.2, 8.0))
    assert text.endswith("lies outside our CI — not compatible.")


def test_rounded_comparisons_say_equal_or_which_numbers_differ(comparison):
    assert str(_row(comparison, "Patients").comparison) == "Equal at the published precision."
    female = str(_row(comparison, "Female").comparison)  # 45/54 = 83.3%, not 82.5%
    assert female == "Different at the published precision: published 82.5, recomputed 83.3."
    age = str(_row(comparison, "Median age (IQR)").comparison)  # 34.2 rounds to 34
    assert age == "Equal at the published precision."


@pytest.mark.parametrize(
    ("language", "compared", "agree", "rule"),
    [
        ("en", "Published vs recomputed", "✓ agree with each other",
         "rounded to the digits the abstract prints"),
        ("es", "Publicado frente a recalculado", "✓ concuerdan entre sí",
         "redondeado a los decimales que imprime el resumen"),
    ],
)  # fmt: skip
def test_the_panel_names_both_columns_and_states_the_rules(
    comparison, language, compared, agree, rule
):
    with using_language(language):
        header, *rows = _panel_rows(comparison)
    assert compared in header
    hr_row = next(r for r in rows if "25.9" in r[1])
    assert hr_row[header.index(compared)].startswith(("Published 25.9", "Publicado 25,9"))
    assert not [cell for row in rows for cell in row if cell.strip() == "✓ consistent"]
    assert agree in hr_row
    with using_language(language):
        assert rule in " ".join(component_texts(panels.paper_panel(comparison)))
