"""Only the shown tab is rendered (issue 13): hidden tabs stay empty until opened, then show
the CLI's numbers for the current view; every change keeps the visible numbers the CLI's."""

from __future__ import annotations

import pytest
from explorer_page import DEFAULT_GROUP, cli_report

pytestmark = pytest.mark.browser


def _univariable_hrs(report: dict) -> list[float]:
    return [term["hr"] for term in report["univariable"]]


def _forest_shows(explorer, report: dict) -> bool:
    shown = explorer.forest_hazard_ratios("Univariable")
    return shown is not None and shown == pytest.approx(_univariable_hrs(report), rel=1e-9)


def _rendered_rows(explorer, css: str) -> int:
    return explorer.driver.execute_script(
        "return document.querySelectorAll(arguments[0]).length;", css
    )


def test_hidden_tabs_are_rendered_only_when_opened(explorer):
    explorer.open()
    explorer.click_radio("filter-sex", "F")
    women = cli_report(*DEFAULT_GROUP, "--sex", "F")
    explorer.expect(women)
    # Nothing of the hidden tabs was computed or sent: no forest data, no tables.
    assert explorer.forest_hazard_ratios("Univariable") is None
    for panel in ("#hazard-notes tr", "#lesion-panel tr", "#rates-panel tr", "#table-one tr"):
        assert _rendered_rows(explorer, panel) == 0, panel
    assert _rendered_rows(explorer, "#methods-paragraph") == 0
    # The Paper tab depends on the cohort alone: not built either until it is opened.
    assert _rendered_rows(explorer, "#paper-panel *") == 0

    explorer.open_tab("Hazard ratios")
    explorer.wait_until(lambda: _forest_shows(explorer, women), "the CLI's HRs in the forest")
    assert _rendered_rows(explorer, "#table-one tr") == 0  # still hidden, still empty
    explorer.open_tab("Table 1 & MANCOVA")
    explorer.wait_until(lambda: _rendered_rows(explorer, "#table-one tr") > 0, "Table 1")
    explorer.open_tab("Paper reproduction")
    explorer.wait_until(
        lambda: "25.9" in explorer.text("#paper-panel"), "the paper's HR on the Paper tab"
    )
    explorer.assert_no_errors()


def test_every_change_shows_the_clis_numbers(explorer):
    explorer.open()
    explorer.expect(cli_report(*DEFAULT_GROUP))
    # A radio, a slider, a dropdown and a checkbox, on the Survival tab.
    explorer.click_radio("filter-sex", "F")
    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F"))
    explorer.slide("filter-grace", 3, step=1)
    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F", "--grace-months", "3"))
    explorer.choose("filter-group-by", "gd_persistent")
    view = ("--group-by", "gd_persistent", "--sex", "F", "--grace-months", "3")
    explorer.expect(cli_report(*view))
    explorer.choose("filter-covariates", "age_at_rtx")
    view = (*view, "--covariates", "age_at_rtx")
    report = cli_report(*view)
    explorer.expect(report)

    # Opened now, the Hazard ratios tab shows the current view's models.
    explorer.open_tab("Hazard ratios")
    explorer.wait_until(lambda: _forest_shows(explorer, report), "the CLI's univariable HRs")
    multivariable = [term["hr"] for term in report["cox"]["terms"]]
    explorer.wait_until(
        lambda: explorer.forest_hazard_ratios("Multivariable") == pytest.approx(multivariable),
        "the CLI's multivariable HRs",
    )
    # A change while it is open: the cards and the forest follow.
    explorer.click_radio("filter-sex", "all")
    view = ("--group-by", "gd_persistent", "--grace-months", "3", "--covariates", "age_at_rtx")
    report = cli_report(*view)
    explorer.wait_until(lambda: _forest_shows(explorer, report), "the HRs of all patients")
    explorer.wait_until(lambda: explorer.cards()["n"] == str(report["n"]), "the patient count")

    # Back on the Survival tab: the curves are drawn for the view changed meanwhile.
    explorer.open_tab("Survival")
    explorer.expect(report)
    explorer.assert_no_errors()


def test_the_km_display_options_toggle_in_the_browser(explorer):
    explorer.open()
    report = cli_report(*DEFAULT_GROUP)
    explorer.expect(report)

    def bands_visible():
        figure = explorer.prop("km-graph", "figure") or {}
        return {t.get("visible") for t in figure.get("data", []) if t.get("meta") == "ci-band"}

    assert bands_visible() == {True}
    explorer.choose("km-options", "ci")  # untick the confidence bands
    explorer.wait_until(lambda: bands_visible() == {False}, "the bands hidden")
    explorer.choose("km-options", "events")
    explorer.wait_until(
        lambda: any(
            "(" in str(text)
            for t in (explorer.prop("km-graph", "figure") or {}).get("data", [])
            if t.get("mode") == "text"
            for text in t.get("text", [])
        ),
        "failures/censored in the risk table",
    )
    explorer.expect(report)  # the curves are the same
    explorer.assert_no_errors()


def test_the_methods_are_written_when_opened(explorer):
    explorer.open("?sex=M")
    report = cli_report(*DEFAULT_GROUP, "--sex", "M")
    explorer.expect(report)
    assert _rendered_rows(explorer, "#methods-paragraph") == 0
    # The Paper tab depends on the cohort alone: not built either until it is opened.
    assert _rendered_rows(explorer, "#paper-panel *") == 0
    explorer.click("methods-toggle")
    text = explorer.wait_until(
        lambda: explorer.visible_text("#methods-paragraph"), "the methods paragraph"
    )
    assert text.startswith(f"The analysis included {report['n']} patients")
    explorer.assert_no_errors()
