"""Callbacks declared next to their functions, registered on every app that is given them.

``app.callback`` is Dash's public registration, per app. ``@dash.callback`` would put the
declarations in one process-wide registry that the first app to serve a request takes for
itself, leaving none for a second app in the same process (tests build several). The
declared functions stay plain module functions, so tests can call them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import dash

Function = TypeVar("Function", bound=Callable[..., Any])


class Declarations:
    """A module's callbacks: ``@declarations.callback(...)`` as ``@app.callback(...)``."""

    def __init__(self) -> None:
        self._declared: list[tuple[tuple[Any, ...], dict[str, Any], Callable[..., Any]]] = []

    def callback(self, *dependencies: Any, **options: Any) -> Callable[[Function], Function]:
        """Declare ``function`` as a callback of ``dependencies``; returns it unchanged."""

        def declare(function: Function) -> Function:
            self._declared.append((dependencies, options, function))
            return function

        return declare

    def register(self, app: dash.Dash) -> None:
        """Register every declared callback on ``app``."""
        for dependencies, options, function in self._declared:
            app.callback(*dependencies, **options)(function)
