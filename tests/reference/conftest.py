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

import numpy as np
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


def assert_logrank_matches_r(result: Any, expected: dict[str, Any], rtol: float) -> None:
    """A log-rank result against R's survdiff record: df, chi-square, p, observed and expected
    events per group."""
    assert result.df == expected["df"]
    np.testing.assert_allclose(result.chisq, expected["chisq"], rtol=rtol)
    np.testing.assert_allclose(result.p, expected["p"], rtol=rtol)
    # Our groups are in sorted order, R's in factor-level order: align by label.
    order = [result.groups.index(label) for label in expected["groups"]]
    np.testing.assert_allclose(np.array(result.observed)[order], expected["observed"], rtol=rtol)
    np.testing.assert_allclose(np.array(result.expected)[order], expected["expected"], rtol=rtol)


def assert_mancova_term_matches_r(term: Any, tests: dict[str, Any], rtol: float) -> None:
    """One MANCOVA term against R's ``summary(fit, test = "Wilks" / "Pillai")$stats`` rows
    (``tests[term]``): lambda or trace, approximate F, df and p."""
    wilks, pillai = tests[term.term]["Wilks"], tests[term.term]["Pillai"]
    ours = [term.wilks_lambda, term.f, term.num_df, term.den_df, term.p]
    theirs = [wilks["value"], wilks["approx_f"], wilks["num_df"], wilks["den_df"], wilks["p"]]
    np.testing.assert_allclose(ours, theirs, rtol=rtol, err_msg=f"{term.term} Wilks")
    ours = [term.pillai_trace, term.pillai_f, term.pillai_p]
    theirs = [pillai["value"], pillai["approx_f"], pillai["p"]]
    np.testing.assert_allclose(ours, theirs, rtol=rtol, err_msg=f"{term.term} Pillai")
