"""Summaries of timing samples: median and p95 (numpy's linear interpolation, as R type 7)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Summary:
    """Seconds: median, 95th percentile, min, max over ``count`` samples."""

    count: int
    median: float
    p95: float
    min: float
    max: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def summarise(samples: Sequence[float]) -> Summary | None:
    values = np.asarray([s for s in samples if s is not None and math.isfinite(s)], dtype=float)
    if values.size == 0:
        return None
    return Summary(
        count=int(values.size),
        median=float(np.median(values)),
        p95=float(np.percentile(values, 95)),
        min=float(values.min()),
        max=float(values.max()),
    )


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Seconds ``function()`` took (``time.perf_counter``) and what it returned."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def ratio(numerator: Summary | None, denominator: Summary | None) -> float | None:
    """Ratio of the medians (None when either side is missing)."""
    if numerator is None or denominator is None or denominator.median <= 0:
        return None
    return numerator.median / denominator.median
