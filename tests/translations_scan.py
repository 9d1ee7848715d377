"""The English strings the code marks for translation: ``t("...")`` and ``N_("...")`` calls.

Run as a script to list the ones the Spanish catalog lacks (for whoever adds text).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("analytics", "app", "components")
MARKERS = {"t", "N_"}


def marked_strings() -> dict[str, list[str]]:
    """English text -> where it is marked (file:line)."""
    found: dict[str, list[str]] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in MARKERS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    found.setdefault(node.args[0].value, []).append(where)
    return found


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", text))


if __name__ == "__main__":
    from analytics.language_es import SPANISH

    for text, where in marked_strings().items():
        if text not in SPANISH:
            print(f"{text!r}: {where[0]}")
