"""Documentation stays complete (as datasette's test_docs): settings, CLI flags, columns."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import pytest

from analytics.__main__ import build_parser, main
from analytics.data.dictionary import DICTIONARY
from analytics.data.schema import PATIENT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


CONFIG_FILES = [ROOT / "app" / "server" / "config.py", ROOT / "gunicorn.conf.py"]


def _environment_variables() -> list[str]:
    """Every upper-case string passed as the first argument of a call, or used as a subscript,
    in the files that read the environment (app/server/config.py's typed readers, env.get("X"),
    os.environ["X"], and gunicorn.conf.py)."""
    names = set()
    for path in CONFIG_FILES:
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                first = node.args[0]
                # gunicorn.conf.py passes alternatives as a tuple: ("GUNICORN_WORKERS", ...).
                for item in first.elts if isinstance(first, ast.Tuple) else [first]:
                    if isinstance(item, ast.Constant):
                        names.add(item.value)
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return sorted(n for n in names if isinstance(n, str) and re.fullmatch(r"[A-Z][A-Z0-9_]*", n))


def _readme_configuration_table() -> set[str]:
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`", section, flags=re.MULTILINE))


def _cli_flags() -> list[str]:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    flags = set()
    for sub in subparsers.choices.values():
        for action in sub._actions:
            flags |= {o for o in action.option_strings if o.startswith("--") and o != "--help"}
    return sorted(flags)


def test_config_reads_some_environment_variables():
    assert {"HOST", "PORT"} <= set(_environment_variables())


@pytest.mark.parametrize("variable", _environment_variables())
def test_environment_variable_is_in_the_readme_table(variable):
    assert variable in _readme_configuration_table()


def test_readme_table_lists_no_unread_variable():
    assert _readme_configuration_table() <= set(_environment_variables())


def test_the_cli_has_flags():
    assert "--cohort" in _cli_flags()


@pytest.mark.parametrize("flag", _cli_flags())
def test_cli_flag_is_in_the_readme(flag):
    assert re.search(rf"{re.escape(flag)}(?![\w-])", README)


@pytest.mark.parametrize("column", PATIENT_COLUMNS)
def test_patient_column_is_in_the_dictionary(column):
    assert column in {doc.column for doc in DICTIONARY if doc.file == "patients"}


def test_dictionary_columns_are_unique_per_file():
    keys = [(doc.file, doc.column) for doc in DICTIONARY]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("column", ["patient_id", "months_from_rtx"])
def test_relapse_column_is_in_the_dictionary(column):
    assert column in {doc.column for doc in DICTIONARY if doc.file == "relapses"}


def test_every_cli_json_key_is_in_the_readme(capsys):
    assert main(["report", "--cohort", "demo", "--group-by", "sex", "--format", "json"]) == 0
    keys = json.loads(capsys.readouterr().out).keys()
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    assert [k for k in keys if f"`{k}`" not in section] == []


def test_readme_example_url_shows_two_groups():
    """The README's shareable-URL example must show what sharing is for: a grouped comparison.
    It once filtered to women and grouped by sex, i.e. one curve and no log-rank test."""
    from analytics.data.demo import load_demo
    from analytics.reports.report import build_report
    from app.state.view_state import ViewState

    (url,) = re.findall(r"`(/\?[^`]+)`", README.split("**Shareable**", 1)[1].split("\n- ", 1)[0])
    state = ViewState.from_query(url[1:])
    report = build_report(load_demo(), state.filters(), group_by=state.group_by)
    assert state.group_by is not None
    assert len(report.km) >= 2
    assert report.logrank is not None


def _table_rows(text: str, heading: str) -> dict[str, str]:
    """Variable -> default cell of the first table under ``heading`` (a row may name several
    variables, e.g. "`HOST`, `PORT`": those are skipped for defaults, named in the keys)."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        names = re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]) if line.startswith("|") else []
        for name in names:
            rows[name] = cells[1] if len(names) == 1 and len(cells) > 1 else ""
    return rows


def test_deploy_guide_and_readme_list_the_same_settings_with_the_same_defaults():
    readme = _table_rows(README, "## Configuration")
    deploy = _table_rows(
        (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8"), "## 4. Configuration"
    )
    assert set(readme) == set(deploy)
    # HOST and PORT differ on purpose: the image listens on 0.0.0.0 (its ENV).
    differ = {n for n in readme if deploy[n] and readme[n] != deploy[n]}
    assert differ == set(), {n: (readme[n], deploy[n]) for n in differ}


# Design notes once lived outside the repository (../shared); what the code relied on from
# them is now in docs/ (architecture.md, cli.md, data-contract.md).
OUTSIDE_NOTE = re.compile(r"\b(?:DESIGN|STYLE)\.md\b")
SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}
TEXT_SUFFIXES = {".py", ".md", ".toml", ".R", ".txt", ".cfg", ".ini", ".yml", ".yaml", ".sh"}


def _text_files() -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".mypy")]
        for name in names:
            path = Path(folder, name)
            if path.suffix in TEXT_SUFFIXES or name in {"Makefile", "Dockerfile"}:
                files.append(path)
    return files


def test_no_file_cites_design_notes_outside_the_repository():
    files = _text_files()
    assert ROOT / "analytics" / "__main__.py" in files  # the walk still sees the sources
    citing = [
        str(path.relative_to(ROOT))
        for path in files
        if OUTSIDE_NOTE.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert citing == []


DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("doc", [*DOCS, ROOT / "README.md"], ids=lambda p: p.name)
def test_relative_links_of_the_docs_lead_somewhere(doc):
    text = doc.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked offline
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        if not path.exists():
            broken.append(target)
        elif anchor and path.suffix == ".md":
            broken += [] if anchor in _anchors(path.read_text(encoding="utf-8")) else [target]
    assert broken == []


def _architecture_module_paths() -> set[str]:
    """Paths written out (`analytics/reports/report.py`), and a table's `x.py` under its `pkg/`
    cell."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    pattern = r"(?:analytics|app|components|i18n|tests|benchmarks)/[\w/.-]*?\.(?:py|R)"
    paths = set(re.findall(rf"`({pattern})`", text))
    for line in text.splitlines():
        cells = line.strip().strip("|").split("|")
        folder = re.fullmatch(r"\s*`([\w/]+/)`\s*", cells[0]) if line.startswith("|") else None
        if folder and len(cells) > 1:
            paths |= {folder[1] + name for name in re.findall(r"`(\w+\.py)`", cells[1])}
    return paths


def test_architecture_names_modules():
    paths = _architecture_module_paths()
    assert {"analytics/stats/cox/engine.py", "analytics/data/io.py"} <= paths


@pytest.mark.parametrize("path", sorted(_architecture_module_paths()))
def test_module_path_in_the_architecture_exists(path):
    assert (ROOT / path).exists()
