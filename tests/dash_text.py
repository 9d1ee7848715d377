"""Reading the text out of Dash component trees in tests (no browser)."""

from __future__ import annotations


def component_texts(component: object) -> list[str]:
    """Every string in a component tree, in document order."""
    if component is None:
        return []
    if isinstance(component, str | int | float):
        return [str(component)]
    if isinstance(component, list | tuple):
        return [t for child in component for t in component_texts(child)]
    return component_texts(getattr(component, "children", None))
