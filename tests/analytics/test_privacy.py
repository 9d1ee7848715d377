"""Tests of analytics.data.privacy (identifying columns) and its banner in
components.panels.privacy."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.data.io import load_cohort
from analytics.data.privacy import (
    BIRTH,
    CONTACT,
    DATE,
    ID,
    NAME,
    IdentifyingColumn,
    identifying_columns,
)
from analytics.data.schema import PATIENT_COLUMNS
from components.panels.privacy import PRIVACY_BANNER_ID, privacy_banner

TODAY = dt.date(2025, 6, 1)
CONTRACT = list(PATIENT_COLUMNS)


def kinds(columns: list[str], sample: pd.DataFrame | None = None) -> dict[str, str]:
    return {flag.column: flag.kind for flag in identifying_columns(columns, sample, today=TODAY)}


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("name", NAME),
        ("Patient name", NAME),
        ("first_name", NAME),
        ("firstName", NAME),
        ("Surname", NAME),
        ("Apellidos", NAME),
        ("apellido 1", NAME),
        ("Nombre", NAME),
        ("Nombre y apellidos", NAME),
        ("nombre_paciente", NAME),
        ("dob", BIRTH),
        ("Date of birth", BIRTH),
        ("birth_date", BIRTH),
        ("Fecha de nacimiento", BIRTH),
        ("fecha_nacimiento", BIRTH),
        ("F.Nac", BIRTH),
        ("NHC", ID),
        ("nhs_number", ID),
        ("NHS no", ID),
        ("MRN", ID),
        ("DNI", ID),
        ("NIE", ID),
        ("nif", ID),
        ("SSN", ID),
        ("CIP", ID),
        ("TIS", ID),
        ("NUSS", ID),
        ("Passport", ID),
        ("pasaporte", ID),
        ("SIP", ID),
        ("Número de historia clínica", ID),
        ("tarjeta sanitaria", ID),
        ("address", CONTACT),
        ("Dirección", CONTACT),
        ("domicilio", CONTACT),
        ("phone", CONTACT),
        ("Teléfono", CONTACT),
        ("e-mail", CONTACT),
        ("email", CONTACT),
        ("correo electrónico", CONTACT),
        ("postcode", CONTACT),
        ("ZIP", CONTACT),
        ("Código postal", CONTACT),
    ],
)
def test_identifying_headers_in_english_and_spanish(header: str, kind: str) -> None:
    assert kinds([header]) == {header: kind}


@pytest.mark.parametrize(
    "header",
    [
        *CONTRACT,
        "centre",
        "centre_name",
        "drug_name",
        "nombre_centro",
        "nfl_pg_ml",
        "country_of_birth",
        "pais_nacimiento",
        "aqp4_titre",
        "Patient ID",
        "onset_year",
        "cell_count",
        "nac_treatment",
    ],
)
def test_clinical_headers_are_not_flagged(header: str) -> None:
    assert kinds([header]) == {}


def test_reasons_name_the_rule_and_the_kind() -> None:
    (flag,) = identifying_columns(["Apellidos"])
    assert flag == IdentifyingColumn(
        "Apellidos", NAME, 'header has "apellidos": looks like a person\'s name'
    )


def test_patient_id_that_looks_like_a_spanish_dni_is_flagged() -> None:
    # 12345678Z and 00000000T carry valid check letters; 12345678A does not.
    sample = pd.DataFrame({"patient_id": ["12345678Z", "00000000T", "87654321X"]})
    (flag,) = identifying_columns(sample.columns, sample, today=TODAY)
    assert (flag.column, flag.kind) == ("patient_id", ID)
    assert flag.reason == "3 of 3 values look like Spanish DNI numbers (with a valid check letter)"
    codes = pd.DataFrame({"patient_id": ["12345678A", "P01", "P02"]})
    assert identifying_columns(codes.columns, codes, today=TODAY) == []


def test_nie_nhs_and_ssn_values_are_flagged() -> None:
    sample = pd.DataFrame(
        {
            "code_a": ["X1234567L", "Y1234567X"],
            "code_b": ["943 476 5919", "9434765919"],
            "code_c": ["123-45-6789", "987-65-4321"],
        }
    )
    assert kinds(list(sample.columns), sample) == {"code_a": ID, "code_b": ID, "code_c": ID}


def test_emails_in_a_free_text_column_are_flagged_from_the_first() -> None:
    sample = pd.DataFrame({"note": ["stable", "call ana", "ana.lopez@example.org", None]})
    (flag,) = identifying_columns(sample.columns, sample, today=TODAY)
    assert flag.kind == CONTACT
    assert flag.reason == "1 of 3 values are e-mail addresses"


def test_birth_dates_and_recent_dates_by_value() -> None:
    sample = pd.DataFrame(
        {
            "born": ["1975-03-04", "04/11/1982", "1990-12-31T00:00:00", ""],
            "first_mri": ["2019-03-04", "2021-11-04", "2015-01-31", "2020-02-02"],
            "onset_year": ["1999", "2004", "2011", "2015"],
            "bad_dates": ["1975-02-30", "31/02/1982", "x", "y"],
        }
    )
    assert kinds(list(sample.columns), sample) == {"born": BIRTH, "first_mri": DATE}


def test_numeric_columns_are_not_value_checked() -> None:
    sample = pd.DataFrame({"nfl": [12345678.0, 1.5], "count": [1, 2]})
    assert identifying_columns(sample.columns, sample) == []


def test_reasons_never_contain_cell_values() -> None:
    secrets = ["ana.lopez@example.org", "12345678Z", "1975-03-04", "Ana López"]
    sample = pd.DataFrame(
        {
            "nombre": [secrets[3], "Juan"],
            "x1": [secrets[0], "b@c.de"],
            "x2": [secrets[1], "00000000T"],
            "x3": [secrets[2], "1980-01-01"],
        }
    )
    flags = identifying_columns(sample.columns, sample, today=TODAY)
    assert len(flags) == 4
    text = json.dumps([flag.__dict__ for flag in flags])
    for secret in secrets:
        assert secret not in text
    assert "Juan" not in text


def test_works_on_a_loaded_cohort_with_spanish_headers() -> None:
    data = (
        "patient_id;followup_months;failure;failure_months;Nombre;Fecha de nacimiento;centro\n"
        "P01;12;0;;Ana;1975-03-04;HUVH\nP02;24,5;1;10;Luis;1980-01-01;HUVH\n"
    ).encode("utf-8")
    cohort = load_cohort(data, patients_name="cohorte.csv")
    flags = identifying_columns(cohort.patients.columns, cohort.patients, today=TODAY)
    assert [(flag.column, flag.kind) for flag in flags] == [
        ("nombre", NAME),
        ("fecha_de_nacimiento", BIRTH),
    ]


def test_sample_columns_missing_or_duplicated_are_skipped() -> None:
    sample = pd.DataFrame([["a@b.cd", "a@b.cd"]], columns=["x", "x"])
    assert identifying_columns(["x", "y"], sample) == []


# Value-like text (digits, dates, e-mail and ID punctuation) that no reason's own words contain.
_VALUES = st.text(alphabet="#%&0123456789@.-/XYZTabc", min_size=4, max_size=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=8), st.lists(_VALUES, max_size=8))
def test_never_fails_and_never_echoes_values(headers: list[str], values: list[str]) -> None:
    columns = list(dict.fromkeys(headers)) or ["x"]
    sample = pd.DataFrame({column: values or [""] for column in columns})
    for flag in identifying_columns(columns, sample, today=TODAY):
        assert flag.column in columns
        assert flag.kind in {NAME, BIRTH, ID, CONTACT, DATE}
        assert not [value for value in values if value in flag.reason]


# ---- components.panels.privacy ------------------------------------------------------------------


def _text(component: object) -> str:
    """All text in a Dash component tree."""
    if isinstance(component, str):
        return component
    if isinstance(component, list | tuple):
        return " ".join(_text(child) for child in component)
    children = getattr(component, "children", None)
    return "" if children is None else _text(children)


def test_banner_is_none_without_flags() -> None:
    assert privacy_banner([]) is None


def test_banner_lists_columns_and_reasons_and_reassures() -> None:
    flags = identifying_columns(["patient_id", "Apellidos", "dni"])
    banner = privacy_banner(flags)
    assert banner is not None
    assert banner.color == "warning"
    assert banner.id == PRIVACY_BANNER_ID
    text = _text(banner)
    assert "seems to contain identifying data: 2 columns look identifying" in text
    assert "Apellidos" in text
    assert 'header has "dni": looks like a national or hospital ID' in text
    assert "pseudonymous codes" in text
    assert "Nothing was stored on the server" in text
