"""Design matrices for regression: reference-level coding and missing-data handling.

Kept apart from the model fits so that Cox, Firth, time-dependent Cox and the PH test all
code a covariate the same way, and so the reference level is always stated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.data.labels import column_message, level_message, level_name_message
from i18n.language import N_, Message


@dataclass(frozen=True)
class DesignColumn:
    """One column of the design matrix."""

    term: str
    covariate: str
    level: str | None = None
    reference: str | None = None
    # What one unit of a numeric column is, in English ("per year", "yes vs no"); None for
    # a level of a categorical column, which is compared with ``reference`` instead.
    unit: str | None = None


# Units of the contract's numeric columns; other numeric columns are "per unit".
COLUMN_UNITS = {
    "age_at_rtx": N_("per year"),
    "edss_baseline": N_("per EDSS point"),
    "followup_months": N_("per month"),
    "asymptomatic_lesion_months": N_("per month"),
    "time_months": N_("per month"),
}


def numeric_unit(name: str, values: np.ndarray) -> str:
    """What a hazard ratio of numeric column ``name`` is per: 0/1 columns compare yes vs no.
    A known unit wins: EDSS filtered to 0-1 is still per EDSS point, not yes vs no."""
    if name in COLUMN_UNITS:
        return COLUMN_UNITS[name]
    if np.isin(values, (0.0, 1.0)).all():
        return N_("yes vs no")
    return N_("per unit")


@dataclass(frozen=True)
class Design:
    """A design matrix over the rows of a frame that have every covariate."""

    matrix: np.ndarray
    columns: tuple[DesignColumn, ...]
    kept: np.ndarray  # boolean mask over the original frame's rows
    notes: tuple[str, ...] = field(default_factory=tuple)

    def binary_columns(self) -> dict[str, np.ndarray]:
        """Columns that split patients into two groups (0/1 numerics and level dummies)."""
        out = {}
        for j, column in enumerate(self.columns):
            values = self.matrix[:, j]
            if np.isin(values, (0.0, 1.0)).all():
                out[column.term] = values
        return out

    def describe(self, term: str, side: str) -> Message:
        """Plain words for one side of a binary term, in the labels the tables use:
        'The group “Sex: male”', 'The group “Sex: other than male”'."""
        column = next(c for c in self.columns if c.term == term)
        if column.level is not None:
            level = level_message(column.covariate, column.level)
            if side == "without":
                level = Message(
                    "{column}: other than {level}",
                    column=column_message(column.covariate),
                    level=level_name_message(column.covariate, column.level),
                )
        else:
            level = level_message(column.covariate, "1" if side == "with" else "0")
        return Message("The group “{group}”", group=level)


def not_missing(series: pd.Series) -> np.ndarray:
    """``series.notna()`` as an array; plain numpy for numpy dtypes (a twentieth of the cost)."""
    values = series.to_numpy() if isinstance(series.dtype, np.dtype) else None
    if values is not None and values.dtype.kind == "f":
        return np.asarray(~np.isnan(values))
    if values is not None and values.dtype.kind in "iub":
        return np.ones(values.size, dtype=bool)
    return np.asarray(series.notna().to_numpy(), dtype=bool)


def _is_categorical(series: pd.Series, forced: Mapping[str, str]) -> bool:
    if series.name in forced:
        return True
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _level_label(value: object) -> str:
    # 0/1-coded categories read as "1", not "1.0".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def coded_labels(
    values: pd.Series | np.ndarray, label: Callable[[object], str] = _level_label
) -> tuple[np.ndarray, list[str], int]:
    """Text labels of a column's values as codes into its sorted distinct labels.

    Returns ``(codes, levels, distinct)``: ``levels[codes[i]]`` is row ``i``'s label, ``-1``
    where the value is missing; ``distinct`` counts distinct raw values, as ``nunique``.
    Labelling each distinct value once instead of every row is what keeps Table 1, the
    subgroup rates and the design matrix fast on registry-sized cohorts.
    """
    codes, uniques = pd.factorize(values)
    # tolist() gives Python scalars, as Series.map does, so float32 1.0 still reads "1".
    raw = uniques.tolist() if isinstance(uniques, np.ndarray) else list(uniques)
    names = [label(value) for value in raw]
    levels = sorted(set(names))
    position = {level: index for index, level in enumerate(levels)}
    # One extra slot so that the missing-value code -1 maps to -1.
    lookup = np.array([position[name] for name in names] + [-1], dtype=np.intp)
    return lookup[codes], levels, len(raw)


def _categorical_block(
    name: str, codes: np.ndarray, levels: list[str], reference: str | None
) -> tuple[list[np.ndarray], list[DesignColumn], str | None]:
    note = None
    if reference is None or reference not in levels:
        if reference is not None:
            note = Message(
                "Reference level {reference} of {column} is not in this group; using {level}.",
                reference=repr(reference),
                column=name,
                level=repr(levels[0]),
            )
        reference = levels[0]
    blocks, columns = [], []
    for index, level in enumerate(levels):
        if level == reference:
            continue
        blocks.append((codes == index).astype(float))
        columns.append(
            DesignColumn(term=f"{name}={level}", covariate=name, level=level, reference=reference)
        )
    return blocks, columns, note


def design_matrix(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    categorical: Mapping[str, str] | None = None,
) -> Design:
    """Code ``covariates`` of ``frame`` for regression.

    Rows missing any covariate are left out (``kept`` marks the rest), as R's default
    ``na.omit``. A covariate that does not vary among the kept rows is left out with a note,
    since its coefficient is not estimable (it happens whenever a filter fixes it).
    """
    forced = dict(categorical or {})
    missing = [c for c in covariates if c not in frame.columns]
    if missing:
        raise KeyError(f"covariate(s) not in the cohort: {', '.join(missing)}")
    # Plain numpy per column: this runs several times per report (Cox, PH test, lesion
    # models), and DataFrame sub-frames and .loc cost more than the coding itself.
    columns_in = [frame[name] for name in covariates]
    kept = np.ones(len(frame), dtype=bool)
    for series in columns_in:
        kept &= not_missing(series)
    everyone = bool(kept.all())
    blocks: list[np.ndarray] = []
    columns: list[DesignColumn] = []
    notes: list[str] = []
    for name, series in zip(covariates, columns_in, strict=True):
        if _is_categorical(series, forced):
            values = series.to_numpy()
            codes, levels, distinct = coded_labels(values if everyone else values[kept])
            if distinct >= 2:
                cat_blocks, cat_columns, note = _categorical_block(
                    str(name), codes, levels, forced.get(name)
                )
                blocks.extend(cat_blocks)
                columns.extend(cat_columns)
                notes.extend([note] if note else [])
                continue
        else:
            numbers = series.to_numpy(dtype=float, na_value=np.nan)
            numbers = numbers if everyone else numbers[kept]
            # nunique() >= 2, for values with no NaN left.
            if numbers.size and numbers.min() != numbers.max():
                blocks.append(numbers)
                unit = numeric_unit(str(name), numbers)
                columns.append(DesignColumn(term=name, covariate=name, unit=unit))
                continue
        notes.append(
            Message(
                "{column} is the same for everyone analysed here; left out of the model.",
                column=column_message(str(name)),
            )
        )
    matrix = np.column_stack(blocks) if blocks else np.empty((int(kept.sum()), 0))
    return Design(matrix=matrix, columns=tuple(columns), kept=kept, notes=tuple(notes))
