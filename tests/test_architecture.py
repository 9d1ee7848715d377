"""Architecture rules (docs/architecture.md) that code review alone would let slip."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_ANALYTICS = ("dash", "plotly", "flask", "dash_bootstrap_components")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_analytics_sources_never_import_ui_libraries():
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_modules(path) & set(FORBIDDEN_IN_ANALYTICS))
        for path in (ROOT / "analytics").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_analytics_loads_no_ui_library_at_runtime():
    """Transitive imports count too: run the whole CLI path in a clean interpreter."""
    code = (
        "import sys, analytics.reports.report, analytics.__main__, analytics.data.io;"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_IN_ANALYTICS!r}];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_components_do_no_statistics():
    """components/ renders results; it must not fit models itself."""
    stats_libraries = {"lifelines", "statsmodels", "scipy", "firthmodels"}
    for path in (ROOT / "components").rglob("*.py"):
        assert not (_imported_modules(path) & stats_libraries), path


def test_test_modules_have_unique_names():
    """The test folders are not packages, so pytest imports each test file by its bare name:
    two files with one name in different folders stop the whole run at collection (seen when
    tests/app and tests/browser both had test_levels.py)."""
    names: dict[str, list[str]] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        names.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in names.items() if len(paths) > 1} == {}


# ---- the package layout (docs/architecture.md, "Packages") --------------------------------

ALLOWED_AT_ANALYTICS_TOP = {"__init__", "__main__", "budget", "jsonsafe", "warnings_guard"}
LAYERS = {
    # package: project packages it may not import
    "i18n": ("analytics", "app", "components"),
    "analytics": ("app", "components"),
    "analytics.data": ("analytics.reports",),
    "analytics.stats": ("analytics.reports",),
    "components": ("app",),
}


def _project_imports(path: Path) -> set[str]:
    """Full dotted names of project modules imported by ``path`` (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_no_package_imports_a_layer_above_it():
    offenders = []
    for package, forbidden in LAYERS.items():
        for path in (ROOT / package.replace(".", "/")).rglob("*.py"):
            for name in _project_imports(path):
                if any(name == f or name.startswith(f + ".") for f in forbidden):
                    offenders.append(f"{_module_name(path)} imports {name}")
    assert offenders == []


def test_analytics_modules_live_in_the_package_of_their_role():
    """data/ (reading, validating), stats/ (estimators), reports/ (assembling, words); only
    cross-cutting helpers stay at the top of analytics/."""
    top = {p.stem for p in (ROOT / "analytics").glob("*.py")}
    assert top - ALLOWED_AT_ANALYTICS_TOP == set()
    packages = {p.name for p in (ROOT / "analytics").iterdir() if (p / "__init__.py").exists()}
    assert packages == {"data", "stats", "reports"}


def test_every_package_says_what_it_holds():
    for init in [*ROOT.glob("*/__init__.py"), *ROOT.glob("*/*/**/__init__.py")]:
        if init.parts[len(ROOT.parts)] in {"analytics", "app", "components", "i18n"}:
            assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init
