"""The Spanish interface in real Chromium: the switch, the URL, decimal commas, the methods text.

Expected numbers come from the CLI for the same view, written the Spanish way (decimal comma,
a space before %), so the test checks both the words and that the numbers did not change.
"""

from __future__ import annotations

import pytest
from explorer_page import cli_report
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.browser


def _spanish_percent(estimate: float) -> str:
    return f"{100 * estimate:.1f}".replace(".", ",") + "\u00a0%"


def _html_lang(explorer) -> str:
    return explorer.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def _card(explorer, key: str) -> str:
    return explorer.cards()[key] or ""


def test_switching_to_spanish_keeps_the_view_and_its_numbers(explorer):
    explorer.open("?sex=F&group=sex")
    women = cli_report("--sex", "F", "--group-by", "sex")
    explorer.expect(women)
    assert _html_lang(explorer) == "en"

    explorer.click("language-link")
    explorer.wait_until(lambda: "lang=es" in explorer.query(), "the URL names Spanish", 30)
    explorer.wait_until(lambda: _html_lang(explorer) == "es", "<html lang=es>", 30)
    explorer.wait_until(
        lambda: (
            _card(explorer, "proportion") == _spanish_percent(women["failure_rate"]["estimate"])
        ),
        "the failure proportion with a decimal comma",
        30,
    )
    explorer.wait_settled()
    # The same view: its filters came back from the URL.
    assert explorer.radio_value("filter-sex") == "F"
    assert explorer.prop("filter-group-by", "value") == "sex"
    assert _card(explorer, "n") == str(women["n"])
    page = explorer.text("body")
    assert "Filtros" in page
    assert "Trayectorias" in page  # a tab
    assert "Métodos de esta vista" in page
    explorer.click("methods-toggle")  # the methods are written when their section is opened
    methods = explorer.wait_until(
        lambda: explorer.visible_text("#methods-paragraph"), "the methods paragraph"
    )
    assert methods.startswith(f"El análisis incluyó {women['n']} pacientes")
    explorer.assert_no_errors()


def test_a_filter_changed_in_spanish_keeps_spanish_in_the_url(explorer):
    explorer.open("?lang=es")
    explorer.click_radio("filter-sex", "M")
    men = cli_report("--sex", "M")
    explorer.wait_until(lambda: _card(explorer, "n") == str(men["n"]), "the men's n", 30)
    explorer.wait_until(lambda: "sex=M" in explorer.query(), "sex=M in the URL", 30)
    assert "lang=es" in explorer.query()
    explorer.wait_settled()

    # Back to English from the switch: same filters, English words, decimal point.
    explorer.click("language-link")
    explorer.wait_until(lambda: _html_lang(explorer) == "en", "<html lang=en>", 30)
    explorer.wait_until(
        lambda: _card(explorer, "proportion") == f"{men['failure_rate']['estimate']:.1%}",
        "the failure proportion with a decimal point",
        30,
    )
    assert "lang=" not in explorer.query()
    assert "sex=M" in explorer.query()
    assert "Filters" in explorer.text("body")
    explorer.assert_no_errors()
