"""A Spanish clinic's file in real Chromium: the mapping step, the "M" question, the derived
months, and the page's numbers against the CLI on the independently converted file.

The files are tests/spanish_clinic.py's invented patients: an XLSX with date cells and a
``;`` CSV with decimal commas and day-first dates. The expected numbers are the CLI's on the
contract file that module converts with the standard library (not with the explorer), and
the CLI's own ``--map --derive-dates --sex-m F`` reading of the Spanish file must agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from explorer_page import DEFAULT_GROUP, cli_report
from selenium.webdriver.common.by import By

from tests import spanish_clinic as clinic

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clinic")
    written = {
        "xlsx": ("clinica.xlsx", clinic.spanish_xlsx()),
        "csv": ("clinica.csv", clinic.spanish_csv()),
        "contract": ("convertido.csv", clinic.contract_csv("F")),
    }
    paths = {}
    for kind, (name, data) in written.items():
        paths[kind] = folder / name
        paths[kind].write_bytes(data)
    return paths


def _mapping_step_shown(explorer) -> str | None:
    return explorer.visible_text("#upload-mapping-area")


def test_an_xlsx_with_spanish_headers_and_dates_loads_once_confirmed(explorer, files):
    expected = cli_report("--cohort", str(files["contract"]), *DEFAULT_GROUP)
    # The CLI reading the Spanish workbook as the page does gives the same numbers.
    mapped = cli_report(
        "--cohort", str(files["xlsx"]), "--map", "--derive-dates", "--sex-m", "F", *DEFAULT_GROUP
    )
    assert (mapped["n"], mapped["events"]) == (expected["n"], expected["events"])
    assert mapped["km"] == expected["km"]
    assert expected["n"] == clinic.N_PATIENTS
    assert expected["events"] == clinic.N_FAILURES

    explorer.open()
    explorer.open_tab("Data")
    demo = cli_report(*DEFAULT_GROUP)
    explorer.upload("upload-patients", files["xlsx"])

    step = explorer.wait_until(lambda: _mapping_step_shown(explorer), "the mapping step")
    assert "ID paciente" in step
    assert "patient_id" in step
    # The derivation is shown with its first patients: dates as dates, months computed.
    derived = explorer.text("#mapping-derived-followup_months")
    assert all(text in derived for text in ("HV-01", "2015-03-10", "2022-06-01"))
    assert "T00:00:00" not in step
    assert f"{2640 / clinic.DAYS_PER_MONTH:.1f}" in derived
    assert explorer.visible_text("#upload-sex-m-area")
    explorer.wait_settled()
    explorer.expect(demo)  # nothing is loaded before the user confirms

    # Confirming without saying what "M" means is refused: never guessed.
    explorer.click("upload-mapping-confirm")
    explorer.wait_until(
        lambda: "M" in (explorer.visible_text("#upload-status .alert-warning") or ""),
        "the question about M to be insisted on",
    )
    explorer.expect(demo)

    explorer.click_radio("upload-sex-m", "F")
    explorer.click("upload-mapping-confirm")
    loaded = explorer.wait_until(lambda: explorer.visible_text("#upload-ok"), "the upload")
    assert f"{clinic.N_PATIENTS} patients" in loaded
    assert "--map --derive-dates --sex-m F" in loaded
    assert not _mapping_step_shown(explorer)
    explorer.expect(expected)
    explorer.assert_no_errors()


def test_a_semicolon_csv_is_mapped_in_spanish(explorer, files):
    explorer.open("?lang=es")
    explorer.open_tab("Datos")
    explorer.upload("upload-patients", files["csv"])
    step = explorer.wait_until(lambda: _mapping_step_shown(explorer), "the mapping step")
    assert "Compruebe cómo se lee el archivo" in step
    assert "Fecha última visita" in step
    label = explorer.text("#upload-sex-m-label")
    assert "Mujer" in label
    assert "What" not in label

    explorer.click_radio("upload-sex-m", "F")
    explorer.click("upload-mapping-confirm")
    loaded = explorer.wait_until(lambda: explorer.visible_text("#upload-ok"), "the upload")
    assert f"{clinic.N_PATIENTS} pacientes" in loaded
    assert "calculado como" in loaded
    # The live count shows the converted cohort's patients.
    explorer.wait_settled()
    count = explorer.driver.find_element(By.ID, "card-n-value").text
    assert count.strip() == str(clinic.N_PATIENTS)
    explorer.assert_no_errors()
