"""``analytics.compare.mancova`` against R ``manova`` / ``car::Manova(type = "III")``.

Tolerance: ``rtol = 1e-6`` (closed-form linear algebra on both sides). Each term is tested
adjusted for every other term, which is R's sequential ``summary.manova`` for the term
entered last (make_reference.R checks that against ``car::Manova`` to 1e-10).
"""

from __future__ import annotations

import numpy as np
import pytest

from analytics.compare import mancova

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
        wilks, pillai = expected[term.term]["Wilks"], expected[term.term]["Pillai"]
        ours = [term.wilks_lambda, term.f, term.num_df, term.den_df, term.p]
        theirs = [wilks["value"], wilks["approx_f"], wilks["num_df"], wilks["den_df"], wilks["p"]]
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, err_msg=f"{term.term} Wilks")
        ours = [term.pillai_trace, term.pillai_f, term.pillai_p]
        theirs = [pillai["value"], pillai["approx_f"], pillai["p"]]
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, err_msg=f"{term.term} Pillai")
