"""One BLAS thread per process: the statistics are many tiny matrix operations per request.

OpenBLAS starts a thread per core for every operation; on a 2-core server already running
gunicorn's workers and threads, those threads fight Python for the cores and a report takes
2-3 times longer (benchmarks/RESULTS.md). Parallelism comes from workers and threads instead.
Must run before numpy is first imported; an administrator's own setting wins.
"""

from __future__ import annotations

import os

VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def single_threaded_blas() -> None:
    for name in VARIABLES:
        os.environ.setdefault(name, "1")
