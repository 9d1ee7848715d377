"""The benchmark harness still runs end to end (a smoke run; it asserts no timings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_quick_benchmark_runs_and_writes_its_results(tmp_path):
    output = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "54", "--quick", "--no-http", "--no-r"]
        + ["--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = output.read_text(encoding="utf-8")
    assert "## Targets" in text
    assert "| 54 |" in text
