"""The server and the local entry point run numpy with one BLAS thread (app/server/blas.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.server.blas import VARIABLES

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import {module}, os, json; print(json.dumps({{n: os.environ.get(n) for n in {names!r}}}))"


@pytest.mark.parametrize("module", ["app.server.wsgi", "app.__main__"])
def test_entry_points_set_one_blas_thread_before_numpy(module):
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    code = PROBE.format(module=module, names=VARIABLES)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert all(f'"{name}": "1"' in out for name in VARIABLES)


def test_an_administrators_setting_wins():
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2"}
    code = "import app.server.wsgi, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "2"
