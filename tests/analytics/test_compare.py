"""Table 1 (Mann-Whitney, Fisher, chi-square) and MANCOVA.

Expected values come from R 4.x, whose code is in each docstring, and from hand
computations (hypergeometric probabilities, the normal approximation of a tie-free
Mann-Whitney U, Wilks' lambda as a ratio of residual SSCP determinants).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analytics.stats.table_one import (
    TEST_CHISQ,
    TEST_FISHER,
    TEST_FISHER_RXC,
    TEST_MANN_WHITNEY,
    mancova,
    table_one,
)

X_NO_FAILURE = [1.5, 2.0, 2.0, 3.1, 4.2, 5.0]
X_FAILURE = [2.0, 3.5, 4.4, 6.1, 7.0]


@pytest.fixture
def two_groups():
    """Eleven patients in two outcome groups, with ties and missing values."""
    return pd.DataFrame(
        {
            "failure": [0.0] * 6 + [1.0] * 5,
            "age_at_rtx": X_NO_FAILURE + X_FAILURE,
            "sex": ["F", "F", "M", "F", None, "F", "M", "M", "F", "M", "M"],
            "gd_persistent": [0, 0, 1, 0, 0, np.nan, 1, 1, 0, 1, 1],
            "fcgr3a_v158f": ["VV", "VF", "FF", "VF", "FF", "VF", "FF", "FF", "VF", None, "VV"],
        }
    )


def _row(table, variable):
    return next(row for row in table.rows if row.variable == variable)


def test_numeric_row_is_median_iqr_and_mann_whitney(two_groups):
    """R: wilcox.test(c(1.5, 2, 2, 3.1, 4.2, 5), c(2, 3.5, 4.4, 6.1, 7),
    exact = FALSE, correct = TRUE)$p.value -> 0.1669941179;
    quantile(c(1.5, 2, 2, 3.1, 4.2, 5)) -> 2.000 2.550 3.925 (type 7: positions 1 + 5p);
    median of all eleven -> 3.5."""
    row = _row(table_one(two_groups, variables=["age_at_rtx"]), "age_at_rtx")
    assert row.kind == "numeric"
    assert row.test == TEST_MANN_WHITNEY
    assert row.p == pytest.approx(0.1669941179, abs=1e-9)
    no_failure, failure = row.groups
    assert (no_failure.group, failure.group) == ("0", "1")
    assert_allclose((no_failure.q1, no_failure.median, no_failure.q3), (2.0, 2.55, 3.925))
    assert row.overall.median == pytest.approx(3.5)


def test_quartiles_interpolate_as_r_quantile_type_7():
    """R: quantile(c(7, 1, 4, 10)) -> 3.25 5.50 7.75 (between order statistics, not one of them)."""
    frame = pd.DataFrame({"failure": [0, 0, 0, 0, 1], "age_at_rtx": [7.0, 1.0, 4.0, 10.0, 5.0]})
    group = _row(table_one(frame, variables=["age_at_rtx"]), "age_at_rtx").groups[0]
    assert (group.q1, group.median, group.q3) == pytest.approx((3.25, 5.5, 7.75), abs=1e-12)


def test_mann_whitney_is_the_normal_approximation_even_without_ties():
    """R: wilcox.test(1:3, 4:7, exact = FALSE, correct = TRUE)$p.value -> 0.05182992722.

    By hand: U = 0, mean n1 n2 / 2 = 6, variance n1 n2 (n + 1) / 12 = 8, so with the 0.5
    continuity correction z = 5.5 / sqrt(8) and p = 2 Phi(-z) = erfc(5.5 / 4). The exact
    test (R's default here, and scipy's method="auto") would give 2 / choose(7, 3) = 2 / 35.
    """
    frame = pd.DataFrame({"failure": [0] * 3 + [1] * 4, "age_at_rtx": range(1, 8)})
    row = _row(table_one(frame, variables=["age_at_rtx"]), "age_at_rtx")
    assert row.test == TEST_MANN_WHITNEY
    assert row.p == pytest.approx(math.erfc(5.5 / 4), rel=1e-12)


def test_binary_row_uses_fisher_and_counts_missing(two_groups):
    result = table_one(two_groups, variables=["sex", "gd_persistent"])
    sex = _row(result, "sex")
    assert sex.kind == "binary"
    assert sex.test == TEST_FISHER
    # Table [[4, 1], [1, 4]]: margins 5, 5; P(a) = C(5, a) C(5, 5 - a) / C(10, 5). Two-sided:
    # the tables no more likely than the observed a = 4 are a = 0, 1, 4, 5 (R fisher.test 13/63).
    probability = [math.comb(5, a) * math.comb(5, 5 - a) / math.comb(10, 5) for a in range(6)]
    assert sex.p == pytest.approx(sum(q for q in probability if q <= probability[4]), rel=1e-12)
    assert sex.p == pytest.approx(13 / 63, rel=1e-12)
    no_failure = sex.groups[0]
    assert (no_failure.n, no_failure.missing) == (5, 1)
    assert [(lv.level, lv.count) for lv in no_failure.levels] == [("F", 4), ("M", 1)]
    assert no_failure.levels[0].percent == pytest.approx(80.0)
    gd = _row(result, "gd_persistent")
    assert [(lv.level, lv.count) for lv in gd.groups[1].levels] == [("0", 1), ("1", 4)]
    assert gd.groups[0].missing == 1


def test_fisher_matches_r():
    """R: fisher.test(matrix(c(11, 1, 22, 20), 2))$p.value -> 0.0181364816
    (lesions by failure in the demo cohort's design)."""
    frame = pd.DataFrame(
        {
            "failure": [1] * 12 + [0] * 42,
            "asymptomatic_lesions": [1] * 11 + [0] + [1] * 22 + [0] * 20,
        }
    )
    row = table_one(frame, variables=["asymptomatic_lesions"]).rows[0]
    assert row.p == pytest.approx(0.0181364816, abs=1e-10)


def test_larger_table_with_small_expected_counts_uses_fisher_freeman_halton():
    """R: fisher.test(matrix(c(12, 23, 5, 2, 7, 2), 3))$p.value -> 0.708423739618
    (expected counts below 5, so not chisq.test's 0.7057069626)."""
    counts = {("FF", 0): 12, ("VF", 0): 23, ("VV", 0): 5, ("FF", 1): 2, ("VF", 1): 7, ("VV", 1): 2}
    frame = pd.DataFrame(
        [(genotype, group) for (genotype, group), k in counts.items() for _ in range(k)],
        columns=["fcgr3a_v158f", "failure"],
    )
    row = table_one(frame, variables=["fcgr3a_v158f"]).rows[0]
    assert row.kind == "categorical"
    assert row.test == TEST_FISHER_RXC
    assert row.p == pytest.approx(0.708423739618, abs=1e-11)
    assert not row.warnings


def test_larger_table_with_large_expected_counts_uses_pearson_chi_square():
    """Every expected count >= 5: R chisq.test(matrix(c(30, 20, 10, 10, 20, 30), 3),
    correct = FALSE)$p.value = exp(-(statistic) / 2) with 2 df; statistic 20 by hand:
    expected 20 in every cell, (10^2 * 4 + 0 * 2) / 20 = 20."""
    cells = {("a", 0): 30, ("b", 0): 20, ("c", 0): 10, ("a", 1): 10, ("b", 1): 20, ("c", 1): 30}
    frame = pd.DataFrame(
        [(level, group) for (level, group), k in cells.items() for _ in range(k)],
        columns=["level", "failure"],
    )
    row = table_one(frame, variables=["level"]).rows[0]
    assert row.test == TEST_CHISQ
    assert row.p == pytest.approx(np.exp(-20 / 2), rel=1e-12)


def test_default_variables_are_the_contract_columns_present(two_groups):
    result = table_one(two_groups)
    assert [row.variable for row in result.rows] == [
        "sex",
        "age_at_rtx",
        "gd_persistent",
        "fcgr3a_v158f",
    ]
    assert result.group_labels == ("0", "1")
    assert result.group_sizes == (6, 5)


def test_one_group_gives_summaries_without_tests(two_groups):
    only_failures = two_groups[two_groups["failure"] == 1]
    result = table_one(only_failures)
    assert all(row.p is None and row.test is None for row in result.rows)
    assert "fewer than two groups" in result.warnings[0]
    assert _row(result, "age_at_rtx").groups[0].median == pytest.approx(4.4)


def test_single_level_variable_is_not_tested(two_groups):
    frame = two_groups.assign(sex="F")
    row = _row(table_one(frame, variables=["sex"]), "sex")
    assert row.p is None
    assert row.kind == "categorical"


def test_group_with_no_values_is_not_tested(two_groups):
    frame = two_groups.assign(age_at_rtx=two_groups["age_at_rtx"].where(two_groups["failure"] == 0))
    row = _row(table_one(frame, variables=["age_at_rtx"]), "age_at_rtx")
    assert row.p is None
    assert row.groups[1].n == 0
    assert row.groups[1].median is None


def test_rows_with_missing_group_are_left_out_and_said(two_groups):
    frame = two_groups.copy()
    frame.loc[0, "failure"] = np.nan
    result = table_one(frame, variables=["age_at_rtx"])
    assert result.group_sizes == (5, 5)
    assert "1 row with missing Treatment failure" in result.warnings[0]


def test_table_one_is_json_safe(two_groups):
    payload = json.loads(json.dumps(table_one(two_groups).to_dict()))
    assert payload["rows"][0]["variable"] == "sex"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"by": "nope"}, "grouping column"), ({"variables": ["nope"]}, "unknown variable")],
)
def test_table_one_rejects_unknown_columns(two_groups, kwargs, message):
    with pytest.raises(ValueError, match=message):
        table_one(two_groups, **kwargs)


@pytest.fixture
def mancova_frame():
    """Sixty rows: two outcomes shifted by a 0/1 factor, plus age, sex and EDSS."""
    rng = np.random.default_rng(20250601)
    n = 60
    factor = rng.integers(0, 2, n)
    age = rng.normal(45, 12, n)
    edss = rng.integers(0, 14, n) / 2
    sex = rng.choice(["F", "M"], n, p=[0.8, 0.2])
    return pd.DataFrame(
        {
            "failure": (rng.random(n) < 0.15 + 0.4 * factor).astype(float),
            "time_months": rng.gamma(3, 20, n) - 15 * factor + 0.2 * age,
            "asymptomatic_lesions": factor.astype(float),
            "age_at_rtx": age,
            "sex": sex,
            "edss_baseline": edss,
        }
    )


def _residual_sscp(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    residuals = y - x @ beta
    return residuals.T @ residuals


def _hand_wilks(frame: pd.DataFrame, drop: str) -> tuple[float, float, float]:
    columns = {
        "asymptomatic_lesions": frame["asymptomatic_lesions"].to_numpy(),
        "age_at_rtx": frame["age_at_rtx"].to_numpy(),
        "sex": (frame["sex"] == "M").to_numpy(dtype=float),
        "edss_baseline": frame["edss_baseline"].to_numpy(),
    }
    y = frame[["failure", "time_months"]].to_numpy()
    full = np.column_stack([np.ones(len(frame)), *columns.values()])
    reduced = np.column_stack([np.ones(len(frame)), *(v for k, v in columns.items() if k != drop)])
    wilks = np.linalg.det(_residual_sscp(y, full)) / np.linalg.det(_residual_sscp(y, reduced))
    n_dependent, den_df = 2, len(frame) - full.shape[1] - 2 + 1
    f_value = (1 - wilks) / wilks * den_df / n_dependent  # exact F when s = 1
    return wilks, f_value, stats.f.sf(f_value, n_dependent, den_df)


@pytest.mark.parametrize("term", ["asymptomatic_lesions", "age_at_rtx", "sex", "edss_baseline"])
def test_mancova_matches_wilks_by_hand(mancova_frame, term):
    result = mancova(mancova_frame)
    assert result.dependent == ("failure", "time_months")
    wilks, f_value, p = _hand_wilks(mancova_frame, term)
    found = result.term(term)
    assert_allclose([found.wilks_lambda, found.f, found.p], [wilks, f_value, p], rtol=1e-8)
    assert (found.num_df, found.den_df, found.hypothesis_df) == (2, 60 - 5 - 2 + 1, 1)
    assert found.partial_eta_sq == pytest.approx(1 - wilks)
    assert found.pillai_trace == pytest.approx(1 - wilks)  # s = 1: V = 1 - lambda


def test_mancova_matches_r_on_the_demo_cohort():
    """R (the factor last, so the sequential test equals the adjusted one):
    d <- read.csv("analysis_frame.csv", na.strings = "")   # demo, grace 6 months
    summary(manova(cbind(failure, time_months) ~ age_at_rtx + sex + edss_baseline
                   + factor(asymptomatic_lesions), data = d), test = "Wilks")
    -> factor(asymptomatic_lesions): Wilks 0.21603, approx F 87.097, df 2 and 48."""
    from analytics.data.cohort import Filters, analysis_frame
    from analytics.data.demo import load_demo

    result = mancova(analysis_frame(load_demo(), Filters()))
    lesions = result.term("asymptomatic_lesions")
    assert lesions.wilks_lambda == pytest.approx(0.21603, abs=5e-6)
    assert lesions.f == pytest.approx(87.097, abs=5e-4)
    assert (lesions.num_df, lesions.den_df) == (2, 48)
    assert result.n_used == 54


def test_mancova_three_level_factor_uses_s_root(mancova_frame):
    frame = mancova_frame.assign(
        genotype=np.resize(["VV", "VF", "FF"], len(mancova_frame)),
    )
    result = mancova(frame, factor="genotype")
    term = result.term("genotype")
    assert term.hypothesis_df == 2
    assert term.partial_eta_sq == pytest.approx(1 - term.wilks_lambda ** (1 / 2))


def test_mancova_drops_incomplete_rows_and_counts_them(mancova_frame):
    frame = mancova_frame.copy()
    frame.loc[[0, 5], "edss_baseline"] = np.nan
    frame.loc[7, "sex"] = None
    result = mancova(frame)
    assert (result.n_used, result.n_dropped) == (57, 3)
    expected = _hand_wilks(frame.dropna(), "asymptomatic_lesions")[0]
    assert result.term("asymptomatic_lesions").wilks_lambda == pytest.approx(expected)


def test_mancova_quotes_awkward_column_names(mancova_frame):
    frame = mancova_frame.rename(columns={"age_at_rtx": "age at RTX (y)", "failure": "fail'ed"})
    result = mancova(
        frame,
        dependent=["fail'ed", "time_months"],
        covariates=["age at RTX (y)", "sex", "edss_baseline"],
    )
    expected = _hand_wilks(mancova_frame, "age_at_rtx")[0]
    assert result.term("age at RTX (y)").wilks_lambda == pytest.approx(expected)


def test_mancova_leaves_out_constant_covariates(mancova_frame):
    women = mancova_frame[mancova_frame["sex"] == "F"]
    result = mancova(women)
    assert [term.term for term in result.terms] == [
        "asymptomatic_lesions",
        "age_at_rtx",
        "edss_baseline",
    ]
    assert "covariate Sex is constant" in result.warnings[0]


def test_mancova_with_one_factor_level_has_no_terms(mancova_frame):
    result = mancova(mancova_frame[mancova_frame["asymptomatic_lesions"] == 1])
    assert result.terms == ()
    assert "fewer than two levels" in result.warnings[-1]
    assert json.loads(json.dumps(result.to_dict()))["terms"] == []


def test_mancova_with_too_few_rows_has_no_terms(mancova_frame):
    by_factor = mancova_frame.groupby("asymptomatic_lesions")
    result = mancova(by_factor.head(2))  # 4 rows, at least 4 coefficients
    assert result.terms == ()
    assert "too few complete rows" in result.warnings[-1]


def test_mancova_rejects_unknown_or_repeated_columns(mancova_frame):
    with pytest.raises(ValueError, match="unknown column"):
        mancova(mancova_frame, covariates=["nope"])
    with pytest.raises(ValueError, match="distinct"):
        mancova(mancova_frame, covariates=["age_at_rtx", "age_at_rtx"])


def test_mancova_with_factor_equal_to_a_dependent_variable_does_not_fail():
    """Found by the concurrency tests: in a subgroup where lesions equal failure exactly, the
    covariate terms keep no hypothesis df (s = 0); their effect size is undefined (NaN), and
    the report must still be computed."""
    rng = np.random.default_rng(1)
    n = 20
    frame = pd.DataFrame({"failure": rng.integers(0, 2, n).astype(float)})
    frame["asymptomatic_lesions"] = frame["failure"]
    frame["time_months"] = rng.uniform(5, 50, n)
    frame["age_at_rtx"] = rng.uniform(20, 60, n)
    frame["sex"] = np.where(rng.random(n) < 0.8, "F", "M")
    frame["edss_baseline"] = rng.integers(0, 8, n) / 1.0
    result = mancova(frame)
    undefined = [t for t in result.terms if t.hypothesis_df == 0]
    assert undefined
    assert all(math.isnan(t.partial_eta_sq) for t in undefined)
    json.dumps(result.to_dict(), allow_nan=False)


def test_mancova_needs_two_varying_dependent_variables(mancova_frame):
    """As statsmodels' MANOVA did (the report turns this into a note, not a crash)."""
    with pytest.raises(ValueError, match="at least two dependent variables"):
        mancova(mancova_frame, dependent=["time_months"])


def test_mancova_rejects_collinear_covariates(mancova_frame):
    frame = mancova_frame.assign(age_in_months=mancova_frame["age_at_rtx"] * 12)
    with pytest.raises(ValueError, match="singular"):
        mancova(frame, covariates=["age_at_rtx", "age_in_months"])
