"""Turn result objects into JSON-safe plain data: NaN and infinities become None."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd


def json_safe(value: object) -> object:
    """Recursively convert numpy scalars, tuples and non-finite floats for ``json.dumps``.

    JSON has no NaN; an undefined estimate (a median never reached, an infinite HR) is
    ``null`` so that browsers and R's jsonlite read it the same way.

    A DataFrame becomes a list of row dicts (a result's per-patient table, such as
    :attr:`analytics.stats.rates.RelapseRates.patients`, reads as records in JSON).
    """
    if isinstance(value, pd.DataFrame):
        return [json_safe(row) for row in value.to_dict(orient="records")]
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def json_dict(value: Mapping[str, object]) -> dict[str, Any]:
    """:func:`json_safe` for a mapping, typed as the dict it returns."""
    return cast(dict[str, Any], json_safe(value))
