"""Lighthouse 12 on a running page: scores, total blocking time and what blocks the main thread.

Lighthouse is a Node tool, not a dependency of the project: install it outside the repository
(``npm install lighthouse@12`` in e.g. /work/tools/lighthouse) and point ``LIGHTHOUSE_BIN`` at
its ``node_modules/.bin/lighthouse``, or put ``lighthouse`` on PATH. Without it the benchmark
prints one line saying so and goes on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROME = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices")
PRESETS = ("desktop", "mobile")  # mobile = Lighthouse's default (throttled phone)
RUN_SECONDS = 600
TOP = 5


def binary() -> str | None:
    configured = os.environ.get("LIGHTHOUSE_BIN")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("lighthouse")


def missing_reason() -> str | None:
    if binary() is None:
        return (
            "Lighthouse skipped: set LIGHTHOUSE_BIN to node_modules/.bin/lighthouse of "
            "`npm install lighthouse@12` (outside the repository) or put lighthouse on PATH"
        )
    if not Path(os.environ.get("CHROME_PATH", CHROME)).exists():
        return f"Lighthouse skipped: no Chromium at {CHROME} (or CHROME_PATH)"
    return None


def command(url: str, preset: str, output: Path) -> list[str]:
    found = binary()
    assert found is not None
    args = [
        found,
        url,
        "--chrome-flags=--headless --no-sandbox --disable-gpu",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={output}",
        "--quiet",
    ]
    if preset == "desktop":
        args.append("--preset=desktop")
    return args


def run(url: str, preset: str) -> dict[str, object]:
    """One Lighthouse run; its summary (or ``{"error": ...}``)."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "report.json"
        env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", CHROME))
        try:
            done = subprocess.run(
                command(url, preset, output), env=env, capture_output=True, text=True,
                timeout=RUN_SECONDS, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return {"preset": preset, "error": f"no result within {RUN_SECONDS} s"}
        if not output.exists():
            return {"preset": preset, "error": f"exit {done.returncode}: {done.stderr[-500:]}"}
        return summarise(json.loads(output.read_text(encoding="utf-8")), preset)


def _items(report: dict, audit: str) -> list[dict]:
    details = report.get("audits", {}).get(audit, {}).get("details") or {}
    return list(details.get("items") or [])


def _short(url: str) -> str:
    """The file name without Dash's cache-busting fingerprint (``.v4_4_1m1796208446``)."""
    name = url.split("?")[0].rsplit("/", 1)[-1] or url
    return re.sub(r"\.v[\d_]+m\d+", "", name)


def summarise(report: dict, preset: str) -> dict[str, object]:
    """Scores (0-1), TBT (ms) and the top contributors of a Lighthouse JSON report."""
    categories = report.get("categories", {})
    audits = report.get("audits", {})
    scripts = sorted(_items(report, "bootup-time"), key=lambda i: -float(i.get("total", 0)))
    groups = sorted(
        _items(report, "mainthread-work-breakdown"), key=lambda i: -float(i.get("duration", 0))
    )
    return {
        "preset": preset,
        "lighthouse_version": report.get("lighthouseVersion"),
        "scores": {name: (categories.get(name) or {}).get("score") for name in CATEGORIES},
        "total_blocking_time_ms": (audits.get("total-blocking-time") or {}).get("numericValue"),
        "largest_contentful_paint_ms": (audits.get("largest-contentful-paint") or {}).get(
            "numericValue"
        ),
        "bootup_top": [
            {
                "url": _short(str(i.get("url", ""))),
                "total_ms": round(float(i.get("total", 0))),
                "scripting_ms": round(float(i.get("scripting", 0))),
            }
            for i in scripts[:TOP]
        ],
        "mainthread_top": [
            {"group": i.get("groupLabel") or i.get("group"), "ms": round(float(i["duration"]))}
            for i in groups[:TOP]
        ],
        "failed_audits": sorted(
            name
            for name, audit in audits.items()
            if audit.get("score") is not None
            and audit.get("score") < 1
            and audit.get("scoreDisplayMode") == "binary"
        ),
    }
