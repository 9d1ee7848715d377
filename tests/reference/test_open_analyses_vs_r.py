"""The open analyses against R, on data sets not used elsewhere (make_open_analyses_reference.R).

- any time-varying exposure: survival::mgus2, progression (pstat, ptime) as the exposure and
  death as the failure; whole months (many tied times), missing hgb/creat (35 patients),
  (start, stop] data from ``tmerge``; naive, time-dependent and landmark ``coxph``;
- Table 1 by a grouping with 2-4 levels: MASS::birthwt, MASS::survey (missing values),
  datasets::warpbreaks; ``kruskal.test``, ``wilcox.test``, ``chisq.test``, ``fisher.test``
  (r x c);
- MANCOVA of chosen columns: MASS::Cars93 (missing Luggage.room), MASS::birthwt;
  ``summary(manova(...), test = "Wilks" / "Pillai")``.

Tolerance ``rtol = 1e-6`` (4 significant digits asked; both sides converge far below this).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.data.cohort import Filters
from analytics.data.io import load_cohort
from analytics.reports.report import build_report
from analytics.stats.exact_rxc import fisher_freeman_halton_p
from analytics.stats.table_one import (
    TEST_CHISQ,
    TEST_FISHER,
    TEST_FISHER_RXC,
    TEST_KRUSKAL,
    TEST_MANN_WHITNEY,
    mancova,
    table_one,
)
from tests.reference.conftest import REFERENCE_DIR, assert_mancova_term_matches_r

RTOL = 1e-6
COVARIATES = ("age_at_rtx", "sex", "hgb", "creat")


def _open(r_results):
    return r_results("open_analyses")


def _check_cox(model, expected) -> None:
    assert [t.term for t in model.terms] == [t["term"] for t in expected["terms"]]
    for ours, theirs in zip(model.terms, expected["terms"], strict=True):
        for name in ("coef", "se", "hr", "ci_low", "ci_high", "p"):
            np.testing.assert_allclose(
                getattr(ours, name), theirs[name], rtol=RTOL, err_msg=f"{ours.term} {name}"
            )
    assert model.events == expected["events"]
    for name in ("loglik", "loglik_null", "lr_chisq", "lr_p"):
        np.testing.assert_allclose(getattr(model, name), expected[name], rtol=RTOL, err_msg=name)


@pytest.fixture(scope="module")
def mgus2():
    return load_cohort(REFERENCE_DIR / "open_mgus2.csv")


@pytest.mark.parametrize(("covariates", "suffix"), [((), ""), (COVARIATES, "_adjusted")])
def test_any_exposure_matches_tmerge_coxph(mgus2, r_results, covariates, suffix) -> None:
    """Through build_report, as the CLI and the page call it.

    R::

        cp <- tmerge(base, base, id = id, death = event(futime, death),
                     progression = tdc(progression_months))
        coxph(Surv(tstart, tstop, death) ~ progression + age + sex + hgb + creat, cp)
        coxph(Surv(futime, death) ~ progression + ..., mgus)                  # naive
        lm <- subset(mgus, futime > 60); lm$p60 <- progression_months <= 60
        coxph(Surv(futime - 60, death) ~ p60 + ..., lm)                        # landmark
    """
    expected = _open(r_results)["exposure"]
    report = build_report(
        mgus2,
        Filters(grace_months=0),
        group_by=None,
        landmark_months=expected["landmark_months"],
        exposure="progression",
        exposure_months="progression_months",
        exposure_covariates=covariates,
    )
    timing = report.lesion_timing
    assert timing is not None
    assert timing.exposure == "progression"
    for key in ("naive", "time_dependent", "landmark"):
        _check_cox(getattr(timing, key), expected[key + suffix])
    # Patients, not (start, stop] intervals: R's fit$n counts intervals.
    complete = expected["n_complete"] if covariates else expected["n_patients"]
    assert timing.time_dependent.n == complete
    assert timing.naive.n == complete == expected["naive" + suffix]["n"]
    assert timing.landmark.n == expected["landmark" + suffix]["n"]
    if covariates:
        assert timing.time_dependent.dropped_missing == expected["n_patients"] - complete
        assert timing.landmark.n == expected["landmark_n_complete"]


TABLES = {
    "birthwt_race": ("open_birthwt", "race"),
    "birthwt_smoke": ("open_birthwt", "smoke"),
    "survey_exer": ("open_survey", "exer"),
    "survey_smoke": ("open_survey", "smoke"),
    "warpbreaks_tension": ("open_warpbreaks", "tension"),
}


def _as_r_reads(frame: pd.DataFrame, expected: dict) -> pd.DataFrame:
    """Counts R tabulated as factors (birthwt's ptl, ftv) enter Table 1 as categories."""
    text = {
        name: frame[name].map(lambda v: None if pd.isna(v) else str(v))
        for name, row in expected["rows"].items()
        if row["kind"] == "categorical" and pd.api.types.is_numeric_dtype(frame[name])
        and frame[name].nunique() > 2
    }  # fmt: skip
    return frame.assign(**text)


@pytest.mark.parametrize("key", sorted(TABLES))
def test_table_one_by_any_grouping_matches_r(plain_csv, r_results, key) -> None:
    """Per row: kruskal.test (k >= 3) or wilcox.test (k = 2) for numbers; fisher.test for
    2 x 2; for larger tables chisq.test when every expected count is >= 5, else the
    Fisher-Freeman-Halton fisher.test (or chisq.test with a note when too large to enumerate).
    """
    name, by = TABLES[key]
    expected = _open(r_results)["table_one"][key]
    frame = _as_r_reads(plain_csv(name), expected)
    result = table_one(frame, by=by, variables=list(expected["rows"]))
    assert list(result.group_labels) == [str(v) for v in expected["levels"]]
    k = len(expected["levels"])
    for row in result.rows:
        theirs = expected["rows"][row.variable]
        if theirs["kind"] == "numeric":
            want = theirs["kruskal_p"] if k >= 3 else theirs["wilcox_p"]
            assert row.test == (TEST_KRUSKAL if k >= 3 else TEST_MANN_WHITNEY)
        elif theirs["rows"] == theirs["cols"] == 2:
            want = theirs["fisher_p"]
            assert row.test == TEST_FISHER
        elif theirs["min_expected"] >= 5:
            want = theirs["chisq_p"]
            assert row.test == TEST_CHISQ
        elif row.test == TEST_FISHER_RXC:
            want = theirs["fisher_p"]
        else:
            want = theirs["chisq_p"]
            assert row.test == TEST_CHISQ, row.variable
            assert row.warnings, row.variable
        np.testing.assert_allclose(row.p, want, rtol=RTOL, err_msg=f"{key} {row.variable}")


def _tables(r_results):
    for key, table in _open(r_results)["table_one"].items():
        for variable, row in table["rows"].items():
            if row["kind"] == "categorical":
                yield f"{key}:{variable}", row


def test_fisher_freeman_halton_matches_fisher_test(r_results) -> None:
    """Every r x c table of the fixtures that enumerates within the budget; the rest (3 x 4,
    3 x 6 on ~200 rows) are reported as too large (None), never as a wrong p."""
    exact = 0
    for label, row in _tables(r_results):
        table = np.array(row["table"]).reshape(row["rows"], row["cols"])
        p = fisher_freeman_halton_p(table)
        if p is not None:
            exact += 1
            np.testing.assert_allclose(p, row["fisher_p"], rtol=RTOL, err_msg=label)
    assert exact >= 10


@pytest.mark.parametrize("key", ["cars93_drive_train", "cars93_origin", "birthwt_race"])
def test_mancova_of_chosen_columns_matches_r(plain_csv, r_results, key) -> None:
    """R::

    fit <- manova(cbind(mpg_city, mpg_highway, horsepower) ~ weight + luggage_room +
                  drive_train, cars93)        # each term entered last in turn
    summary(fit, test = "Wilks"); summary(fit, test = "Pillai")
    """
    expected = _open(r_results)["mancova"][key]
    frame = plain_csv("open_cars93" if key.startswith("cars93") else "open_birthwt")
    result = mancova(
        frame,
        list(expected["dependent"]),
        factor=expected["factor"],
        covariates=list(expected["covariates"]),
    )
    assert (result.n_used, result.n_dropped) == (expected["n"], expected["n_dropped"])
    for term in result.terms:
        assert_mancova_term_matches_r(term, expected["tests"], RTOL)
