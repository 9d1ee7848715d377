"""Before/after: ``build_report`` on distinct views, two git revisions, alternated in one run.

A refactoring that must not slow the product down is measured here, not in a unit test: each
round runs the base revision's code and then the head's (each in a fresh interpreter started
in its own checkout, so each uses its own modules and harness), on the same scaled cohorts and
the same views, and the ratio head / base of the medians and 95th percentiles is reported. The
rounds alternate so that a machine that gets busier during the run slows both sides alike.

    .venv/bin/python -m benchmarks.compare_revisions --base ea3bf71 --sizes 54,100000 --rounds 3

The base revision is checked out with ``git worktree`` into a temporary folder (removed after);
the head is the working tree this module runs from.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.stats import summarise

ROOT = Path(__file__).resolve().parents[1]

# Runs inside one checkout: its own harness (benchmarks.inprocess, views, cohorts) and code.
CHILD = """
import json
from benchmarks import cohorts, inprocess, stats, views
out = {}
for n in %(sizes)r:
    files = cohorts.ensure(n, data_dir=cohorts.DATA_DIR)
    cohort, _ = inprocess.load(files)
    bounds = inprocess.age_bounds(cohort)
    chosen = views.distinct_views(%(start)d, %(count)d + 1, bounds)
    inprocess.report(cohort, chosen[0])  # warm-up: imports, first-call caches
    out[str(n)] = [stats.timed(lambda: inprocess.report(cohort, v))[0] for v in chosen[1:]]
print(json.dumps(out))
"""


def _run(checkout: Path, sizes: list[int], start: int, count: int) -> dict[str, list[float]]:
    code = CHILD % {"sizes": sizes, "start": start, "count": count}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=checkout, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="git revision measured as 'before'")
    parser.add_argument("--sizes", default="54,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--views", type=int, default=10, help="distinct views per round and size")
    parser.add_argument("--output", type=Path, default=None, help="markdown table to write")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    base_sha = subprocess.run(
        ["git", "rev-parse", "--short", args.base], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    head_sha = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    samples: dict[str, dict[str, list[float]]] = {"base": {}, "head": {}}
    with tempfile.TemporaryDirectory() as tmp:
        base_dir = Path(tmp) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(base_dir), args.base],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        try:
            for round_ in range(args.rounds):
                start = 10 * args.views * round_  # new views every round: no cache serves them
                for side, checkout in (("base", base_dir), ("head", ROOT)):
                    for n, seconds in _run(checkout, sizes, start, args.views).items():
                        samples[side].setdefault(n, []).extend(seconds)
                print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base_dir)], cwd=ROOT, check=False
            )
    lines = [
        f"build_report on distinct views: base {base_sha} vs head {head_sha}, "
        f"{args.rounds} alternating rounds x {args.views} views (milliseconds)",
        "",
        "| n | base p50 | head p50 | p50 ratio | base p95 | head p95 | p95 ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in map(str, sizes):
        # The summaries of RESULTS.md: median and p95 by linear interpolation.
        base, head = summarise(samples["base"][n]), summarise(samples["head"][n])
        assert base is not None
        assert head is not None
        b50, h50, b95, h95 = base.median, head.median, base.p95, head.p95
        lines.append(
            f"| {int(n):,} | {1000 * b50:.1f} | {1000 * h50:.1f} | {h50 / b50:.2f} "
            f"| {1000 * b95:.1f} | {1000 * h95:.1f} | {h95 / b95:.2f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
