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
    if isinstance(component, dict):  # a panel drawn from plain data (components/plain_html.py)
        return component_texts(component.get("children"))
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


def by_id(tree: object, element_id: str) -> Any:
    """The element ``element_id`` of a component tree or of a panel's plain data
    (components/plain_html.py); KeyError when absent."""
    if isinstance(tree, list | tuple):
        for child in tree:
            try:
                return by_id(child, element_id)
            except KeyError:
                continue
        raise KeyError(element_id)
    if isinstance(tree, dict):
        if tree.get("attrs", {}).get("id") == element_id:
            return tree
        return by_id(tree.get("children") or [], element_id)
    if getattr(tree, "id", None) == element_id:
        return tree
    children = getattr(tree, "children", None)
    if children is None or isinstance(children, str | int | float):
        raise KeyError(element_id)
    return by_id(children if isinstance(children, list | tuple) else [children], element_id)
