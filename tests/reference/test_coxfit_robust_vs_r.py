"""The Cox engine's cluster-robust (sandwich) variance against R ``coxph``.

Fixtures: ``Rscript tests/reference/make_coxfit_robust_reference.R`` (coxfit_robust*.csv/json).
The whole matrices are compared, covariances included: the Andersen–Gill tests
(test_recurrent_vs_r.py) see only their diagonals, as standard errors.
"""

from __future__ import annotations

import numpy as np

from analytics.stats.cox.engine import fit_cox

RTOL = 1e-6


def _check(fit, expected: dict) -> None:
    np.testing.assert_allclose(fit.beta, expected["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.covariance, expected["naive_var"], rtol=RTOL)
    assert fit.robust_covariance is not None
    np.testing.assert_allclose(fit.robust_covariance, expected["robust_var"], rtol=RTOL)
    np.testing.assert_allclose([fit.loglik_null, fit.loglik], expected["loglik"], rtol=RTOL)


def test_right_censored_rows_clustered_by_litter(plain_csv, r_results) -> None:
    """R: ``coxph(Surv(time, status) ~ rx + male + cluster(litter), rats, ties = "efron")``."""
    rats = plain_csv("coxfit_robust_rats")
    fit = fit_cox(
        rats["time"].to_numpy(dtype=float),
        rats["status"].to_numpy(dtype=float),
        rats[["rx", "male"]].to_numpy(dtype=float),
        cluster=rats["litter"].to_numpy(),
    )
    _check(fit, r_results("coxfit_robust")["rats_litter"])


def test_one_row_per_cluster_is_r_robust_true(plain_csv, r_results) -> None:
    """R: ``coxph(Surv(time, status) ~ rx + male, rats, ties = "efron", robust = TRUE)``."""
    rats = plain_csv("coxfit_robust_rats")
    fit = fit_cox(
        rats["time"].to_numpy(dtype=float),
        rats["status"].to_numpy(dtype=float),
        rats[["rx", "male"]].to_numpy(dtype=float),
        cluster=np.arange(len(rats)),
    )
    _check(fit, r_results("coxfit_robust")["rats_rows"])


def test_counting_process_rows_clustered_by_patient(plain_csv, r_results) -> None:
    """R: ``coxph(Surv(start, stop, event) ~ rx + number + size + cluster(id), bladder2)``."""
    bladder = plain_csv("coxfit_robust_bladder2")
    fit = fit_cox(
        bladder["stop"].to_numpy(dtype=float),
        bladder["event"].to_numpy(dtype=float),
        bladder[["rx", "number", "size"]].to_numpy(dtype=float),
        entry=bladder["start"].to_numpy(dtype=float),
        cluster=bladder["id"].to_numpy(),
    )
    _check(fit, r_results("coxfit_robust")["bladder2_id"])


def test_no_clusters_no_robust_variance(plain_csv) -> None:
    rats = plain_csv("coxfit_robust_rats")
    fit = fit_cox(
        rats["time"].to_numpy(dtype=float),
        rats["status"].to_numpy(dtype=float),
        rats[["rx", "male"]].to_numpy(dtype=float),
    )
    assert fit.robust_covariance is None
