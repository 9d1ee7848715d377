"""``analytics.stats.table_one.mancova`` against R ``manova`` / ``car::Manova(type = "III")``.

Tolerance: ``rtol = 1e-6`` (closed-form linear algebra on both sides). Each term is tested
adjusted for every other term, which is R's sequential ``summary.manova`` for the term
entered last (make_reference.R checks that against ``car::Manova`` to 1e-10).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.multivariate.manova import MANOVA

from analytics.stats.table_one import mancova
from tests.reference.conftest import assert_mancova_term_matches_r

RTOL = 1e-6


@pytest.mark.parametrize(
    ("dataset", "dependent", "factor", "covariates"),
    [
        # 3-level factor (reference setosa) plus a covariate: s = 2 for species.
        ("iris", ["sepal_length", "petal_length"], "species", ["sepal_width"]),
        # Two groups plus a covariate, one hypothesis df: the source study's shape.
        ("mtcars", ["mpg", "qsec", "hp"], "am", ["wt"]),
    ],
)
def test_mancova_matches_r(plain_csv, r_results, dataset, dependent, factor, covariates) -> None:
    """Wilks' lambda and Pillai's trace with their F approximations, df and p per term.

    R::

        fit <- manova(cbind(sepal_length, petal_length) ~ sepal_width + species, iris)
        summary(fit, test = "Wilks")$stats["species", ]    # species entered last
        summary(fit, test = "Pillai")$stats["species", ]
        # and with species first for sepal_width; = car::Manova(lm(...), type = "III")
    """
    expected = r_results("mancova")[dataset]["tests"]
    result = mancova(plain_csv(dataset), dependent, factor=factor, covariates=covariates)
    assert result.n_used == r_results("mancova")[dataset]["n"]
    assert [t.term for t in result.terms] == [factor, *covariates]
    for term in result.terms:
        assert_mancova_term_matches_r(term, expected, RTOL)


def _fixtures() -> list[tuple[str, str, str]]:
    """(results file, record, data set) of every MANCOVA R fixture."""
    return [
        ("mancova", "iris", "iris"),
        ("mancova", "mtcars", "mtcars"),
        ("open_analyses", "cars93_drive_train", "open_cars93"),
        ("open_analyses", "cars93_origin", "open_cars93"),
        ("open_analyses", "birthwt_race", "open_birthwt"),
    ]


def _design(record: dict) -> tuple[list[str], str, list[str]]:
    if "responses" in record:  # mancova.json: the factor is the first term
        return list(record["responses"]), record["terms"][0], list(record["terms"][1:])
    return list(record["dependent"]), record["factor"], list(record["covariates"])


def _statsmodels_tests(frame, dependent, factor, covariates) -> dict:
    """statsmodels' public ``MANOVA(endog, exog).mv_test``, one hypothesis ``L B = 0`` per
    term with ``L`` selecting that term's columns (type III), on a design built here with
    pandas: intercept, treatment-coded factor and text covariates, numeric covariates."""
    data = frame[[*dependent, factor, *covariates]].dropna()
    blocks = {"Intercept": pd.DataFrame({"Intercept": np.ones(len(data))}, index=data.index)}
    for name in [factor, *covariates]:
        values = data[name]
        if name == factor or not pd.api.types.is_numeric_dtype(values):
            blocks[name] = pd.get_dummies(values.astype(str), drop_first=True, dtype=float)
        else:
            blocks[name] = values.astype(float).to_frame()
    exog = pd.concat(list(blocks.values()), axis=1).to_numpy()
    rows, start, hypotheses = np.eye(exog.shape[1]), 0, []
    for name, block in blocks.items():
        hypotheses.append((name, rows[start : start + block.shape[1]]))
        start += block.shape[1]
    result = MANOVA(data[dependent].to_numpy(dtype=float), exog).mv_test(hypotheses)
    return {name: result[name]["stat"] for name in [factor, *covariates]}


@pytest.mark.parametrize(("results", "key", "dataset"), _fixtures())
def test_statsmodels_public_manova_gives_r_and_our_numbers(
    plain_csv, r_results, results, key, dataset
) -> None:
    """Why analytics.stats.mancova keeps its own algebra (its docstring): statsmodels' public
    ``MANOVA(endog, exog).mv_test`` agrees with R on every MANCOVA fixture, and with us to
    rounding (the same SVD fit and SAS formulas), so using it would change no number; it
    was 2-7x slower per call. If this fails, the two no longer compute the same tests."""
    record = r_results(results)
    record = record["mancova"][key] if results == "open_analyses" else record[key]
    dependent, factor, covariates = _design(record)
    frame = plain_csv(dataset)
    theirs = _statsmodels_tests(frame, dependent, factor, covariates)
    ours = mancova(frame, dependent, factor=factor, covariates=covariates)
    for term in ours.terms:
        stat = theirs[term.term]
        wilks, pillai = stat.loc["Wilks' lambda"], stat.loc["Pillai's trace"]
        columns = ["Value", "F Value", "Num DF", "Den DF", "Pr > F"]
        statsmodels_values = [*wilks[columns], *pillai[["Value", "F Value", "Pr > F"]]]
        r = record["tests"][term.term]
        r_values = [r["Wilks"][k] for k in ("value", "approx_f", "num_df", "den_df", "p")]
        r_values += [r["Pillai"][k] for k in ("value", "approx_f", "p")]
        our_values = [term.wilks_lambda, term.f, term.num_df, term.den_df, term.p]
        our_values += [term.pillai_trace, term.pillai_f, term.pillai_p]
        np.testing.assert_allclose(
            np.asarray(statsmodels_values, dtype=float), r_values, rtol=RTOL, err_msg=term.term
        )
        # Closer to each other than to R: the same algebra, rounded differently only because
        # the design's columns are in another order here (Cars93 weight is ~3000: 6.5e-10).
        np.testing.assert_allclose(
            our_values, np.asarray(statsmodels_values, dtype=float), rtol=1e-8, err_msg=term.term
        )
