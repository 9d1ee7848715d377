"""Calling the app's callbacks directly, as Dash would: arguments in declared order, a trigger."""

from __future__ import annotations

import contextvars

from dash._callback_context import context_value
from dash._utils import AttributeDict

from app.callbacks import callback_specs
from app.layout import ids

# Each callback's Input/State order as declared: the tests follow the callbacks' signatures
# as they change.
# A slider's settled store stands for the slider (app.callbacks.settle): a change given for
# the slider's id reaches the views through it, as on the page once the thumb stops.
SLIDER_OF = {settled: control for control, settled in ids.SETTLED.items()}
DEPENDENCIES = {
    entry["callback"].__name__: [*entry["inputs"], *entry["state"]]
    for entry in callback_specs().values()
}


def arguments(function, dash_app, changes) -> list:
    """The callback's arguments: as the page first renders them, with ``changes`` applied.

    ``changes`` maps a component id (its ``value``, or a slider's settled value) or an
    ``(id, property)`` pair to a value.
    """
    args = []
    for dep in DEPENDENCIES[function.__name__]:
        key = (dep["id"], dep["property"])
        slider = SLIDER_OF.get(dep["id"]) if dep["property"] == "data" else None
        if key in changes:
            args.append(changes[key])
        elif dep["property"] == "value" and dep["id"] in changes:
            args.append(changes[dep["id"]])
        elif slider is not None and slider in changes:
            args.append(changes[slider])
        else:
            try:
                component = dash_app.validation_layout[dep["id"]]
            except KeyError:
                component = None
            args.append(getattr(component, dep["property"], None))
    return args


def run_triggered(function, args, prop_id: str | None):
    """Run ``function(*args)`` as Dash does when ``prop_id`` (e.g. "km-options.value") changed;
    ``None``: as on the page's first load, when nothing triggered it."""
    inputs = [] if prop_id is None else [{"prop_id": prop_id, "value": None}]

    def call():
        context_value.set(AttributeDict(triggered_inputs=inputs))
        return function(*args)

    return contextvars.copy_context().run(call)
