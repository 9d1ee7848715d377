"""Design matrices for regression: reference-level coding and missing-data handling.

Kept apart from the model fits so that Cox, Firth, time-dependent Cox and the PH test all
code a covariate the same way, and so the reference level is always stated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class DesignColumn:
    """One column of the design matrix."""

    term: str
    covariate: str
    level: str | None = None
    reference: str | None = None


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

    def describe(self, term: str, side: str) -> str:
        """Plain words for one side of a binary term, e.g. 'The group with sex=M'."""
        column = next(c for c in self.columns if c.term == term)
        if column.level is not None and side == "without":
            return f"The group with {column.covariate} other than {column.level}"
        return f"The group {side} {column.term}"


def _is_categorical(series: pd.Series, forced: Mapping[str, str]) -> bool:
    if series.name in forced:
        return True
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _level_label(value: object) -> str:
    # 0/1-coded categories read as "1", not "1.0".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _categorical_block(
    series: pd.Series, reference: str | None
) -> tuple[list[np.ndarray], list[DesignColumn], str | None]:
    labels = series.map(_level_label)
    levels = sorted(labels.unique())
    note = None
    if reference is None or reference not in levels:
        if reference is not None:
            note = (
                f"Reference level {reference!r} of {series.name} is not in this group; "
                f"using {levels[0]!r}."
            )
        reference = levels[0]
    blocks, columns = [], []
    for level in levels:
        if level == reference:
            continue
        blocks.append((labels == level).to_numpy(dtype=float))
        columns.append(
            DesignColumn(
                term=f"{series.name}={level}",
                covariate=str(series.name),
                level=level,
                reference=reference,
            )
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
    subset = frame[list(covariates)]
    kept = subset.notna().all(axis=1).to_numpy()
    rows = subset[kept]
    blocks: list[np.ndarray] = []
    columns: list[DesignColumn] = []
    notes: list[str] = []
    for name in covariates:
        series = rows[name]
        if series.nunique() < 2:
            notes.append(f"{name} is the same for everyone analysed here; left out of the model.")
            continue
        if _is_categorical(series, forced):
            cat_blocks, cat_columns, note = _categorical_block(series, forced.get(name))
            blocks.extend(cat_blocks)
            columns.extend(cat_columns)
            if note:
                notes.append(note)
        else:
            blocks.append(series.to_numpy(dtype=float))
            columns.append(DesignColumn(term=name, covariate=name))
    matrix = np.column_stack(blocks) if blocks else np.empty((int(kept.sum()), 0))
    return Design(matrix=matrix, columns=tuple(columns), kept=kept, notes=tuple(notes))
