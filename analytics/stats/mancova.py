"""MANCOVA: the source study's multivariate analysis of the asymptomatic-lesion factor.

The multivariate linear model and its type III tests are computed with numpy (what
statsmodels' ``MANOVA.mv_test`` computes, without the formula machinery, which was most of
the time of a report). Kept apart from Table 1 (:mod:`analytics.stats.table_one`, which re-exports
these names) so that each module holds one method.

Why not statsmodels' public ``MANOVA(endog, exog).mv_test(hypotheses=[(term, L)])`` (no
formula layer; ``L`` selects a term's columns: R's ``car::Manova`` type III, and the
term-entered-last ``summary.manova`` of our R fixtures)? Not for the numbers: on the five R
fixtures (mancova.json: iris, mtcars; open_analyses.json: cars93 x 2, birthwt) it gives
Wilks, Pillai, approx F, df and p within 3.3e-10 (relative) of R, as this module does; fed
the same design matrix it is bit-identical to this module there, on the demo cohort and on
500 random designs. tests/reference/test_compare_vs_r.py checks it against R, and us against
it (1e-8, with a design of its own), on every fixture. For the time: it builds a pandas
table of all four statistics per hypothesis, so one call cost 7.4x this module's at n = 54,
4.4x at 10 000 and 2.0x at 100 000 (medians of interleaved runs, 2026-12-02, shared 2-core
machine under load), and ``build_report`` over the benchmark's distinct views was 25% slower
at n = 54 and 17% at n = 10 000 in p95 (the limit was 10%; at 100 000, five samples each,
within noise: median +11%, p95 -20%). The cost is the wrapper, not the algebra: the lines
below are its ``_multivariate_ols_fit`` and ``multivariate_stats``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from analytics.data.labels import column_message
from analytics.jsonsafe import json_dict
from analytics.stats.design import not_missing
from analytics.warnings_guard import ignored_warnings
from i18n.language import Message

# Default MANCOVA design (see `mancova`).
DEFAULT_DEPENDENT = ("failure", "time_months")
DEFAULT_FACTOR = "asymptomatic_lesions"
DEFAULT_COVARIATES = ("age_at_rtx", "sex", "edss_baseline")


@dataclass(frozen=True)
class MancovaTerm:
    """Multivariate tests of one model term (adjusted for every other term).

    ``f``, ``num_df``, ``den_df``, ``p`` are Wilks' lambda's F approximation (exact when
    ``s = 1``); ``pillai_f`` / ``pillai_p`` the Pillai trace's (R ``summary.manova``'s default).
    ``partial_eta_sq = 1 - lambda ** (1 / s)`` with ``s = min(dependent variables,
    hypothesis df)``; with one hypothesis df it is ``1 - lambda``.
    """

    term: str
    hypothesis_df: int
    wilks_lambda: float
    pillai_trace: float
    f: float
    num_df: float
    den_df: float
    p: float
    pillai_f: float
    pillai_p: float
    partial_eta_sq: float


@dataclass(frozen=True)
class MancovaResult:
    """MANCOVA of ``dependent`` on ``factor`` adjusted for ``covariates``."""

    dependent: tuple[str, ...]
    factor: str
    covariates: tuple[str, ...]
    n_used: int
    n_dropped: int
    terms: tuple[MancovaTerm, ...]
    warnings: tuple[str, ...] = ()

    def term(self, name: str) -> MancovaTerm:
        """The term for a column name (the factor or a covariate)."""
        for term in self.terms:
            if term.term == name:
                return term
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        result: dict[str, Any] = json_dict(asdict(self))
        return result


def default_dependent(frame: pd.DataFrame) -> tuple[str, ...]:
    """The default MANCOVA dependent variables present in ``frame`` (see :func:`mancova`)."""
    wanted = (*DEFAULT_DEPENDENT, "post_rtx_arr")
    return tuple(column for column in wanted if column in frame.columns)


def _is_categorical(values: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def _complete_rows(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, np.ndarray]:
    """``frame[columns].dropna()`` as one array per column (``Series.to_numpy`` values).

    Arrays, not a sub-frame: selecting, dropping and reading the sub-frame's columns was a
    third of the MANCOVA's time on every filter change.
    """
    complete = np.ones(len(frame), dtype=bool)
    for column in columns:
        complete &= not_missing(frame[column])
    everyone = bool(complete.all())
    return {
        column: frame[column].to_numpy() if everyone else frame[column].to_numpy()[complete]
        for column in columns
    }


def _distinct(values: np.ndarray) -> int:
    """``Series.nunique()`` of values with no missing value."""
    return len(pd.unique(values))


def _usable_columns(
    data: dict[str, np.ndarray], dependent: Sequence[str], covariates: Sequence[str]
) -> tuple[list[str], list[str], list[str]]:
    notes: list[str] = []
    kept_dependent = [c for c in dependent if _distinct(data[c]) > 1]
    for column in set(dependent) - set(kept_dependent):
        notes.append(
            Message(
                "dependent variable {column} is constant in the data used: left out",
                column=column_message(column),
            )
        )
    kept_covariates = [c for c in covariates if _distinct(data[c]) > 1]
    for column in set(covariates) - set(kept_covariates):
        notes.append(
            Message(
                "covariate {column} is constant in the data used: left out",
                column=column_message(column),
            )
        )
    return kept_dependent, kept_covariates, sorted(notes)


def mancova(
    frame: pd.DataFrame,
    dependent: Sequence[str] | None = None,
    factor: str = DEFAULT_FACTOR,
    covariates: Sequence[str] = DEFAULT_COVARIATES,
) -> MancovaResult:
    """MANCOVA: do the dependent variables differ by ``factor`` adjusted for ``covariates``?

    Fitted by least squares (SVD) as statsmodels ``MANOVA.mv_test`` does, in numpy (see
    ``_fit``). Each term's test is adjusted for all other terms (a Type III hypothesis
    ``L B = 0`` on that term's coefficients, as SPSS GLM Multivariate and R
    ``car::Manova(fit, type = "III")``); R's sequential
    ``summary(manova(cbind(y1, y2) ~ covariates + factor), test = "Wilks")`` gives the same
    numbers for the term written last. The factor and non-numeric covariates enter as
    categorical (treatment coding); numeric covariates linearly.

    Default design, for this product: dependent variables ``failure`` (0/1) and
    ``time_months`` (time to failure or censoring), plus ``post_rtx_arr`` when the frame has
    it (the caller adds it when a relapses file exists); factor ``asymptomatic_lesions``;
    covariates ``age_at_rtx``, ``sex``, ``edss_baseline``. This mirrors the source study's
    MANCOVA of outcome on the lesion factor adjusted for demographics. MANCOVA ignores
    censoring, so it is a descriptive reproduction; Cox models are the primary analysis.

    Effect size: partial eta squared from Wilks' lambda, ``1 - lambda ** (1 / s)`` with
    ``s = min(number of dependent variables, hypothesis df)``; one hypothesis df gives
    ``1 - lambda``.

    Rows with a missing value in any model column are dropped (``n_used``, ``n_dropped``).
    Constant dependent variables or covariates (e.g. after filtering to one sex) are left out
    with a warning; if the factor has fewer than two levels, or too few rows remain, the
    result has no terms and says why in ``warnings``.

    Parameters
    ----------
    frame : DataFrame
        One row per patient.
    dependent : sequence of str, optional
        Dependent variables; default :func:`default_dependent`.
    factor : str, default "asymptomatic_lesions"
    covariates : sequence of str, default ("age_at_rtx", "sex", "edss_baseline")

    Returns
    -------
    MancovaResult
        ``terms`` in model order: the factor first, then the covariates.
    """
    dependent = tuple(default_dependent(frame) if dependent is None else dependent)
    covariates = tuple(covariates)
    columns = [*dependent, factor, *covariates]
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise ValueError(f"unknown column(s): {', '.join(missing)}")
    if len(set(columns)) < len(columns):
        raise ValueError(Message("dependent, factor and covariates must be distinct columns"))
    data = _complete_rows(frame, columns)
    used = len(data[factor])
    empty = MancovaResult(dependent, factor, covariates, used, len(frame) - used, ())
    kept_dependent, kept_covariates, notes = _usable_columns(data, dependent, covariates)
    if _distinct(data[factor]) < 2:
        no_test = Message(
            "{column} has fewer than two levels: no test", column=column_message(factor)
        )
        return _with_notes(empty, [*notes, no_test])
    if not kept_dependent:
        return _with_notes(empty, [*notes, Message("no dependent variable varies: no test")])
    categorical = {c for c in kept_covariates if _is_categorical(frame[c])}
    n_parameters = _distinct(data[factor]) + sum(
        _distinct(data[c]) - 1 if c in categorical else 1 for c in kept_covariates
    )
    if used - n_parameters < len(kept_dependent):
        return _with_notes(empty, [*notes, Message("too few complete rows for MANCOVA")])
    return _fit(data, categorical, kept_dependent, factor, kept_covariates, empty, notes)


def _with_notes(result: MancovaResult, notes: list[str]) -> MancovaResult:
    return replace(result, warnings=tuple(notes))


# statsmodels' MANOVA tolerances: singular values and eigenvalues at or below this count as 0.
_TOLERANCE = 1e-8


def _model_matrix(
    data: dict[str, np.ndarray],
    categorical_covariates: set[str],
    factor: str,
    covariates: list[str],
) -> tuple[np.ndarray, dict[str, list[int]]]:
    """Intercept, treatment-coded factors, then numeric covariates; each term's columns.

    The column order is patsy's for ``y ~ C(factor) + covariates`` (the formula the statsmodels
    version of this code used), so the linear algebra below sees the same matrix; the returned
    terms are in that order, the intercept (key ``""``) first.
    """
    categorical = [factor, *(c for c in covariates if c in categorical_covariates)]
    order = [*categorical, *(c for c in covariates if c not in categorical)]
    blocks: list[np.ndarray] = [np.ones((len(data[factor]), 1))]
    spans: dict[str, list[int]] = {"": [0]}
    width = 1
    for name in order:
        if name in categorical:
            codes, levels = pd.factorize(data[name], sort=True)
            block = (codes[:, None] == np.arange(1, len(levels))[None, :]).astype(float)
        else:
            block = data[name].astype(float)[:, None]
        blocks.append(block)
        spans[name] = list(range(width, width + block.shape[1]))
        width += block.shape[1]
    return np.column_stack(blocks), spans


def _wilks_pillai(e: np.ndarray, h: np.ndarray, q: int, df_resid: int) -> dict[str, float]:
    """Wilks' lambda and Pillai's trace with their F approximations (SAS/statsmodels formulas).

    ``p`` is the rank of ``E + H``, ``q`` the hypothesis rank, ``df_resid`` the error df.
    """
    p = float(np.linalg.matrix_rank(e + h))
    eigen = np.sort(np.linalg.eigvals(np.linalg.solve(e + h, h)))
    eigen = eigen[eigen > _TOLERANCE]
    if eigen.size == 0:
        # No effect at all within rounding (e.g. a dependent variable that is an exact function
        # of the factor): statsmodels failed here (Roy's root of no eigenvalue) and the report
        # said so; keep that outcome rather than show meaningless statistics.
        raise ValueError(
            Message(
                "the multivariate tests are not defined for these variables in this view (no "
                "non-zero eigenvalue); choose other variables"
            )
        )
    v, qf = float(df_resid), float(q)
    wilks = float(np.real([np.prod(1 - eigen)])[0])
    pillai = float(np.real([eigen.sum()])[0])
    # Rao's F for Wilks' lambda (exact when min(p, q) <= 2).
    t = np.sqrt((p * p * qf * qf - 4) / (p * p + qf * qf - 5)) if p * p + qf * qf - 5 > 0 else 1
    wilks_df1, wilks_df2 = p * qf, (v - (p - qf + 1) / 2) * t - 2 * ((p * qf - 2) / 4)
    root = np.power(wilks, 1 / t)
    wilks_f = (1 - root) / root * wilks_df2 / wilks_df1
    s, m, n = min(p, qf), (abs(p - qf) - 1) / 2, (v - p - 1) / 2
    pillai_df1, pillai_df2 = s * (2 * m + s + 1), s * (2 * n + s + 1)
    pillai_f = pillai_df2 / pillai_df1 * pillai / (s - pillai)
    # fdtrc, the ufunc stats.f.sf calls, without the wrapper's ~0.1 ms of argument handling
    # (through scipy.stats the 54-patient report took ~14% longer); it gives NaN, not 1,
    # below 0, where F can round to when a term explains nothing.
    return {
        "wilks": wilks,
        "pillai": pillai,
        "f": float(wilks_f),
        "num_df": float(wilks_df1),
        "den_df": float(wilks_df2),
        "p": float(special.fdtrc(wilks_df1, wilks_df2, max(float(wilks_f), 0.0))),
        "pillai_f": float(pillai_f),
        "pillai_p": float(special.fdtrc(pillai_df1, pillai_df2, max(float(pillai_f), 0.0))),
        "pillai_num_df": float(pillai_df1),
    }


def _term_result(name: str, tests: dict[str, float], n_dependent: int) -> MancovaTerm:
    hypothesis_df = int(round(tests["pillai_num_df"] / n_dependent))
    s = min(n_dependent, hypothesis_df)
    return MancovaTerm(
        term=name,
        hypothesis_df=hypothesis_df,
        wilks_lambda=tests["wilks"],
        pillai_trace=tests["pillai"],
        f=tests["f"],
        num_df=tests["num_df"],
        den_df=tests["den_df"],
        p=tests["p"],
        pillai_f=tests["pillai_f"],
        pillai_p=tests["pillai_p"],
        # s = 0 when the hypothesis has no degrees of freedom left (e.g. the factor equals a
        # dependent variable within a subgroup): the effect size is undefined, not an error.
        partial_eta_sq=1.0 - tests["wilks"] ** (1.0 / s) if s > 0 else math.nan,
    )


def _fit(
    data: dict[str, np.ndarray],
    categorical: set[str],
    dependent: list[str],
    factor: str,
    covariates: list[str],
    empty: MancovaResult,
    notes: list[str],
) -> MancovaResult:
    # The multivariate linear model and its type III tests in numpy, as statsmodels'
    # MANOVA.mv_test computes them (SVD fit, H = (LB)' (L (X'X)^-1 L')^-1 (LB) per term with L
    # selecting the term's columns, E the residual SSCP), without the formula machinery that
    # cost ~30 ms per report. Sums-to-zero or treatment coding give the same tests here: there
    # are no interactions, so each term's hypothesis spans the same space either way.
    if len(dependent) < 2:
        raise ValueError(Message("it needs at least two dependent variables"))
    x, term_columns = _model_matrix(data, categorical, factor, covariates)
    y = np.column_stack([data[column].astype(float) for column in dependent])
    u, singular, vt = np.linalg.svd(x, full_matrices=False)
    if (singular > _TOLERANCE).sum() < len(singular):
        raise ValueError(
            Message(
                "the factor and covariates are collinear or constant in this view (singular "
                "design); choose other covariates or widen the filters"
            )
        )
    inverse = 1.0 / singular
    params = vt.T.dot(np.diag(inverse)).dot(u.T).dot(y)
    inv_cov = vt.T.dot(np.diag(np.power(inverse, 2))).dot(vt)
    fitted = np.diag(singular).dot(vt).dot(params)
    error_sscp = np.subtract(y.T.dot(y), fitted.T.dot(fitted))
    df_resid = x.shape[0] - x.shape[1]
    terms = {}
    # A near-singular error SSCP gives inf/NaN statistics (None in to_dict), not an error.
    # The intercept is tested too (and the result dropped) so that a degenerate fit fails
    # exactly where, and with the message, it did with statsmodels.
    with ignored_warnings(RuntimeWarning), np.errstate(all="ignore"):
        for name, columns in term_columns.items():
            effect = params[columns]
            between = inv_cov[np.ix_(columns, columns)]
            hypothesis = effect.T.dot(np.linalg.inv(between)).dot(effect)
            rank = int(np.linalg.matrix_rank(between))
            tests = _wilks_pillai(error_sscp, hypothesis, rank, df_resid)
            terms[name] = _term_result(name, tests, len(dependent))
    ordered = tuple(terms[name] for name in [factor, *covariates])
    return replace(empty, terms=ordered, warnings=tuple(notes))
