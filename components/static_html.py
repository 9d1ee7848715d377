"""A few Dash components as an HTML string, for what the server puts in the page before the
scripts run (app/layout/shell.py).

Only the elements and props the page's header uses are allowed (anything else is a
TypeError, so a new prop in the header is a decision, not a silent omission), with the
classes dash-bootstrap-components gives ``Container`` and ``Badge``: the static header is
drawn the same size as the one React draws later. Text and attribute values are escaped.
"""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Mapping

from dash.development.base_component import Component

TAGS = frozenset("header h1 div p span strong small abbr a".split())
# Dash prop name -> HTML attribute.
_ATTRIBUTES = {
    "className": "class",
    "id": "id",
    "title": "title",
    "href": "href",
    "hrefLang": "hreflang",
    "lang": "lang",
    "role": "role",
}
_IGNORED = frozenset({"children", "n_clicks", "n_clicks_timestamp", "disable_n_clicks"})


def to_html(node: object) -> str:
    """``node`` (a component, text, a number or a list of them) as HTML."""
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return html_text.escape(str(node))
    if isinstance(node, list | tuple):
        return "".join(to_html(child) for child in node)
    if not isinstance(node, Component):
        raise TypeError(f"static_html: {type(node).__name__} is not a component")
    namespace = node.to_plotly_json()["namespace"]
    kind = type(node).__name__
    if namespace == "dash_bootstrap_components":
        return _bootstrap(node, kind)
    if namespace != "dash_html_components" or kind.lower() not in TAGS:
        raise TypeError(f"static_html: {namespace}.{kind} is not allowed")
    return _element(kind.lower(), _attributes(node), getattr(node, "children", None))


def _attributes(component: Component, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for prop, value in component.to_plotly_json()["props"].items():
        if prop in _IGNORED or prop in skip or value is None:
            continue
        name = _ATTRIBUTES.get(prop)
        if name is None and re.fullmatch(r"(aria|data)-[a-z][a-z0-9-]*", prop):
            name = prop
        if name is None:
            raise TypeError(f"static_html: prop {prop!r} of {type(component).__name__}")
        attributes[name] = str(value)
    return attributes


def _element(tag: str, attributes: Mapping[str, str], children: object) -> str:
    written = "".join(
        f' {name}="{html_text.escape(value, quote=True)}"' for name, value in attributes.items()
    )
    return f"<{tag}{written}>{to_html(children)}</{tag}>"


def _classes(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p)


def _bootstrap(component: Component, kind: str) -> str:
    children = getattr(component, "children", None)
    extra = getattr(component, "className", None)
    if kind == "Container":
        base = "container-fluid" if getattr(component, "fluid", False) is True else "container"
        attributes = _attributes(component, skip=frozenset({"fluid", "className"}))
        return _element("div", {**attributes, "class": _classes(base, extra)}, children)
    if kind == "Badge":
        color = getattr(component, "color", None) or "secondary"
        text_color = getattr(component, "text_color", None)
        classes = _classes(extra, "badge", text_color and f"text-{text_color}", f"bg-{color}")
        attributes = _attributes(component, skip=frozenset({"color", "text_color", "className"}))
        return _element("span", {**attributes, "class": classes}, children)
    raise TypeError(f"static_html: dbc.{kind} is not supported")
