"""Feature callbacks: each module declares its own and registers them on the app it is given.

``attach`` gives an app all of them. ``callback_specs`` reads them back as Dash keeps them
(``Dash.callback_map``: output key -> inputs, states, the function), e.g. for tests that
build callback requests.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

import dash

from app.callbacks import (
    conditional,
    data,
    methods,
    relapses,
    report,
    restore,
    settle,
    tab_panels,
    timelines,
    view,
    visible,
)

# In the order they were once declared at import: /_dash-dependencies lists them so.
# settle's and visible's are clientside (no server route).
MODULES = (
    view,
    conditional,
    relapses,
    data,
    report,
    timelines,
    restore,
    settle,
    tab_panels,
    methods,
    visible,
)
_attached: weakref.WeakSet[dash.Dash] = weakref.WeakSet()


def attach(app: dash.Dash) -> None:
    """Give ``app`` the feature callbacks (idempotent: Dash refuses an output twice)."""
    if app in _attached:
        return
    for module in MODULES:
        module.register(app)
    _attached.add(app)


@functools.cache
def _declared() -> dict[str, dict[str, Any]]:
    # An app without a server: it only holds the declarations (no routes, and it does not
    # become the process's current Dash app).
    holder = dash.Dash(__name__, server=False)
    attach(holder)
    return dict(holder.callback_map)


def callback_specs() -> dict[str, dict[str, Any]]:
    """The feature callbacks the server runs, by output key (Dash's spec dicts), e.g. for
    tests; clientside ones (app.callbacks.settle) have no Python function and are left out."""
    return {key: spec for key, spec in _declared().items() if "callback" in spec}
