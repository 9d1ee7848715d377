"""Baseline comparison (Table 1) and MANCOVA.

Table 1 summarises each variable per outcome group with a test that suits small samples:
Mann-Whitney U for numbers, Fisher's exact test for 2 x 2 tables, Pearson chi-square for
larger tables. MANCOVA reproduces the source study's multivariate analysis of the
asymptomatic-lesion factor adjusted for covariates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.multivariate.manova import MANOVA

from analytics.jsonsafe import json_dict
from analytics.warnings_guard import ignored_warnings

# Baseline / follow-up variables of the data contract, in Table 1 order.
DEFAULT_TABLE_VARIABLES = (
    "sex",
    "age_at_rtx",
    "edss_baseline",
    "asymptomatic_lesions",
    "gd_persistent",
    "fcgr3a_v158f",
    "followup_months",
)

TEST_MANN_WHITNEY = "Mann-Whitney U, normal approximation with continuity and tie correction"
TEST_KRUSKAL = "Kruskal-Wallis"
TEST_FISHER = "Fisher exact, two-sided"
TEST_CHISQ = "Pearson chi-square, no continuity correction"

# Default MANCOVA design (see `mancova`).
DEFAULT_DEPENDENT = ("failure", "time_months")
DEFAULT_FACTOR = "asymptomatic_lesions"
DEFAULT_COVARIATES = ("age_at_rtx", "sex", "edss_baseline")


@dataclass(frozen=True)
class LevelCount:
    """Count and percent (of the group's non-missing values) of one category."""

    level: str
    count: int
    percent: float


@dataclass(frozen=True)
class GroupSummary:
    """One variable summarised in one group (or overall, group ``"All"``).

    Numeric variables fill ``median``, ``q1``, ``q3`` (quartiles as R ``quantile`` type 7);
    categorical ones fill ``levels``. ``n`` counts non-missing values, ``missing`` the rest.
    """

    group: str
    n: int
    missing: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    levels: tuple[LevelCount, ...] = ()


@dataclass(frozen=True)
class TableOneRow:
    """One variable of Table 1: a summary per group, overall, and a test across groups.

    ``kind`` is ``"numeric"``, ``"binary"`` (two levels; renderers usually show the count of
    the second level, ``"1"`` or ``"M"``) or ``"categorical"``. ``p`` and ``test`` are None
    when there is nothing to test (fewer than two groups or levels with data).
    """

    variable: str
    kind: str
    groups: tuple[GroupSummary, ...]
    overall: GroupSummary
    p: float | None
    test: str | None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableOne:
    """Table 1: rows per variable, compared across the levels of ``by``."""

    by: str
    group_labels: tuple[str, ...]
    group_sizes: tuple[int, ...]
    rows: tuple[TableOneRow, ...]
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        result: dict[str, Any] = json_dict(asdict(self))
        return result


def _label(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_numeric_variable(values: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    observed = set(values.dropna().unique())
    return not observed <= {0, 1}


def _numeric_summary(group: str, values: pd.Series) -> GroupSummary:
    present = values.dropna().astype(float)
    if present.empty:
        return GroupSummary(group, 0, int(values.isna().sum()))
    q1, median, q3 = np.quantile(present.to_numpy(), [0.25, 0.5, 0.75])
    return GroupSummary(
        group, len(present), int(values.isna().sum()), float(median), float(q1), float(q3)
    )


def _categorical_summary(group: str, values: pd.Series, levels: Sequence[str]) -> GroupSummary:
    present = values.dropna().map(_label)
    counts = present.value_counts()
    level_counts = tuple(
        LevelCount(
            level,
            int(counts.get(level, 0)),
            100.0 * int(counts.get(level, 0)) / len(present) if len(present) else math.nan,
        )
        for level in levels
    )
    return GroupSummary(group, len(present), int(values.isna().sum()), levels=level_counts)


def _numeric_test(samples: list[np.ndarray]) -> tuple[float | None, str | None]:
    samples = [sample for sample in samples if len(sample) > 0]
    if len(samples) < 2 or len(np.unique(np.concatenate(samples))) < 2:
        return None, None
    if len(samples) == 2:
        # R wilcox.test(x, y, exact = FALSE, correct = TRUE): normal approximation with
        # the tie-corrected variance and a 0.5 continuity correction.
        result = stats.mannwhitneyu(
            samples[0],
            samples[1],
            alternative="two-sided",
            use_continuity=True,
            method="asymptotic",
        )
        return float(result.pvalue), TEST_MANN_WHITNEY
    return float(stats.kruskal(*samples).pvalue), TEST_KRUSKAL  # R kruskal.test


def _categorical_test(table: np.ndarray) -> tuple[float | None, str | None, tuple[str, ...]]:
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return None, None, ()
    if table.shape == (2, 2):
        return float(stats.fisher_exact(table).pvalue), TEST_FISHER, ()  # R fisher.test
    # R chisq.test(table): Pearson statistic; the continuity correction applies to 2 x 2 only.
    result = stats.chi2_contingency(table, correction=False)
    notes: tuple[str, ...] = ()
    if (result.expected_freq < 5).any():
        notes = ("some expected counts are below 5: the chi-square p-value is approximate",)
    return float(result.pvalue), TEST_CHISQ, notes


def _table_row(
    variable: str, values: pd.Series, groups: pd.Series, labels: list[Any]
) -> TableOneRow:
    members = [values[groups == level] for level in labels]
    names = [_label(level) for level in labels]
    if _is_numeric_variable(values):
        summaries = tuple(_numeric_summary(n, v) for n, v in zip(names, members, strict=True))
        p, test = _numeric_test([v.dropna().to_numpy(dtype=float) for v in members])
        return TableOneRow(variable, "numeric", summaries, _numeric_summary("All", values), p, test)
    levels = sorted(values.dropna().map(_label).unique())
    summaries = tuple(
        _categorical_summary(n, v, levels) for n, v in zip(names, members, strict=True)
    )
    table = np.array([[level.count for level in s.levels] for s in summaries], dtype=int)
    p, test, notes = _categorical_test(table.reshape(len(summaries), len(levels)))
    kind = "binary" if len(levels) == 2 else "categorical"
    overall = _categorical_summary("All", values, levels)
    return TableOneRow(variable, kind, summaries, overall, p, test, notes)


def table_one(
    frame: pd.DataFrame, by: str = "failure", variables: Sequence[str] | None = None
) -> TableOne:
    """Baseline characteristics per group with a test for each variable.

    Numeric variables (more than the values 0/1): median (IQR) per group and the two-sided
    Mann-Whitney U test as R ``wilcox.test(x ~ g, exact = FALSE, correct = TRUE)``, i.e.
    the normal approximation with tie-corrected variance and continuity correction (more
    than two groups: Kruskal-Wallis, R ``kruskal.test``). Categorical and 0/1 variables:
    n (%) per level, percent of the group's non-missing values, and Fisher's exact test
    (R ``fisher.test``, two-sided) for a 2 x 2 table, otherwise the Pearson chi-square test
    without continuity correction (R ``chisq.test``; a note is added when an expected count
    is below 5). Missing values are counted per group and excluded from the tests.

    Parameters
    ----------
    frame : DataFrame
        One row per patient, e.g. ``analytics.cohort.analysis_frame``.
    by : str, default "failure"
        Grouping column. Rows where it is missing are left out (noted in ``warnings``).
    variables : sequence of str, optional
        Columns to summarise; default the contract's baseline columns present in ``frame``.

    Returns
    -------
    TableOne
        With fewer than two groups the summaries are still given and every ``p`` is None.
    """
    if by not in frame.columns:
        raise ValueError(f"grouping column {by!r} is not in the frame")
    if variables is None:
        variables = [v for v in DEFAULT_TABLE_VARIABLES if v in frame.columns and v != by]
    unknown = [v for v in variables if v not in frame.columns]
    if unknown:
        raise ValueError(f"unknown variable(s): {', '.join(unknown)}")
    notes = []
    used = frame[frame[by].notna()]
    if len(used) < len(frame):
        notes.append(f"{len(frame) - len(used)} row(s) with missing {by} left out")
    labels = sorted(used[by].unique(), key=lambda level: (str(type(level)), level))
    if len(labels) < 2:
        notes.append(f"{by} has fewer than two groups: no tests")
    rows = tuple(_table_row(v, used[v], used[by], labels) for v in variables)
    sizes = tuple(int((used[by] == level).sum()) for level in labels)
    return TableOne(by, tuple(_label(lv) for lv in labels), sizes, rows, tuple(notes))


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


def _usable_columns(
    data: pd.DataFrame, dependent: Sequence[str], covariates: Sequence[str]
) -> tuple[list[str], list[str], list[str]]:
    notes = []
    kept_dependent = [c for c in dependent if data[c].nunique() > 1]
    for column in set(dependent) - set(kept_dependent):
        notes.append(f"dependent variable {column} is constant in the data used: left out")
    kept_covariates = [c for c in covariates if data[c].nunique() > 1]
    for column in set(covariates) - set(kept_covariates):
        notes.append(f"covariate {column} is constant in the data used: left out")
    return kept_dependent, kept_covariates, sorted(notes)


def _term_result(name: str, stat: pd.DataFrame, n_dependent: int) -> MancovaTerm:
    wilks = {str(k): float(v) for k, v in stat.loc["Wilks' lambda"].to_dict().items()}
    pillai = {str(k): float(v) for k, v in stat.loc["Pillai's trace"].to_dict().items()}
    hypothesis_df = int(round(float(pillai["Num DF"]) / n_dependent))
    s = min(n_dependent, hypothesis_df)
    wilks_lambda = float(wilks["Value"])
    return MancovaTerm(
        term=name,
        hypothesis_df=hypothesis_df,
        wilks_lambda=wilks_lambda,
        pillai_trace=float(pillai["Value"]),
        f=float(wilks["F Value"]),
        num_df=float(wilks["Num DF"]),
        den_df=float(wilks["Den DF"]),
        p=float(wilks["Pr > F"]),
        pillai_f=float(pillai["F Value"]),
        pillai_p=float(pillai["Pr > F"]),
        # s = 0 when the hypothesis has no degrees of freedom left (e.g. the factor equals a
        # dependent variable within a subgroup): the effect size is undefined, not an error.
        partial_eta_sq=1.0 - wilks_lambda ** (1.0 / s) if s > 0 else math.nan,
    )


def mancova(
    frame: pd.DataFrame,
    dependent: Sequence[str] | None = None,
    factor: str = DEFAULT_FACTOR,
    covariates: Sequence[str] = DEFAULT_COVARIATES,
) -> MancovaResult:
    """MANCOVA: do the dependent variables differ by ``factor`` adjusted for ``covariates``?

    Fitted with statsmodels ``MANOVA.from_formula``. Each term's test is adjusted for all
    other terms (a Type III hypothesis ``L B = 0`` on that term's coefficients, as SPSS GLM
    Multivariate and R ``car::Manova(fit, type = "III")``); R's sequential
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
        raise ValueError("dependent, factor and covariates must be distinct columns")
    data = frame[columns].dropna()
    empty = MancovaResult(dependent, factor, covariates, len(data), len(frame) - len(data), ())
    kept_dependent, kept_covariates, notes = _usable_columns(data, dependent, covariates)
    if data[factor].nunique() < 2:
        return _with_notes(empty, [*notes, f"{factor} has fewer than two levels: no test"])
    if not kept_dependent:
        return _with_notes(empty, [*notes, "no dependent variable varies: no test"])
    n_parameters = data[factor].nunique() + sum(
        data[c].nunique() - 1 if _is_categorical(data[c]) else 1 for c in kept_covariates
    )
    if len(data) - n_parameters < len(kept_dependent):
        return _with_notes(empty, [*notes, "too few complete rows for MANCOVA"])
    return _fit(data, kept_dependent, factor, kept_covariates, empty, notes)


def _with_notes(result: MancovaResult, notes: list[str]) -> MancovaResult:
    return replace(result, warnings=tuple(notes))


def _fit(
    data: pd.DataFrame,
    dependent: list[str],
    factor: str,
    covariates: list[str],
    empty: MancovaResult,
    notes: list[str],
) -> MancovaResult:
    # Safe formula names whatever the column names are (spaces, quotes, leading digits).
    names = {column: f"v{index}" for index, column in enumerate([*dependent, factor, *covariates])}
    model_data = data[list(names)].rename(columns=names)
    for column in dependent:
        model_data[names[column]] = model_data[names[column]].astype(float)
    rhs_terms = [f"C({names[factor]})"] + [
        f"C({names[c]})" if _is_categorical(data[c]) else names[c] for c in covariates
    ]
    formula = " + ".join(names[c] for c in dependent) + " ~ " + " + ".join(rhs_terms)
    # A near-singular error SSCP shows up as a RuntimeWarning inside statsmodels; the
    # numbers are then returned as NaN, which to_dict() turns into None.
    with ignored_warnings(RuntimeWarning):
        results = MANOVA.from_formula(formula, data=model_data).mv_test().results
    terms = tuple(
        _term_result(column, results[rhs]["stat"], len(dependent))
        for column, rhs in zip([factor, *covariates], rhs_terms, strict=True)
    )
    return replace(empty, terms=terms, warnings=tuple(notes))
