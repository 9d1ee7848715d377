"""Fixtures for the comparisons with R: data sets and R's results from tests/data/reference.

Both are made by ``Rscript tests/reference/make_reference.R`` and committed; CI has no R.
Times in these data sets are in days (the R data sets' own unit) although the columns are
called ``*_months``: every estimate compared here is unit-free except the KM time axis,
which is compared value for value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analytics.data.io import load_cohort

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"


@pytest.fixture(scope="session")
def r_results() -> Callable[[str], dict[str, Any]]:
    """Loader of R's results, e.g. ``r_results("lung")["logrank_sex"]``."""

    def load(name: str) -> dict[str, Any]:
        return json.loads((REFERENCE_DIR / f"{name}.json").read_text())

    return load


@pytest.fixture(scope="session")
def cohort_csv() -> Callable[[str], pd.DataFrame]:
    """Loader of a reference data set through our own reader and validator."""

    def load(name: str) -> pd.DataFrame:
        return load_cohort(REFERENCE_DIR / f"{name}.csv").patients

    return load


@pytest.fixture(scope="session")
def plain_csv() -> Callable[[str], pd.DataFrame]:
    """Loader of a reference CSV that is not a cohort (or that our contract rejects)."""

    def load(name: str) -> pd.DataFrame:
        return pd.read_csv(REFERENCE_DIR / f"{name}.csv")

    return load
