"""Firth-penalized Cox (analytics.stats.cox.firth) against first principles and against firthmodels.

R agreement (a first-principles penalized likelihood in R) is in tests/reference. Here: the
penalized log-likelihood against a loop over failure times, the modified score against its
numerical gradient, the profile limits and LR tests against an independent optimiser, and
every reported number against ``firthmodels.FirthCoxPH`` (Breslow ties, like coxphf) at
``rtol = 1e-6`` with firthmodels run at tight tolerances (its defaults stop at gtol 1e-4).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from analytics.stats.cox.firth import fit_firth, penalized_terms
from analytics.stats.cox.models import firth_cox

CRIT = float(stats.chi2.ppf(0.95, 1))


def _penalized_by_loops(time, event, x, beta):
    """Breslow l(b) + 0.5 log det I(b), one failure time at a time (the textbook formula)."""
    eta = x @ beta
    risk = np.exp(eta)
    loglik, information = 0.0, np.zeros((x.shape[1], x.shape[1]))
    for t in np.unique(time[event == 1]):
        at_risk, dying = time >= t, (time == t) & (event == 1)
        s0 = risk[at_risk].sum()
        mean = risk[at_risk] @ x[at_risk] / s0
        second = (risk[at_risk, None] * x[at_risk]).T @ x[at_risk] / s0
        loglik += eta[dying].sum() - dying.sum() * math.log(s0)
        information += dying.sum() * (second - np.outer(mean, mean))
    return loglik + 0.5 * np.linalg.slogdet(information)[1]


def _cohort(seed, n, p, *, separated=False):
    """Random covariates (first one 0/1), tied integer times, ~50% failures."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    x[:, 0] = rng.random(n) < 0.4
    time = np.round(rng.exponential(10, n)) + 1
    event = (rng.random(n) < 0.5).astype(float)
    if separated:
        event[x[:, 0] == 0] = 0.0  # no failure without the marker: Cox estimate infinite
    event[np.flatnonzero(x[:, 0] == 1)[0]] = 1.0
    return time, event, x


CASES = [
    (1, 30, 1, False),
    (2, 54, 2, False),
    (3, 80, 3, False),
    (4, 40, 2, True),
    (5, 25, 1, True),
]


@pytest.mark.parametrize(("seed", "n", "p", "separated"), CASES)
def test_penalized_loglik_and_score_from_first_principles(seed, n, p, separated):
    time, event, x = _cohort(seed, n, p, separated=separated)
    beta = np.random.default_rng(seed).normal(scale=0.5, size=p)
    loglik, score = penalized_terms(time, event, x, beta)
    assert loglik == pytest.approx(_penalized_by_loops(time, event, x, beta), rel=1e-12)
    step = 1e-5
    gradient = [
        (
            _penalized_by_loops(time, event, x, beta + step * unit)
            - _penalized_by_loops(time, event, x, beta - step * unit)
        )
        / (2 * step)
        for unit in np.eye(p)
    ]
    np.testing.assert_allclose(score, gradient, rtol=1e-6, atol=1e-7)


def _profile_by_optimiser(time, event, x, j, value):
    """max over the other coefficients of pl with b_j = value, by scipy's BFGS."""
    p = x.shape[1]

    def full(others):
        return np.insert(others, j, value)

    if p == 1:
        return _penalized_by_loops(time, event, x, np.array([value]))
    result = optimize.minimize(
        lambda others: -_penalized_by_loops(time, event, x, full(others)),
        np.zeros(p - 1),
        method="BFGS",
        options={"gtol": 1e-10},
    )
    return -result.fun


@pytest.mark.parametrize(("seed", "n", "p", "separated"), CASES)
def test_profile_limits_and_lr_tests_solve_their_equations(seed, n, p, separated):
    """2 (pl_hat - pl_j(limit)) = qchisq(0.95, 1); 2 (pl_hat - pl_j(0)) = the LR statistic."""
    time, event, x = _cohort(seed, n, p, separated=separated)
    fit = fit_firth(time, event, x)
    assert fit.converged
    assert fit.notes == ()
    _, score = penalized_terms(time, event, x, fit.beta)
    np.testing.assert_allclose(score, 0.0, atol=1e-8)
    for j in range(p):
        assert fit.ci_low[j] < fit.beta[j] < fit.ci_high[j]
        for limit in (fit.ci_low[j], fit.ci_high[j]):
            drop = 2 * (fit.loglik - _profile_by_optimiser(time, event, x, j, limit))
            assert drop == pytest.approx(CRIT, abs=1e-6)
        drop_at_zero = 2 * (fit.loglik - _profile_by_optimiser(time, event, x, j, 0.0))
        assert fit.lr_chisq[j] == pytest.approx(drop_at_zero, abs=1e-6)
        assert fit.p[j] == pytest.approx(stats.chi2.sf(drop_at_zero, 1), rel=1e-5)


@pytest.mark.parametrize(("seed", "n", "p", "separated"), [*CASES, (6, 200, 4, False)])
def test_agrees_with_firthmodels(seed, n, p, separated):
    """Same estimates, Wald SE (bse_), profile limits, LR p and penalized loglik."""
    firthmodels = pytest.importorskip("firthmodels")
    time, event, x = _cohort(seed, n, p, separated=separated)
    fit = fit_firth(time, event, x)
    theirs = firthmodels.FirthCoxPH(gtol=1e-7, xtol=1e-9, max_iter=200, max_halfstep=30)
    theirs.fit(x, (event.astype(bool), time))
    # Its constrained refits stall on rounding noise at xtol 1e-9 (n = 200); the LR
    # statistic is off only by the square of the looser tolerance.
    theirs.set_params(xtol=1e-6, gtol=1e-5).lrt()
    limits = theirs.conf_int(method="pl", tol=1e-10, max_iter=200)
    np.testing.assert_allclose(fit.beta, theirs.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(fit.se, theirs.bse_, rtol=1e-6)
    np.testing.assert_allclose(fit.ci_low, limits[:, 0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(fit.ci_high, limits[:, 1], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(fit.p, theirs.lrt_pvalues_, rtol=1e-6)
    assert fit.loglik == pytest.approx(theirs.loglik_, rel=1e-10)


def test_separation_gives_a_finite_estimate_where_cox_diverges():
    time, event, x = _cohort(5, 25, 1, separated=True)
    fit = fit_firth(time, event, x)
    assert math.isfinite(fit.beta[0])
    assert 0 < fit.ci_low[0] < fit.beta[0] < fit.ci_high[0] < 20


def test_collinear_covariates_raise_and_firth_cox_says_so():
    time, event, x = _cohort(2, 54, 2)
    twins = np.column_stack((x[:, 1], 2 * x[:, 1]))
    with pytest.raises(np.linalg.LinAlgError, match="collinear"):
        fit_firth(time, event, twins)
    frame = pd.DataFrame(
        {"time_months": time, "failure": event, "age": x[:, 1], "age2": 2 * x[:, 1]}
    )
    model = firth_cox(frame, ["age", "age2"])
    assert model.terms == ()
    assert "could not be fitted" in model.warnings[0]


def test_no_events_and_one_patient_give_reasons_not_fits():
    none_failed = pd.DataFrame(
        {"time_months": [3.0, 5, 8], "failure": [0.0, 0, 0], "lesion": [1.0, 0, 1]}
    )
    assert "No failures" in firth_cox(none_failed, ["lesion"]).warnings[0]
    alone = pd.DataFrame({"time_months": [3.0], "failure": [1.0], "lesion": [1.0]})
    model = firth_cox(alone, ["lesion"])
    assert model.terms == ()
    assert model.warnings


@pytest.mark.slow
def test_no_runtime_module_imports_the_test_oracles():
    """firthmodels (this file's oracle) and lifelines (the benchmarks' naive baseline) are in
    the test extra only (pyproject.toml): importing every module of analytics, app and
    components, in a clean interpreter, must load neither, nor scikit-learn (firthmodels')."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        "for package in ('analytics', 'app', 'components'):\n"
        "    path = importlib.import_module(package).__path__\n"
        "    for module in pkgutil.walk_packages(path, package + '.'):\n"
        "        if module.name != 'app.server.wsgi':  # builds the server from the environment\n"
        "            importlib.import_module(module.name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    loaded = set(json.loads(out.stdout))
    assert {"analytics", "app", "components", "dash", "scipy"} <= loaded  # the walk ran
    assert loaded & {"firthmodels", "lifelines", "sklearn"} == set()
