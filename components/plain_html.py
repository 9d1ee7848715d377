"""Display-only panels as plain HTML data, drawn by the browser without Dash components.

Why: every Dash component a callback sends is mounted by the renderer as a component of its
own, which announces itself to the renderer's store once mounted; each announcement re-runs
the selectors of every component on the page. The summary cards and the two survival tables
were 92 components per filter change, most of the browser's time per change (measured with
benchmarks/browser_profile.py). As data (``plain``) drawn by assets/static_parts.js they
cost one store update each.

``plain`` turns the few component types those panels use (``dash.html`` elements and the
Bootstrap table, grid, card and alert) into ``{"tag", "attrs", "children"}`` nodes with the
classes dash-bootstrap-components gives them, so the page's HTML is what it was. Only an
allow-list of tags and attributes passes (the browser checks again): text is always text
(the browser sets it with ``textContent``), never markup, so an uploaded label cannot
inject anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dash.development.base_component import Component

# Tags the panels use (html.* components' lower-case names).
TAGS = frozenset(
    "div span p ul ol li table caption thead tbody tfoot tr th td small strong em b i br "
    "abbr sup sub h2 h3 h4 h5 h6 section figure figcaption".split()
)
# Dash prop name -> HTML attribute, for the props that are renamed.
_RENAMED = {"className": "class", "colSpan": "colspan", "rowSpan": "rowspan", "htmlFor": "for"}
_PLAIN_ATTRS = frozenset({"id", "class", "scope", "colspan", "rowspan", "role", "title", "style"})
_IGNORED = frozenset({"children", "key", "n_clicks", "n_clicks_timestamp", "disable_n_clicks"})
Node = dict[str, Any] | str | int | float | list[Any] | None


def _attribute_name(prop: str) -> str | None:
    name = _RENAMED.get(prop, prop)
    if name in _PLAIN_ATTRS or re.fullmatch(r"(aria|data)-[a-z][a-z0-9-]*", name):
        return name
    return None


def _style(style: Mapping[str, object]) -> str:
    def kebab(name: str) -> str:
        return re.sub(r"[A-Z]", lambda m: "-" + m.group(0).lower(), name)

    return "; ".join(f"{kebab(k)}: {v}" for k, v in style.items())


def _classes(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p)


def _element(tag: str, children: object, attrs: Mapping[str, object]) -> dict[str, Any]:
    clean = {
        k: (_style(v) if k == "style" and isinstance(v, Mapping) else v) for k, v in attrs.items()
    }
    return {
        "tag": tag,
        "attrs": {k: str(v) for k, v in clean.items() if v not in (None, "", False)},
        "children": plain(children),
    }


def _html(component: Component, props: Mapping[str, object]) -> dict[str, Any]:
    tag = type(component).__name__.lower()
    if tag not in TAGS:
        raise TypeError(f"plain_html: html.{type(component).__name__} is not allowed")
    attrs: dict[str, object] = {}
    for prop, value in props.items():
        if prop in _IGNORED or value is None:
            continue
        name = _attribute_name(prop)
        if name is None:
            raise TypeError(f"plain_html: prop {prop!r} of html.{type(component).__name__}")
        attrs[name] = value
    return _element(tag, getattr(component, "children", None), attrs)


def _col_classes(col: Component) -> str:
    classes = []
    for breakpoint, prop in (("", "xs"), ("", "width"), ("sm", "sm"), ("md", "md"),
                             ("lg", "lg"), ("xl", "xl"), ("xxl", "xxl")):  # fmt: skip
        size = getattr(col, prop, None)
        if size is None:
            continue
        infix = f"-{breakpoint}" if breakpoint else ""
        classes.append(f"col{infix}" if size is True else f"col{infix}-{size}")
    return _classes(*(classes or ["col"]))


def _common(component: Component) -> dict[str, object]:
    return {
        "id": getattr(component, "id", None),
        "style": getattr(component, "style", None),
    }


def _bootstrap(component: Component) -> dict[str, Any]:
    kind = type(component).__name__
    children = getattr(component, "children", None)
    extra = getattr(component, "className", None)
    if kind == "Table":
        table = _element(
            "table",
            children,
            {
                **_common(component),
                "class": _classes(
                    "table",
                    getattr(component, "size", None) and f"table-{component.size}",
                    getattr(component, "striped", None) and "table-striped",
                    getattr(component, "bordered", None) and "table-bordered",
                    getattr(component, "hover", None) and "table-hover",
                    extra,
                ),
            },
        )
        if getattr(component, "responsive", None):
            return {"tag": "div", "attrs": {"class": "table-responsive"}, "children": [table]}
        return table
    if kind == "Row":
        return _element("div", children, {**_common(component), "class": _classes("row", extra)})
    if kind == "Col":
        classes = _classes(_col_classes(component), extra)
        return _element("div", children, {**_common(component), "class": classes})
    if kind in ("Card", "CardBody"):
        base = "card" if kind == "Card" else "card-body"
        return _element("div", children, {**_common(component), "class": _classes(base, extra)})
    if kind == "Alert":
        color = getattr(component, "color", None) or "secondary"
        classes = _classes("alert", f"alert-{color}", extra)
        return _element("div", children, {**_common(component), "class": classes, "role": "alert"})
    raise TypeError(f"plain_html: dbc.{kind} is not supported")


def plain(node: object) -> Node:
    """A component tree as plain data (see the module docstring); ``None`` stays ``None``."""
    if node is None or isinstance(node, str | int | float):
        return node
    if isinstance(node, list | tuple):
        return [plain(child) for child in node]
    if not isinstance(node, Component):
        raise TypeError(f"plain_html: {type(node).__name__} is not a component")
    serialised = node.to_plotly_json()
    namespace = serialised["namespace"]
    if namespace == "dash_html_components":
        return _html(node, serialised["props"])
    if namespace == "dash_bootstrap_components":
        return _bootstrap(node)
    raise TypeError(f"plain_html: {namespace}.{type(node).__name__} is not supported")
