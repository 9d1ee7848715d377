"""cProfile of ``build_report`` on the scaled cohorts: where a recompute spends its time.

``python -m benchmarks.profiling --sizes 1000,100000 --top 15`` prints, per size, the top
functions by cumulative time, then by own time, over a few distinct views (the same kind
of views the benchmark times), after one unprofiled warm-up call on the 54-patient cohort
(imports and first-call costs).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
from pathlib import Path

from benchmarks import cohorts, inprocess, views

PROFILE_START = 600
ROOT = Path(__file__).resolve().parent.parent


def profile_report(n: int, top: int = 15, count: int | None = None) -> str:
    """pstats text (cumulative order, ``top`` rows) of ``count`` distinct-view reports."""
    small, _ = inprocess.load(cohorts.ensure(54))
    inprocess.report(small, views.REPEAT_VIEW)  # imports and first-call costs, not profiled
    cohort, _ = inprocess.load(cohorts.ensure(n))
    count = count or (3 if n <= 10_000 else 1)
    chosen = views.distinct_views(PROFILE_START, count, inprocess.age_bounds(cohort))
    profiler = cProfile.Profile()
    profiler.enable()
    for view in chosen:
        inprocess.report(cohort, view)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    by_cumulative = _trim(out.getvalue())
    out.seek(0)
    out.truncate()
    stats.sort_stats("tottime").print_stats(top)
    by_own = _trim(out.getvalue())
    header = f"n = {n}: {count} report(s): " + "; ".join(views.describe(v) for v in chosen)
    return f"{header}\n{by_cumulative}\n\nSame run by own time (tottime):\n{by_own}"


def _trim(text: str) -> str:
    """pstats output without its blank preamble, paths shortened to the package."""
    lines = [line for line in text.splitlines() if line.strip()]
    cleaned = []
    for line in lines:
        for marker in ("/site-packages/", f"{ROOT}/", "/lib/python3.11/"):
            if marker in line:
                head, _, tail = line.partition(marker)
                line = head[: head.rfind(" ") + 1] + tail
        cleaned.append(line)
    return "\n".join(cleaned)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--count", type=int, default=None, help="reports profiled per size")
    args = parser.parse_args(argv)
    for n in [int(s) for s in args.sizes.split(",") if s]:
        print(profile_report(n, args.top, args.count))
        print()


if __name__ == "__main__":
    main()
