"""i18n is the bottom layer: analytics, components and app use it, it uses none of them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {"analytics", "app", "components"}


def test_i18n_imports_no_project_package():
    found = {}
    for path in (ROOT / "i18n").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            bad = {name.split(".")[0] for name in names} & PROJECT_PACKAGES
            if bad:
                found[str(path.relative_to(ROOT))] = sorted(bad)
    assert found == {}
