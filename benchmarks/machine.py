"""What the numbers were measured on: machine, load, versions, git commit."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "lifelines",
    "statsmodels",
    "firthmodels",
    "dash",
    "plotly",
    "flask",
    "flask-compress",
    "gunicorn",
    "psutil",
)
# Where the code under measurement lives: uncommitted changes there mean the numbers are
# not those of the commit named in the results.
MEASURED_PATHS = ("analytics", "app", "components", "assets", "gunicorn.conf.py")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.rstrip("\n")


def git_state() -> dict[str, object]:
    changed = _git("status", "--porcelain", "--", *MEASURED_PATHS)
    return {
        "commit": _git("rev-parse", "HEAD").strip() or "unknown (not a git checkout)",
        "subject": _git("log", "-1", "--format=%s").strip()[:120],
        "uncommitted_in_measured_code": [line[3:] for line in changed.splitlines()],
    }


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine() -> dict[str, object]:
    memory = psutil.virtual_memory()
    return {
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "ram_gb": round(memory.total / 2**30, 1),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
