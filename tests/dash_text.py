"""Reading the text out of Dash component trees in tests (no browser)."""

from __future__ import annotations

from typing import Any


def component_texts(component: object) -> list[str]:
    """Every string in a component tree, in document order."""
    if component is None:
        return []
    if isinstance(component, str | int | float):
        return [str(component)]
    if isinstance(component, list | tuple):
        return [t for child in component for t in component_texts(child)]
    return component_texts(getattr(component, "children", None))


def components_of(component: object, kind: type | str) -> list[Any]:
    """Every component of the tree that is a ``kind``, in document order: a class (isinstance)
    or a class name ("Table" is then html.Table and dbc.Table alike)."""

    def matches(node: object) -> bool:
        return type(node).__name__ == kind if isinstance(kind, str) else isinstance(node, kind)

    found = [component] if matches(component) else []
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            found += components_of(child, kind)
    elif children is not None and not isinstance(children, str | int | float):
        found += components_of(children, kind)
    return found
