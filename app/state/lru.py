"""A bounded, thread-safe LRU that computes each missing value once (single flight).

gunicorn runs several threads per worker and Dash fires a page's callbacks in parallel, so
two requests often want the same cohort or report at the same moment: the second waits
for the first instead of computing it again. Values are bounded by count and by a weight
(e.g. patients in the cohort), so a few registry-sized reports cannot exhaust a worker's
memory while many small ones stay cached.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Event, Lock
from typing import Generic, TypeVar

V = TypeVar("V")


class _Pending:
    """A value being computed by another thread."""

    def __init__(self) -> None:
        self.done = Event()
        self.failed = False


class BoundedCache(Generic[V]):
    """LRU by count and total weight; ``get_or_compute`` runs ``compute`` once per key."""

    def __init__(self, max_items: int, max_weight: float = float("inf")) -> None:
        self._items: OrderedDict[Hashable, tuple[V, float]] = OrderedDict()
        self._pending: dict[Hashable, _Pending] = {}
        self._max_items = max_items
        self._max_weight = max_weight
        self._weight = 0.0
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: V, weight: float = 1.0) -> None:
        with self._lock:
            self._store(key, value, weight)

    def _store(self, key: Hashable, value: V, weight: float) -> None:
        if self._max_items <= 0 or weight > self._max_weight:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self._weight -= old[1]
        self._items[key] = (value, weight)
        self._weight += weight
        while len(self._items) > self._max_items or self._weight > self._max_weight:
            _, (_, dropped) = self._items.popitem(last=False)
            self._weight -= dropped

    def get_or_compute(
        self, key: Hashable, compute: Callable[[], V], weight: Callable[[V], float] | None = None
    ) -> V:
        """The cached value of ``key``, computing it (once, even under concurrency) if absent.

        An exception in ``compute`` propagates to its caller; threads waiting on the same
        key then compute it themselves, so a failure is never cached.
        """
        while True:
            with self._lock:
                found = self._items.get(key)
                if found is not None:
                    self._items.move_to_end(key)
                    self.hits += 1
                    return found[0]
                pending = self._pending.get(key)
                if pending is None:
                    pending = self._pending[key] = _Pending()
                    owner = True
                    self.misses += 1
                else:
                    owner = False
            if not owner:
                pending.done.wait()
                continue  # now cached (or failed: then this thread tries itself)
            try:
                value = compute()
            except BaseException:
                with self._lock:
                    del self._pending[key]
                pending.failed = True
                pending.done.set()
                raise
            with self._lock:
                self._store(key, value, 1.0 if weight is None else weight(value))
                del self._pending[key]
            pending.done.set()
            return value
