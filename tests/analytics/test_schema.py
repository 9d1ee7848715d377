"""Tests of analytics.data.schema (and the value rules of analytics.data.rules) on in-memory
frames."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from analytics.data.schema import (
    CohortValidationError,
    Problem,
    normalise_column_name,
    outcome_agreement,
    validate_patients,
    validate_relapses,
)

REQUIRED = {"patient_id": "P1", "followup_months": "12", "failure": "0", "failure_months": ""}


def raw(*rows: dict[str, str], decimal_comma: bool = False) -> pd.DataFrame:
    """A raw all-string frame as read_table returns it (index = spreadsheet rows 2, 3, ...).

    Patients are P1, P2, ... unless a row says otherwise.
    """
    cells = [{**REQUIRED, "patient_id": f"P{i}", **row} for i, row in enumerate(rows, start=1)]
    frame = pd.DataFrame(cells, dtype=object)
    frame.index = pd.Index(range(2, len(rows) + 2))
    frame.attrs["decimal_comma"] = decimal_comma
    return frame


def clean(frame: pd.DataFrame, **kwargs: bool) -> pd.DataFrame:
    return validate_patients(frame, "p.csv", **kwargs)


def problems_of(frame: pd.DataFrame, **kwargs: bool) -> list[Problem]:
    with pytest.raises(CohortValidationError) as raised:
        validate_patients(frame, "p.csv", **kwargs)
    return raised.value.problems


def test_problem_reads_like_a_sentence() -> None:
    problem = Problem("patients.csv", 7, "edss_baseline", "11", "must be between 0 and 10")
    assert str(problem) == (
        'patients.csv, row 7, column edss_baseline, value "11": must be between 0 and 10'
    )
    assert str(Problem("p.csv", None, None, None, "file is empty")) == "p.csv: file is empty"
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.row = 3  # type: ignore[misc]


def test_problem_value_is_truncated_and_escaped() -> None:
    long = Problem("p.csv", 2, "x", "a" * 5000, "rule")
    assert long.value == "a" * 39 + "…"
    assert len(long.value) == 40
    assert Problem("p.csv", 2, "x", "a\nb", "rule").value == "a\\nb"
    assert Problem("p.csv", 2, "x", "a" * 40, "rule").value == "a" * 40


def test_error_lists_every_problem_and_caps_the_message() -> None:
    problems = [Problem("p.csv", row, "x", None, "bad") for row in range(2, 152)]
    error = CohortValidationError(problems)
    assert isinstance(error, ValueError)
    assert len(error.problems) == 150
    lines = str(error).splitlines()
    assert lines[0] == "150 problems found in the input data:"
    assert lines[1] == "- p.csv, row 2, column x: bad"
    assert lines[-1] == "- ... and 50 more"
    assert str(CohortValidationError(problems[:1])).startswith("1 problem found")


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("Patient ID", "patient_id"),
        ("  PATIENT_ID ", "patient_id"),
        ("Follow-up months", "followup_months"),
        ("FCGR3A-V158F", "fcgr3a_v158f"),
        ("age  at\tRTX", "age_at_rtx"),
        ("NfL (pg/ml)", "nfl_(pg/ml)"),
    ],
)
def test_header_names_are_normalised(header: str, name: str) -> None:
    assert normalise_column_name(header) == name


def test_minimal_file_gives_the_contract_dtypes() -> None:
    patients = clean(raw({}, {"patient_id": " P2 ", "failure": "1", "failure_months": "3"}))
    assert list(patients.index) == [0, 1]
    assert patients["patient_id"].tolist() == ["P1", "P2"]
    assert patients["followup_months"].dtype == "float64"
    assert patients["failure"].tolist() == [0.0, 1.0]
    assert math.isnan(patients.loc[0, "failure_months"])


@pytest.mark.parametrize(
    ("column", "cell", "stored"),
    [
        ("gd_persistent", "1", 1.0),
        ("gd_persistent", "1.0", 1.0),
        ("gd_persistent", "Yes", 1.0),
        ("gd_persistent", "TRUE", 1.0),
        ("gd_persistent", "no", 0.0),
        ("gd_persistent", "false", 0.0),
        ("gd_persistent", "0.0", 0.0),
        ("gd_persistent", "NA", None),
        ("gd_persistent", "n/a", None),
        ("sex", "f", "F"),
        ("sex", "Female", "F"),
        ("sex", "MALE", "M"),
        ("sex", "", None),
        ("fcgr3a_v158f", "vv", "VV"),
        ("fcgr3a_v158f", "FV", "VF"),
        ("fcgr3a_v158f", "v/f", "VF"),
        ("edss_baseline", "0", 0.0),
        ("edss_baseline", "10", 10.0),
        ("edss_baseline", "6.5", 6.5),
        ("age_at_rtx", "120", 120.0),
        ("age_at_rtx", "NaN", None),
    ],
)
def test_accepted_spellings(column: str, cell: str, stored: object) -> None:
    value = clean(raw({column: cell})).loc[0, column]
    if stored is None:
        assert value is None or math.isnan(value)
    else:
        assert value == stored


def test_failure_takes_the_same_words_as_other_flags() -> None:
    frame = raw({"failure": "Yes", "failure_months": "3"}, {"failure": "false"})
    assert clean(frame)["failure"].tolist() == [1.0, 0.0]


@pytest.mark.parametrize(
    ("column", "cell", "rule"),
    [
        ("failure", "", "is required and must not be empty"),
        ("failure", "y", "must be 0 or 1"),
        ("gd_persistent", "2", "must be 0 or 1"),
        ("sex", "W", "must be F or M"),
        ("sex", "1", "must be F or M"),
        ("fcgr3a_v158f", "VVF", "must be VV, VF or FF"),
        ("edss_baseline", "-0.5", "must be between 0 and 10 in steps of 0.5"),
        ("edss_baseline", "10.5", "must be between 0 and 10 in steps of 0.5"),
        ("age_at_rtx", "-1", "must be between 0 and 120"),
        ("age_at_rtx", "04.03.2021", "must be a number of years, not a date"),
        ("age_at_rtx", "45 y", "must be a number of years"),
        ("followup_months", "", "is required and must not be empty"),
        ("followup_months", "-3", "must be greater than 0"),
        ("followup_months", "1e999", "must be a finite number"),
        ("followup_months", "-Infinity", "must be a finite number"),
        (
            "followup_months",
            "12,5",
            "must be a number of months (decimal comma found: use a decimal point, "
            "or save the file with semicolons as separators)",
        ),
        ("followup_months", "1.234,5", "must be a number of months"),
        ("asymptomatic_lesion_months", "0", "must be greater than 0"),
    ],
)
def test_rejected_values_name_row_column_value_and_rule(column: str, cell: str, rule: str) -> None:
    row = {column: cell}
    if column == "asymptomatic_lesion_months":
        row["asymptomatic_lesions"] = "1"
    [problem] = problems_of(raw({}, row))
    assert (problem.file, problem.row, problem.column, problem.rule) == ("p.csv", 3, column, rule)
    assert problem.value == (cell or None)


def test_decimal_comma_only_where_the_file_uses_it() -> None:
    row = {"followup_months": "12,5", "edss_baseline": "3,5"}
    patients = clean(raw(row, decimal_comma=True))
    assert patients.loc[0, ["followup_months", "edss_baseline"]].tolist() == [12.5, 3.5]
    assert clean(raw(row), decimal_comma=True).loc[0, "followup_months"] == 12.5


def test_every_problem_is_collected_in_row_then_column_order() -> None:
    frame = raw(
        {"edss_baseline": "11", "sex": "X"},
        {"patient_id": "P1", "failure": "1"},
        {"patient_id": "", "followup_months": "2021-03-04"},
    )
    found = [(p.row, p.column) for p in problems_of(frame)]
    assert found == [
        (2, "edss_baseline"),
        (2, "sex"),
        (3, "patient_id"),
        (3, "failure_months"),
        (4, "patient_id"),
        (4, "followup_months"),
    ]


def test_default_range_index_means_rows_from_two() -> None:
    frame = raw({}, {"sex": "X"}).reset_index(drop=True)
    [problem] = problems_of(frame)
    assert problem.row == 3


def test_missing_required_columns_are_one_problem_each() -> None:
    frame = pd.DataFrame({"Patient": ["P1"], "failure": ["0"]}, dtype=object)
    found = problems_of(frame)
    assert [(p.row, p.column) for p in found] == [
        (None, "patient_id"),
        (None, "followup_months"),
        (None, "failure_months"),
    ]
    assert "found: patient, failure" in found[0].rule
    assert 'did you mean "patient"?' in found[0].rule


def test_outcome_needs_failure_column_or_relapses() -> None:
    frame = raw({}).drop(columns=["failure", "failure_months"])
    with pytest.raises(CohortValidationError, match="no outcome given"):
        validate_patients(frame, "p.csv")
    patients = validate_patients(frame, "p.csv", has_relapses=True)
    assert "failure" not in patients.columns


def test_failure_months_rules() -> None:
    frame = raw(
        {"failure": "1", "failure_months": "12"},
        {"failure": "1", "failure_months": "12.5"},
        {"failure": "0", "failure_months": "5"},
        {"failure": "1", "failure_months": "0"},
    )
    found = [(p.row, p.rule) for p in problems_of(frame)]
    assert found == [
        (3, "must not be later than followup_months (12)"),
        (4, "must be empty when failure = 0 (follow-up time is followup_months)"),
        # One bad cell is one problem (issue 15): not also "is required when failure = 1"
        # for the value it could not give.
        (5, "must be greater than 0"),
    ]


def test_lesion_time_needs_a_lesion_and_lies_within_follow_up() -> None:
    frame = raw(
        {"asymptomatic_lesions": "1", "asymptomatic_lesion_months": "12"},
        {"asymptomatic_lesions": "1", "asymptomatic_lesion_months": "13"},
        {"asymptomatic_lesions": "", "asymptomatic_lesion_months": "3"},
        {"asymptomatic_lesions": "1", "asymptomatic_lesion_months": ""},
    )
    found = [(p.row, p.column, p.rule) for p in problems_of(frame)]
    assert found == [
        (3, "asymptomatic_lesion_months", "must not be later than followup_months (12)"),
        (
            4,
            "asymptomatic_lesion_months",
            "is given but asymptomatic_lesions is not 1 (a time needs a lesion)",
        ),
    ]


def test_duplicate_ids_point_at_the_first_occurrence() -> None:
    found = problems_of(raw({}, {"patient_id": "P2"}, {"patient_id": " P1"}))
    assert [(p.row, p.value, p.rule) for p in found] == [
        (4, "P1", "duplicate patient_id (first on row 2)")
    ]


def test_extra_columns_are_kept_numeric_or_text() -> None:
    patients = clean(
        raw(
            {"NfL": "12.5", "centre": "Bern", "visit": "2021-03-04", "score": "NA"},
            {"NfL": "", "centre": "", "visit": "", "score": ""},
        )
    )
    assert patients["nfl"].dtype == "float64"
    assert patients["nfl"].isna().tolist() == [False, True]
    assert patients["centre"].tolist() == ["Bern", None]
    assert patients["visit"].tolist() == ["2021-03-04", None]
    assert patients["score"].dtype == "float64"


@pytest.fixture
def patients() -> pd.DataFrame:
    """Two clean patients with form A outcome: P1 failed at 10 months, P2 censored."""
    return clean(
        raw({"failure": "1", "failure_months": "10"}, {"patient_id": "P2", "followup_months": "24"})
    )


def relapses_raw(*rows: tuple[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["Patient ID", "months_from_rtx"], dtype=object)
    frame.index = pd.Index(range(2, len(rows) + 2))
    return frame


def test_relapses_are_typed_and_sorted(patients: pd.DataFrame) -> None:
    relapses = validate_relapses(
        # U+2212 minus, as Word and some Excel locales write it
        relapses_raw(("P2", "20"), ("P1", "10"), ("P1", "\u22124.5")),
        "r.csv",
        patients,
        "p.csv",
    )
    assert relapses["patient_id"].tolist() == ["P1", "P1", "P2"]
    assert relapses["months_from_rtx"].tolist() == [-4.5, 10.0, 20.0]
    assert list(relapses.index) == [0, 1, 2]


def test_relapse_problems(patients: pd.DataFrame) -> None:
    frame = relapses_raw(("P3", "1"), ("P1", "12.5"), ("", "1"), ("P2", "nan"), ("P2", "inf"))
    with pytest.raises(CohortValidationError) as raised:
        validate_relapses(frame, "r.csv", patients, "p.csv")
    assert [(p.row, p.column, p.rule) for p in raised.value.problems] == [
        (2, "patient_id", "unknown patient: not in p.csv"),
        (3, "months_from_rtx", "must not be later than that patient's followup_months (12)"),
        (4, "patient_id", "is required and must not be empty"),
        (5, "months_from_rtx", "is required and must not be empty"),
        (6, "months_from_rtx", "must be a finite number"),
    ]


def test_outcome_agreement_at_six_months(patients: pd.DataFrame) -> None:
    def check(*rows: tuple[str, float]) -> list[tuple[int | None, str | None, str]]:
        relapses = pd.DataFrame(rows, columns=["patient_id", "months_from_rtx"])
        found = outcome_agreement(patients, relapses, "p.csv", "r.csv", np.array([2, 3]))
        return [(p.row, p.column, p.rule) for p in found]

    assert check(("P1", 3.0), ("P1", 10.0 + 5e-7), ("P2", 6.0), ("P2", -1.0)) == []
    assert check(("P1", 9.0), ("P1", 10.0)) == [
        (
            2,
            "failure_months",
            "disagrees with r.csv: the first relapse later than 6 months is at 9 months",
        )
    ]
    assert check(("P1", 10.0), ("P2", 6.5)) == [
        (
            3,
            "failure",
            "failure = 0 but r.csv has a relapse at 6.5 months "
            "(later than the 6-month grace period)",
        )
    ]
    assert check(("P1", 5.0)) == [
        (2, "failure", "failure = 1 but r.csv has no relapse later than 6 months")
    ]
