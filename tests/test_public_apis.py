"""The code uses only the public APIs of dash, plotly, flask, werkzeug and scipy.

A private name (a leading underscore) can change or vanish in any release, without a
deprecation: an upgrade would then break the app at run time, not at install. The scan is
static (ast), over every module of analytics/, app/, components/ and benchmarks/:

- imports of a private module or name (``from dash import _callback``,
  ``from scipy.special._ufuncs import ...``);
- private attributes reached from a library module or object (``dash._callback``,
  ``app._setup_server()`` on a Dash app, ``self._plotlyjs_url`` in a Dash subclass);
- private keyword arguments of their calls (``go.Figure(..., _validate=False)``);
- private names passed as strings (``getattr(dash, "_callback")``,
  ``importlib.import_module("dash._utils")``).

Dunder names (``__version__``) are not private. Tests may use Dash internals to drive
callbacks; the application may not.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("analytics", "app", "components", "benchmarks")
LIBRARIES = frozenset({"dash", "plotly", "flask", "werkzeug", "scipy"})
PRIVATE_MODULE_STRING = re.compile(r"^(dash|plotly|flask|werkzeug|scipy)(\.\w+)*\._(?!_)\w*")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _library(module: str | None) -> bool:
    return module is not None and module.split(".", 1)[0] in LIBRARIES


def _root(node: ast.expr) -> ast.expr:
    """The innermost object of ``a.b(c)[d].e``: ``a``."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _root_name(node: ast.expr) -> str | None:
    root = _root(node)
    return root.id if isinstance(root, ast.Name) else None


def _imported_library_names(node: ast.AST) -> list[str]:
    """The names an import statement binds to a library's modules or objects."""
    if isinstance(node, ast.Import):
        return [a.asname or a.name.split(".", 1)[0] for a in node.names if _library(a.name)]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and _library(node.module):
        return [a.asname or a.name for a in node.names]
    return []


def _names_made_by(node: ast.AST, makers: set[str]) -> list[str]:
    """Names bound to an object one of ``makers`` made: ``app = dash.Dash(...)``, or a
    parameter annotated with one (``app: dash.Dash``)."""
    if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
        if _root_name(node.value.func) in makers:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            return [t.id for t in targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.arg) and node.annotation is not None:
        if _root_name(node.annotation) in makers:
            return [node.arg]
    return []


class _Scan(ast.NodeVisitor):
    """Private-name uses of the libraries in one module (flow-insensitive: a name once bound
    to a library module, class or instance counts as that everywhere in the module)."""

    def __init__(self, tree: ast.Module) -> None:
        self.found: list[tuple[int, str]] = []
        self.library_names: set[str] = set()  # modules, classes and functions of a library
        self.library_classes: set[str] = set()  # our subclasses of a library class
        self.instances: set[str] = set()  # names bound to an object made by a library
        self._bind(tree)

    def _bind(self, tree: ast.Module) -> None:
        nodes = list(ast.walk(tree))
        for node in nodes:
            self.library_names.update(_imported_library_names(node))
        for node in nodes:
            if isinstance(node, ast.ClassDef) and any(
                _root_name(base) in self.library_names for base in node.bases
            ):
                self.library_classes.add(node.name)
        made_by_library = self.library_names | self.library_classes
        for node in nodes:
            self.instances.update(_names_made_by(node, made_by_library))

    def _report(self, node: ast.AST, what: str) -> None:
        self.found.append((getattr(node, "lineno", 0), what))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _library(alias.name) and any(_private(p) for p in alias.name.split(".")):
                self._report(node, f"import {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and _library(node.module):
            module = node.module or ""
            for alias in node.names:
                if any(_private(p) for p in [*module.split("."), alias.name]):
                    self._report(node, f"from {module} import {alias.name}")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if node.name in self.library_classes:
            # A private name in a library subclass is the library's own (an override or
            # one of its attributes): ``self._x`` and ``def _x`` both depend on internals.
            for inner in ast.walk(node):
                if isinstance(inner, ast.FunctionDef) and _private(inner.name):
                    self._report(inner, f"{node.name} overrides {inner.name}")
                if (
                    isinstance(inner, ast.Attribute)
                    and _private(inner.attr)
                    and isinstance(inner.value, ast.Name)
                    and inner.value.id == "self"
                ):
                    self._report(inner, f"self.{inner.attr} in {node.name}")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if _private(node.attr):
            name = _root_name(node.value)
            if name in self.library_names or name in self.library_classes:
                self._report(node, f"{name}...{node.attr}")
                return  # one report for ``a._b._c``
            if name in self.instances:
                self._report(node, f"{name}...{node.attr} (an object made by the library)")
                return
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        known = self.library_names | self.library_classes | self.instances
        if _root_name(node.func) in known:
            for keyword in node.keywords:
                if keyword.arg is not None and _private(keyword.arg):
                    self._report(node, f"keyword {keyword.arg}=")
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else None
        callee = node.func.id if isinstance(node.func, ast.Name) else callee
        texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
        texts = [text for text in texts if isinstance(text, str)]
        if callee in ("getattr", "setattr", "hasattr", "delattr") and len(node.args) > 1:
            owner = _root_name(node.args[0])
            name = node.args[1]
            if owner in known and isinstance(name, ast.Constant) and isinstance(name.value, str):
                if _private(name.value):
                    self._report(node, f"{callee}({owner}, {name.value!r})")
        if callee in ("import_module", "__import__"):
            for text in texts:
                if PRIVATE_MODULE_STRING.match(text):
                    self._report(node, f"{callee}({text!r})")
        self.generic_visit(node)


def private_uses(source: str) -> list[tuple[int, str]]:
    """(line, what) for every private use of the libraries in ``source``."""
    scan = _Scan(ast.parse(source))
    scan.visit(ast.parse(source))
    return sorted(set(scan.found))


def _modules(folder: str) -> Iterator[Path]:
    yield from sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", SCANNED)
def test_no_private_api_of_dash_plotly_flask_werkzeug_or_scipy(folder):
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _modules(folder)
        for line, what in private_uses(path.read_text(encoding="utf-8"))
    ]
    assert not found, "private APIs in use:\n" + "\n".join(found)


def test_every_scanned_folder_has_modules():
    for folder in SCANNED:
        assert any(_modules(folder)), folder


# The scan itself, on the private uses this code base once had and their public versions.
PRIVATE = {
    "from dash import _callback\nx = _callback.GLOBAL_CALLBACK_MAP": 1,
    "import dash\nx = dash._callback.GLOBAL_CALLBACK_LIST": 1,
    "from dash._utils import split_callback_id": 1,
    "from scipy.special._ufuncs import _hypergeom_cdf": 1,
    "from scipy import special\nf = special._ufuncs._hypergeom_pmf": 1,
    "import dash\napp = dash.Dash(__name__)\napp._setup_server()": 1,
    "import dash\ndef attach(app: dash.Dash):\n    app._callback_list.append(1)": 1,
    "from dash import Dash\ndef attach(app: Dash):\n    return app.server._got_first_request": 1,
    "import plotly.graph_objects as go\nfig = go.Figure({}, _validate=False)": 1,
    "import dash\nclass D(dash.Dash):\n    def _setup_plotlyjs(self):\n"
    "        self._plotlyjs_url = ''": 2,
    "import dash\nx = getattr(dash, '_callback')": 1,
    "import importlib\nm = importlib.import_module('werkzeug._internal')": 1,
    "import flask.json._private": 1,
}
PUBLIC = (
    "import dash\napp = dash.Dash(__name__)\napp.callback_map\nprint(dash.__version__)",
    "import plotly.io as pio\npio.to_html({'data': []}, validate=False)",
    "from scipy import stats\nstats.hypergeom.cdf(1, 10, 5, 5)",
    "class Cache:\n    def __init__(self):\n        self._items = {}\n    def get(self, k):\n"
    "        return self._items[k]",
    "import dash\ndef f(app: dash.Dash, cache):\n    return cache._items",
    "with server.test_request_context('/'):\n    server.preprocess_request()",
    # Keyword arguments of our own calls are ours (pandas' assign names columns with them).
    "frame = load()\nframe.assign(_rank=1)",
)


@pytest.mark.parametrize("source", sorted(PRIVATE))
def test_the_scan_finds_each_private_use(source):
    assert len(private_uses(source)) == PRIVATE[source], private_uses(source)


@pytest.mark.parametrize("source", PUBLIC)
def test_the_scan_passes_public_uses(source):
    assert private_uses(source) == []
