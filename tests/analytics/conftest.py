"""Fixtures shared by the analytics tests."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.data.io import load_cohort
from tests.corpus import CANONICAL


@pytest.fixture(scope="module")
def canonical() -> pd.DataFrame:
    """The clean frame of good/patients.csv, which every good variant must equal."""
    return load_cohort(CANONICAL).patients
