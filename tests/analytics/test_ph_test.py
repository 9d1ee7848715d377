"""Unit tests of analytics.stats.cox.zph (R agreement is in
tests/reference/test_ph_test_vs_r.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from analytics.stats.cox.zph import ZphResult, cox_zph


@pytest.fixture
def small_frame() -> pd.DataFrame:
    """Twelve patients, a binary and a numeric covariate, tied and untied event times."""
    return pd.DataFrame(
        {
            "time_months": [2, 3, 3, 5, 6, 8, 9, 11, 12, 14, 15, 20],
            "failure": [1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0],
            "lesion": [1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0],
            "age": [30, 45, 52, 38, 61, 44, 29, 57, 49, 35, 40, 63],
            "sex": ["F", "M", "F", "F", "M", "F", "M", "F", "F", "M", "F", "F"],
        }
    )


def test_one_row_per_covariate_then_global(small_frame: pd.DataFrame) -> None:
    result = cox_zph(small_frame, ["lesion", "age"], time_col="time_months", event_col="failure")
    assert [r.term for r in result.rows] == ["lesion", "age", "GLOBAL"]
    assert [r.df for r in result.rows] == [1, 1, 2]
    assert result.n == 12
    assert result.events == 7
    assert all(0.0 <= r.p <= 1.0 and r.chisq >= 0.0 for r in result.rows)


def test_single_covariate_global_equals_term(small_frame: pd.DataFrame) -> None:
    result = cox_zph(small_frame, ["age"], time_col="time_months", event_col="failure")
    assert result.row("GLOBAL").chisq == pytest.approx(result.row("age").chisq, rel=1e-12)


def test_categorical_reference_level_does_not_change_the_test(small_frame: pd.DataFrame) -> None:
    frame = small_frame.assign(group=["a", "b", "c"] * 4)
    first = cox_zph(frame, ["group"], time_col="time_months", event_col="failure")
    other = cox_zph(
        frame, ["group"], time_col="time_months", event_col="failure", categorical={"group": "c"}
    )
    assert first.row("group").df == 2
    np.testing.assert_allclose(first.row("group").chisq, other.row("group").chisq, rtol=1e-9)


def test_time_unit_does_not_matter_for_km_transform(small_frame: pd.DataFrame) -> None:
    in_days = small_frame.assign(time_months=small_frame["time_months"] * 30.4375)
    months = cox_zph(small_frame, ["lesion"], time_col="time_months", event_col="failure")
    days = cox_zph(in_days, ["lesion"], time_col="time_months", event_col="failure")
    np.testing.assert_allclose(months.row("lesion").chisq, days.row("lesion").chisq, rtol=1e-10)


def test_missing_covariate_rows_are_left_out(small_frame: pd.DataFrame) -> None:
    frame = small_frame.astype({"age": float})
    frame.loc[0, "age"] = math.nan
    result = cox_zph(frame, ["age"], time_col="time_months", event_col="failure")
    assert result.n == 11
    assert result.events == 6


def test_no_events_gives_no_rows_and_says_why(small_frame: pd.DataFrame) -> None:
    frame = small_frame.assign(failure=0)
    result = cox_zph(frame, ["age"], time_col="time_months", event_col="failure")
    assert result.rows == ()
    assert any("no failures" in w for w in result.warnings)


def test_constant_covariate_is_left_out_with_a_note(small_frame: pd.DataFrame) -> None:
    frame = small_frame.assign(sex="F")
    result = cox_zph(frame, ["sex", "age"], time_col="time_months", event_col="failure")
    assert [r.term for r in result.rows] == ["age", "GLOBAL"]
    assert any("Sex" in w for w in result.warnings)


def test_separation_warns_that_the_test_is_unreliable() -> None:
    # Every failure is in the lesion group: the Cox coefficient runs off to infinity.
    frame = pd.DataFrame(
        {
            "time_months": [1, 2, 3, 4, 5, 6, 7, 8],
            "failure": [1, 1, 1, 0, 0, 0, 0, 0],
            "lesion": [1, 1, 1, 1, 0, 0, 0, 0],
        }
    )
    result = cox_zph(frame, ["lesion"], time_col="time_months", event_col="failure")
    assert any("did not converge" in w for w in result.warnings)


def test_unknown_transform_is_rejected(small_frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="transform must be one of km, identity, rank, log"):
        cox_zph(small_frame, ["age"], time_col="time_months", event_col="failure", transform="sqrt")


def test_violations_lists_terms_below_alpha() -> None:
    rows_result = cox_zph(
        pd.DataFrame(
            {
                "t": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                "e": [1] * 10,
                "x": [1, 1, 1, 0, 0, 0, 0, 1, 1, 1],
            }
        ),
        ["x"],
        time_col="t",
        event_col="e",
    )
    assert isinstance(rows_result, ZphResult)
    assert rows_result.violations(alpha=1.0) == ("x",)
    assert rows_result.violations(alpha=0.0) == ()


def test_to_dict_is_json_safe(small_frame: pd.DataFrame) -> None:
    result = cox_zph(small_frame, ["lesion", "sex"], time_col="time_months", event_col="failure")
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["rows"][-1]["term"] == "GLOBAL"
    assert data["transform"] == "km"
