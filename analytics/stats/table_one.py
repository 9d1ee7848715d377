"""Baseline comparison (Table 1); MANCOVA lives in :mod:`analytics.stats.mancova`, re-exported here.

Table 1 summarises each variable per outcome group with a test that suits small samples:
Mann-Whitney U for numbers (Kruskal-Wallis for three or more groups), Fisher's exact test for
2 x 2 tables, and for larger tables Pearson chi-square, or the Fisher-Freeman-Halton exact test
when an expected count is below 5. MANCOVA reproduces the source study's multivariate
analysis of the asymptomatic-lesion factor adjusted for covariates (or any chosen design).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analytics.data.labels import column_message
from analytics.jsonsafe import json_dict
from analytics.stats.design import coded_labels, not_missing
from analytics.stats.exact_rxc import fisher_freeman_halton_p
from analytics.stats.mancova import (
    DEFAULT_COVARIATES,
    DEFAULT_DEPENDENT,
    DEFAULT_FACTOR,
    MancovaResult,
    MancovaTerm,
    default_dependent,
    mancova,
)
from i18n.language import N_, Message, PluralMessage

# The MANCOVA names predate analytics.stats.mancova; callers import them from here.
__all__ = [
    "DEFAULT_COVARIATES",
    "DEFAULT_DEPENDENT",
    "DEFAULT_FACTOR",
    "DEFAULT_TABLE_VARIABLES",
    "GroupSummary",
    "LevelCount",
    "MancovaResult",
    "MancovaTerm",
    "TableOne",
    "TableOneRow",
    "default_dependent",
    "mancova",
    "table_one",
]

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

TEST_MANN_WHITNEY = N_("Mann-Whitney U, normal approximation with continuity and tie correction")
TEST_KRUSKAL = "Kruskal-Wallis"
TEST_FISHER = N_("Fisher exact, two-sided")
TEST_CHISQ = N_("Pearson chi-square, no continuity correction")
TEST_FISHER_RXC = N_("Fisher-Freeman-Halton exact, two-sided")
# An expected count below this sends an r x c table to the exact test (Cochran's rule).
MIN_EXPECTED = 5


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


def _is_numeric_variable(values: pd.Series, numbers: np.ndarray) -> bool:
    """Numeric dtype with more than the values 0/1 (``numbers``: the rows used, as floats)."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    observed = numbers[~np.isnan(numbers)]
    return not bool(((observed == 0.0) | (observed == 1.0)).all())


def _numeric_summary(group: str, numbers: np.ndarray) -> GroupSummary:
    missing = np.isnan(numbers)
    present = numbers[~missing]
    if present.size == 0:
        return GroupSummary(group, 0, int(missing.sum()))
    # numpy's "linear" method is R's quantile type 7, the default of R's quantile().
    q1, median, q3 = (float(q) for q in np.percentile(present, [25, 50, 75], method="linear"))
    return GroupSummary(group, int(present.size), int(missing.sum()), median, q1, q3)


def _categorical_summary(group: str, codes: np.ndarray, levels: Sequence[str]) -> GroupSummary:
    present = codes[codes >= 0]
    counts = np.bincount(present, minlength=len(levels))
    n = int(present.size)
    level_counts = tuple(
        LevelCount(level, int(count), 100.0 * int(count) / n if n else math.nan)
        for level, count in zip(levels, counts, strict=True)
    )
    return GroupSummary(group, n, int(codes.size - n), levels=level_counts)


def _numeric_test(samples: list[np.ndarray]) -> tuple[float | None, str | None]:
    samples = [sample for sample in samples if len(sample) > 0]
    pooled = np.concatenate(samples) if samples else np.empty(0)
    if len(samples) < 2 or pooled.min() == pooled.max():  # one distinct value: no test
        return None, None
    if len(samples) == 2:
        # R wilcox.test(x, y, exact = FALSE, correct = TRUE): normal approximation with
        # the tie-corrected variance and a 0.5 continuity correction. scipy's default
        # method="auto" would switch to the exact distribution on small tie-free groups.
        test = stats.mannwhitneyu(
            samples[0],
            samples[1],
            alternative="two-sided",
            use_continuity=True,
            method="asymptotic",
        )
        return float(test.pvalue), TEST_MANN_WHITNEY
    return float(stats.kruskal(*samples).pvalue), TEST_KRUSKAL  # R kruskal.test


def _categorical_test(table: np.ndarray) -> tuple[float | None, str | None, tuple[str, ...]]:
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return None, None, ()
    if table.shape == (2, 2):
        return float(stats.fisher_exact(table).pvalue), TEST_FISHER, ()  # R fisher.test
    # R chisq.test(table): Pearson statistic; the continuity correction applies to 2 x 2 only.
    chi_square = stats.chi2_contingency(table, correction=False)
    p = float(chi_square.pvalue)
    if (chi_square.expected_freq >= MIN_EXPECTED).all():
        return p, TEST_CHISQ, ()
    # Small expected counts: the chi-square approximation is poor, and the exact test (R
    # fisher.test on an r x c table) is what a reviewer expects, when it can be enumerated.
    exact = fisher_freeman_halton_p(table)
    if exact is not None:
        return exact, TEST_FISHER_RXC, ()
    notes = (
        N_(
            "some expected counts are below 5 and the table is too large for the exact test: "
            "the chi-square p-value is approximate"
        ),
    )
    return p, TEST_CHISQ, notes


def _table_row(
    variable: str, values: pd.Series, groups: list[np.ndarray], names: list[str]
) -> TableOneRow:
    # Arrays and boolean masks, not Series: a Table 1 has ~7 rows x groups summaries per
    # report, and per-group pandas selections were most of its time.
    numbers = values.to_numpy(dtype=float, na_value=np.nan) if _is_numeric_dtype(values) else None
    if numbers is not None and _is_numeric_variable(values, numbers):
        members = [numbers[group] for group in groups]
        summaries = tuple(_numeric_summary(n, v) for n, v in zip(names, members, strict=True))
        p, test = _numeric_test([v[~np.isnan(v)] for v in members])
        return TableOneRow(
            variable, "numeric", summaries, _numeric_summary("All", numbers), p, test
        )
    codes, levels, _ = coded_labels(values.to_numpy(), label=_label)
    summaries = tuple(
        _categorical_summary(n, codes[group], levels)
        for n, group in zip(names, groups, strict=True)
    )
    table = np.array([[level.count for level in s.levels] for s in summaries], dtype=int)
    p, test, notes = _categorical_test(table.reshape(len(summaries), len(levels)))
    kind = "binary" if len(levels) == 2 else "categorical"
    overall = _categorical_summary("All", codes, levels)
    return TableOneRow(variable, kind, summaries, overall, p, test, notes)


def _equal_to(values: pd.Series, level: Any) -> np.ndarray:
    # numpy for numbers (a Series comparison costs ~20x more); pandas' rules otherwise.
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiub":
        return np.asarray(values.to_numpy() == level)
    return np.asarray((values == level).to_numpy(), dtype=bool)


def _is_numeric_dtype(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def table_one(
    frame: pd.DataFrame, by: str = "failure", variables: Sequence[str] | None = None
) -> TableOne:
    """Baseline characteristics per group with a test for each variable.

    Numeric variables (more than the values 0/1): median (IQR) per group and the two-sided
    Mann-Whitney U test as R ``wilcox.test(x ~ g, exact = FALSE, correct = TRUE)``, i.e.
    the normal approximation with tie-corrected variance and continuity correction (more
    than two groups: Kruskal-Wallis, R ``kruskal.test``). Categorical and 0/1 variables:
    n (%) per level, percent of the group's non-missing values, and Fisher's exact test
    (R ``fisher.test``, two-sided) for a 2 x 2 table; larger tables get the Pearson chi-square
    test without continuity correction (R ``chisq.test``) when every expected count is at
    least 5, else the Fisher-Freeman-Halton exact test (R ``fisher.test`` on the r x c table;
    chi-square with a note when the table is too large to enumerate, see
    :mod:`analytics.stats.exact_rxc`). Missing values are counted per group and excluded from the
    tests.

    Parameters
    ----------
    frame : DataFrame
        One row per patient, e.g. ``analytics.data.cohort.analysis_frame``.
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
    notes: list[str] = []
    known = not_missing(frame[by])
    used = frame if known.all() else frame[known]
    if len(used) < len(frame):
        notes.append(
            PluralMessage(
                "{n} row with missing {column} left out",
                "{n} rows with missing {column} left out",
                n=len(frame) - len(used),
                column=column_message(str(by)),
            )
        )
    labels = sorted(used[by].unique(), key=lambda level: (str(type(level)), level))
    if len(labels) < 2:
        notes.append(
            Message("{column} has fewer than two groups: no tests", column=column_message(str(by)))
        )
    groups = [_equal_to(used[by], level) for level in labels]
    names = [_label(level) for level in labels]
    rows = tuple(_table_row(v, used[v], groups, names) for v in variables)
    sizes = tuple(int(group.sum()) for group in groups)
    return TableOne(by, tuple(names), sizes, rows, tuple(notes))
