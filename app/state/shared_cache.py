"""One line to share any per-worker cache of computed values through the shared Redis.

``shared_cached(namespace, key, compute, local=cache, weight=...)`` is what a
``cache.get_or_compute(key, compute, weight)`` becomes: in a request of an app with
``REDIS_URL`` a local miss looks in Redis (entries pickled and authenticated by
app/state/shared_store.py) before computing, and shares what it computed; outside a request or
without Redis it is exactly the local call.

The Redis key is ``stable_key(key)``, a canonical text of the key tuple that is the same in
every process: not ``hash()`` (salted per process for str) nor a plain ``repr`` (a frozenset's
order follows those hashes; an object's default repr holds its address). Only values whose
text is canonical are accepted (str, int, float, bool, None, enums, tuples/lists, sets,
dicts, dataclasses of those); anything else is a TypeError at the first call, not a key that
silently never matches.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, has_app_context

from app.state.lru import BoundedCache
from app.state.shared_store import SHARED_STORE_KEY, SharedStore, from_pickle, to_pickle

V = TypeVar("V")

# A computed report lives an hour in Redis: long enough for a clinic's session, short enough
# that a forgotten view does not occupy memory for days (Redis also evicts under its maxmemory).
DEFAULT_TTL_SECONDS = 3600.0
# A registry-sized report pickles to a few MB; larger values stay in the worker's own cache.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024


def stable_key(key: object) -> str:
    """The canonical text of ``key`` (TypeError for a value without one)."""
    if key is None or isinstance(key, bool | int | str):
        return repr(key)
    if isinstance(key, float):
        return f"f{key!r}"  # 1.0 and 1 are distinct keys, as in a tuple they compare equal
    if isinstance(key, enum.Enum):
        return f"{type(key).__qualname__}.{key.name}"
    if isinstance(key, tuple | list):
        opening, closing = ("(", ")") if isinstance(key, tuple) else ("[", "]")
        return opening + ",".join(stable_key(item) for item in key) + closing
    if isinstance(key, set | frozenset):
        return "{" + ",".join(sorted(stable_key(item) for item in key)) + "}"
    if isinstance(key, dict):
        items = sorted(f"{stable_key(k)}:{stable_key(v)}" for k, v in key.items())
        return "{" + ",".join(items) + "}"
    if dataclasses.is_dataclass(key) and not isinstance(key, type):
        fields = (
            f"{field.name}={stable_key(getattr(key, field.name))}"
            for field in dataclasses.fields(key)
        )
        return f"{type(key).__module__}.{type(key).__qualname__}(" + ",".join(fields) + ")"
    raise TypeError(f"no stable cache key for a {type(key).__name__}")


def _request_store() -> SharedStore | None:
    if not has_app_context():
        return None
    return current_app.config.get(SHARED_STORE_KEY)


def shared_cached(
    namespace: str,
    key: Hashable,
    compute: Callable[[], V],
    *,
    local: BoundedCache[V],
    weight: Callable[[V], float] | None = None,
    ttl: float = DEFAULT_TTL_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    encode: Callable[[V], bytes] = to_pickle,
    decode: Callable[[bytes], V] = from_pickle,  # type: ignore[assignment]
) -> V:
    """``local.get_or_compute(key, compute, weight)``, shared through Redis when the app in
    the current request has one (see the module's docstring). ``encode``/``decode`` default
    to pickle; a value that holds something cheaper to rebuild than to ship (a section's
    patient frame) passes its own pair."""
    store = _request_store()
    if store is None:
        return local.get_or_compute(key, compute, weight)
    return store.get_or_compute(
        namespace,
        stable_key(key),
        compute,
        local=local,
        encode=encode,
        decode=decode,  # only after the entry's MAC verified
        ttl=ttl,
        max_bytes=max_bytes,
        weight=weight,
    )
