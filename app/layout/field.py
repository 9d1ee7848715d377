"""A labelled control row: the filter panel's rows, and the Hazard ratios tab's one control."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from i18n.language import t


def labelled_field(
    english: str, control: object, row_id: str | None = None, help_text: str | None = None
) -> html.Div:
    """A labelled control; ``english`` names its row id (the same in every language)."""
    row_id = row_id or "wrap-" + "".join(c if c.isalnum() else "-" for c in english.lower())
    label = t(english)
    label_id = f"{row_id}-label"
    label_class = "filter-label fw-semibold small mb-1"
    if isinstance(control, dbc.Select | dbc.Input):
        heading: object = html.Label(label, id=label_id, htmlFor=control.id, className=label_class)
    else:
        heading = html.Div(label, id=label_id, className=label_class)
    if isinstance(control, dbc.RadioItems) and not getattr(control, "name", None):
        # Radios sharing a name are one group for the browser: one Tab stop, arrow keys move
        # the choice. dbc.RadioItems renders them nameless (each its own Tab stop) otherwise.
        control.name = control.id
    if isinstance(control, dbc.RadioItems | dbc.Checklist):
        # Name the group for screen readers by its visible heading.
        role = "radiogroup" if isinstance(control, dbc.RadioItems) else "group"
        control = html.Div(control, role=role, **{"aria-labelledby": label_id})
    # Slider thumbs get their names from this heading via assets/a11y.js (dcc sliders take no
    # aria props); the data attribute tells the script which heading belongs to the row.
    if isinstance(control, dcc.Slider | dcc.RangeSlider):
        # dcc sliders load asynchronously: a slot of their final height keeps the filter
        # panel from jumping when they appear (layout shift).
        control = html.Div(control, className="slider-slot")
    children = [heading, control]
    if help_text:
        children.append(html.Div(t(help_text), className="form-text mt-0"))
    return html.Div(children, id=row_id, className="mb-3 filter-row", **{"data-label": label})
