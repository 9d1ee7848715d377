"""Shared fixtures: small cohorts built in memory."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.data.cohort import Cohort
from analytics.data.demo import load_demo


def make_cohort(patients: pd.DataFrame, relapses: pd.DataFrame | None = None) -> Cohort:
    """A Cohort from frames already in the clean, validated shape."""
    return Cohort(
        patients=patients, relapses=relapses, label="test", synthetic=False, fingerprint="test"
    )


@pytest.fixture(scope="session")
def demo() -> Cohort:
    """The synthetic demo cohort (loaded once; tests must not change it)."""
    return load_demo()


@pytest.fixture
def small_patients() -> pd.DataFrame:
    """Eight patients, form A outcome, with every contract column."""
    return pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(1, 9)],
            "followup_months": [30.0, 40.0, 12.0, 60.0, 25.0, 80.0, 15.0, 50.0],
            "failure": [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0],
            "failure_months": [10.0, None, 8.0, None, 20.0, None, None, 44.0],
            "sex": ["F", "F", "M", "F", "M", "F", "F", "M"],
            "age_at_rtx": [30.0, 45.0, 52.0, 38.0, None, 61.0, 27.0, 44.0],
            "edss_baseline": [2.0, 3.5, 6.0, 1.0, 4.5, 2.5, 3.0, 5.0],
            "asymptomatic_lesions": [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0],
            "asymptomatic_lesion_months": [6.0, None, 3.0, None, 9.0, None, None, None],
            "gd_persistent": [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, None, 1.0],
            "fcgr3a_v158f": ["VF", "FF", "VV", "VF", "FF", "FF", "VF", "VV"],
        }
    )
