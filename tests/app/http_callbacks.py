"""Callback requests as the browser posts them, for the Flask test client (no server)."""

from __future__ import annotations

import json

from dash._utils import split_callback_id

from app.layout import ids
from tests.settled_changes import with_settled


def layout_values(app) -> dict[tuple[str, str], object]:
    values = {}
    for component in app.validation_layout._traverse():
        cid = getattr(component, "id", None)
        if isinstance(cid, str):
            for prop in component._prop_names:
                values[(cid, prop)] = getattr(component, prop, None)
    return values


def callback_body(
    app, key: str, spec: dict, store: dict | None, changes: dict | None = None
) -> bytes:
    """The body the renderer posts for the callback ``key``: the first-rendered values with
    ``changes``, ``store`` as the cohort store, every button clicked once."""
    values = {**layout_values(app), **with_settled(changes or {})}

    def value(dep: dict) -> dict:
        where = (dep["id"], dep["property"])
        if where == (ids.COHORT_STORE, "data"):
            return {**dep, "value": store}
        if dep["property"] == "n_clicks":
            return {**dep, "value": 1}
        return {**dep, "value": values.get(where)}

    first = spec["inputs"][0]
    return json.dumps(
        {
            "output": key,
            "outputs": split_callback_id(key),
            "inputs": [value(d) for d in spec["inputs"]],
            "state": [value(d) for d in spec["state"]],
            "changedPropIds": [f"{first['id']}.{first['property']}"],
        }
    ).encode()
