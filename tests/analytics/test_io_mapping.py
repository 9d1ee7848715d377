"""A clinic's own file: Spanish headers and values, months from dates, the mapping as a
user decision (analytics.data.mapping), problems per column, translations, the CSV export.

The expected cohort is the contract file tests/spanish_clinic.py converts independently
(standard library dates, days / (365.25 / 12)), never the explorer's own earlier output.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math

import pandas as pd
import pytest

from analytics.__main__ import main as cli_main
from analytics.data.cohort import Filters, analysis_frame
from analytics.data.io import export_notes, load_cohort, read_table, write_csv
from analytics.data.mapping import (
    DAYS_PER_MONTH,
    MappingChoice,
    cli_flags,
    examples,
    months_between,
    parse_date,
    propose,
)
from analytics.data.problem_summary import summarise
from analytics.data.schema import CohortValidationError
from i18n.language import translate_message, using_language
from tests import spanish_clinic as clinic


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return load_cohort(clinic.contract_csv("F"), patients_name="contract.csv").patients


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[sorted(frame.columns)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_proposal_maps_spanish_headers_values_and_dates(kind: str) -> None:
    data = clinic.spanish_csv() if kind == "csv" else clinic.spanish_xlsx()
    proposal = propose(read_table(data, f"clinica.{kind}"))
    assert dict(proposal.headers) == {
        "ID paciente": "patient_id",
        "Sexo": "sex",
        "Edad": "age_at_rtx",
        "EDSS basal": "edss_baseline",
        "Lesiones asintomáticas": "asymptomatic_lesions",
        "Gd persistente": "gd_persistent",
    }
    assert set(proposal.values["sex"]) == {"Mujer", "Hombre"}
    assert set(proposal.values["asymptomatic_lesions"]) == {"Sí", "No"}
    assert proposal.spanish
    assert proposal.m_ambiguous
    assert proposal.needs_confirmation
    assert proposal.failure_from_date  # no failure column: the failure date gives it
    derived = {d.target: (d.start, d.end, d.derived) for d in proposal.derivations}
    assert derived == {
        "followup_months": ("Fecha primera infusión", "Fecha última visita", clinic.N_PATIENTS),
        "failure_months": ("Fecha primera infusión", "Fecha fracaso", clinic.N_FAILURES),
    }


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_confirmed_mapping_gives_the_independently_converted_cohort(
    kind: str, expected: pd.DataFrame
) -> None:
    data = clinic.spanish_csv() if kind == "csv" else clinic.spanish_xlsx()
    choice = propose(read_table(data, "clinica")).choice(m_means="F", derive_dates=True)
    cohort = load_cohort(data, patients_name=f"clinica.{kind}", mapping=choice)
    assert len(cohort.patients) == clinic.N_PATIENTS
    assert int(cohort.patients["failure"].sum()) == clinic.N_FAILURES
    # The date columns are gone: the months replace them (a date is more identifying).
    assert not [c for c in cohort.patients.columns if c.lower().startswith("fecha")]
    pd.testing.assert_frame_equal(_sorted(cohort.patients), _sorted(expected))
    assert cohort.derived_months == ("followup_months", "failure_months")


def test_m_is_never_guessed_in_a_spanish_file() -> None:
    raw = read_table(clinic.spanish_csv(), "clinica.csv")
    choice = propose(raw).choice(m_means=None, derive_dates=True)
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(clinic.spanish_csv(), patients_name="clinica.csv", mapping=choice)
    ambiguous = [p for p in caught.value.problems if p.value == "M"]
    assert [p.row for p in ambiguous] == [3, 6, 10]
    assert all(p.column == "Sexo" and "Mujer or Masculino" in p.rule for p in ambiguous)
    assert len(caught.value.problems) == 3  # nothing else is wrong with the file
    # Read as Masculino, the three patients are men.
    men = propose(raw).choice(m_means="M", derive_dates=True)
    cohort = load_cohort(clinic.spanish_csv(), patients_name="clinica.csv", mapping=men)
    assert (cohort.patients["sex"] == "M").sum() == 3 + 3


def test_m_in_an_english_file_is_male_as_the_contract_says() -> None:
    data = b"patient_id,followup_months,failure,failure_months,sex\nA,10,0,,M\nB,12,1,3,F\n"
    proposal = propose(read_table(data, "en.csv"))
    assert not proposal.m_ambiguous
    assert not proposal.needs_confirmation
    assert list(load_cohort(data).patients["sex"]) == ["M", "F"]


def test_another_mapping_is_another_cohort() -> None:
    data = clinic.spanish_csv()
    proposal = propose(read_table(data, "clinica.csv"))
    women = load_cohort(data, mapping=proposal.choice("F"))
    men = load_cohort(data, mapping=proposal.choice("M"))
    assert women.fingerprint != men.fingerprint
    from app.state.cohort_store import UploadFiles

    files = [UploadFiles(data, "c.csv", mapping=proposal.choice(m).to_json()) for m in "FM"]
    assert files[0].digest() != files[1].digest() != UploadFiles(data, "c.csv").digest()
    # The choice survives its JSON (what the page's store and the restore send).
    assert MappingChoice.from_json(proposal.choice("F").to_json()) == proposal.choice("F")
    assert cli_flags(proposal.choice("F")) == "--map --derive-dates --sex-m F"


@pytest.mark.parametrize("bad", ['{"m_means": "X"}', "[]", '{"headers": [["a"]]}', "{"])
def test_a_forged_mapping_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"mapping choice|m_means|pairs|Expecting"):
        MappingChoice.from_json(bad)


def test_dates_and_the_month_definition() -> None:
    assert parse_date("2019-07-02") == parse_date("02/07/2019") == parse_date("2.7.2019")
    assert parse_date("2019-07-02T00:00:00") is not None
    assert parse_date("02/07/19") is None  # 1919 or 2019: refused
    assert parse_date("31/02/2019") is None
    start, end = parse_date("2019-01-01"), parse_date("2020-01-01")
    assert start is not None
    assert end is not None
    assert months_between(start, end) == pytest.approx(365 / (365.25 / 12))
    assert DAYS_PER_MONTH == 30.4375


def test_the_mapping_step_shows_derived_examples() -> None:
    raw = read_table(clinic.spanish_csv(), "clinica.csv")
    shown = examples(raw, propose(raw))
    first = shown["followup_months"][0]
    assert (first.patient, first.start, first.end) == ("HV-01", "2015-03-10", "2022-06-01")
    assert first.months == pytest.approx((2640) / 30.4375)
    assert [e.patient for e in shown["failure_months"]] == ["HV-01", "HV-03", "HV-05"]


def test_a_date_cell_of_a_workbook_is_shown_as_a_date() -> None:
    raw = read_table(clinic.spanish_xlsx(), "clinica.xlsx")
    assert raw["Fecha última visita"].iloc[5] == "2019-07-02"


def test_a_bad_date_is_one_problem_and_a_date_without_a_start_another() -> None:
    text = clinic.spanish_csv().decode("utf-8-sig")
    text = text.replace("01/06/2022", "1 junio 2022").replace("20/01/2016", "")
    data = text.encode()
    choice = propose(read_table(data, "c.csv")).choice("F")
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(data, patients_name="c.csv", mapping=choice)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(2, "Fecha última visita"), (3, "Fecha última visita")}


def test_one_bad_failure_months_cell_is_one_problem() -> None:
    data = b"patient_id,followup_months,failure,failure_months\nA,24,1,abc\nB,24,0,\n"
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(data, patients_name="p.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "failure_months")]


def test_problems_are_summarised_per_column_with_the_date_hint() -> None:
    rows = "".join(f"P{i},2019-07-{i + 1:02d},0,\n" for i in range(80))
    data = ("patient_id,followup_months,failure,failure_months\n" + rows + "Q,x,0,\n").encode()
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(data, patients_name="p.csv")
    groups = summarise(caught.value.problems)
    assert [(g.column, g.count, g.dates) for g in groups] == [
        ("followup_months", 80, True),
        ("followup_months", 1, False),
    ]
    assert groups[0].shown_rows == (2, 3, 4, 5, 6)


def test_upload_messages_are_spanish_in_spanish() -> None:
    data = b"patient_id,followup_months,failure,failure_months,sex\nA,2019-07-02,0,,W\n"
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(data, patients_name="p.csv")
    with using_language("es"):
        rendered = [translate_message(p.rule) for p in caught.value.problems]
        ambiguous = translate_message(
            load_error(clinic.spanish_csv(), propose_choice=None).problems[0].rule
        )
    assert rendered == ["debe ser un número de meses, no una fecha", "debe ser F o M"]
    assert "Mujer" in ambiguous
    assert "ambiguous" not in ambiguous


def load_error(data: bytes, propose_choice: str | None) -> CohortValidationError:
    choice = propose(read_table(data, "c.csv")).choice(propose_choice)
    try:
        load_cohort(data, patients_name="c.csv", mapping=choice)
    except CohortValidationError as error:
        return error
    raise AssertionError("the file loaded")


def test_the_csv_export_writes_0_1_and_the_filters_that_made_it(expected: pd.DataFrame) -> None:
    cohort = load_cohort(clinic.contract_csv("F"), patients_name="contract.csv")
    filters = Filters(sex="F", grace_months=6)
    frame = analysis_frame(cohort, filters)
    text = write_csv(frame, comments=export_notes(cohort, filters, len(frame)))
    assert text is not None
    notes = [line for line in text.splitlines() if line.startswith("#")]
    assert notes[1] == "# filters: sex=F; grace_months=6"
    assert notes[2] == f"# patients: {len(frame)}"
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    assert {row["failure"] for row in rows} == {"0", "1"}
    assert {row["gd_persistent"] for row in rows} == {"0", "1"}
    assert not any(row["failure_months"].endswith(".0") for row in rows)
    # The explorer reads its own export back, notes and all.
    again = load_cohort(text.encode(), patients_name="export.csv").patients
    assert len(again) == len(frame)
    assert math.isclose(again["followup_months"].sum(), frame["followup_months"].sum())


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["report", *args])
    return code, out.getvalue(), err.getvalue()


def test_the_cli_reads_the_spanish_file_only_when_told_how(tmp_path) -> None:
    spanish = tmp_path / "clinica.csv"
    spanish.write_bytes(clinic.spanish_csv())
    contract = tmp_path / "convertido.csv"
    contract.write_bytes(clinic.contract_csv("F"))

    code, _, err = _cli("--cohort", str(spanish))
    assert code == 2
    assert "--map" in err.splitlines()[1]
    assert "Traceback" not in err
    code, _, err = _cli("--cohort", str(spanish), "--map", "--derive-dates")
    assert code == 2
    assert "Mujer or Masculino" in err
    assert "--sex-m" in err

    code, mapped, _ = _cli("--cohort", str(spanish), "--map", "--derive-dates", "--sex-m", "F")
    assert code == 0
    code, converted, _ = _cli("--cohort", str(contract))
    assert code == 0
    mapped_report, converted_report = json.loads(mapped), json.loads(converted)
    for key in ("n", "events", "person_years", "failure_rate", "km", "logrank"):
        assert mapped_report[key] == converted_report[key], key


def test_a_first_infusion_that_is_not_a_date_is_one_problem() -> None:
    text = clinic.spanish_csv().decode("utf-8-sig").replace("10/03/2015", "marzo 2015")
    data = text.encode()
    choice = propose(read_table(data, "c.csv")).choice("F")
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(data, patients_name="c.csv", mapping=choice)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "Fecha primera infusión")]


def test_the_methods_say_how_months_were_derived_only_when_they_were() -> None:
    from analytics.reports.methods import methods_text
    from analytics.reports.report import build_report

    data = clinic.spanish_csv()
    choice = propose(read_table(data, "c.csv")).choice("F")
    derived = methods_text(build_report(load_cohort(data, mapping=choice), Filters()))
    assert "(followup_months, failure_months) were derived from calendar dates" in derived
    assert "365.25/12" in derived
    plain = methods_text(build_report(load_cohort(clinic.contract_csv()), Filters()))
    assert "calendar dates" not in plain
