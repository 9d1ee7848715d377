"""Feature callbacks, declared with ``@dash.callback`` (docs/architecture.md), attached to each app.

Dash moves globally declared callbacks into the first app that serves a request and leaves
none for a second app in the same process (tests build several; a worker builds one). So the
declarations are taken here once, at import, and ``attach`` gives every app its own copy.
"""

from __future__ import annotations

import dash
from dash import _callback  # private, but the only registry @dash.callback writes to

from app.callbacks import (  # noqa: F401  (the @callback declarations)
    conditional,
    data,
    relapses,
    report,
    timelines,
    view,
)

_CALLBACK_MAP = dict(_callback.GLOBAL_CALLBACK_MAP)
_CALLBACK_LIST = list(_callback.GLOBAL_CALLBACK_LIST)
_callback.GLOBAL_CALLBACK_MAP.clear()
_callback.GLOBAL_CALLBACK_LIST.clear()


def attach(app: dash.Dash) -> None:
    """Give ``app`` the feature callbacks (idempotent)."""
    for key, spec in _CALLBACK_MAP.items():
        app.callback_map.setdefault(key, spec)
    known = {spec["output"] for spec in app._callback_list}
    app._callback_list.extend(c for c in _CALLBACK_LIST if c["output"] not in known)


def callback_specs() -> dict[str, dict]:
    """The declared callbacks by output key (Dash's spec dicts), e.g. for tests."""
    return dict(_CALLBACK_MAP)
