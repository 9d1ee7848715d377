"""Sign-in that is fast for the signed-in, slow and bounded for guessers, and tells no names.

- A verified ``Authorization`` header is remembered for ``CACHE_SECONDS`` under an HMAC of
  the header with a key drawn at process start (the header itself, which holds the password,
  is never kept): one page load is 29 requests, and scrypt on each cost 19 s of CPU. Each
  worker verifies once.
- Failures are counted per client address and per user name; past ``MAX_FAILURES`` within
  ``WINDOW_SECONDS`` the answer is 429 with Retry-After, before any hashing, so guessing can
  no longer starve signed-in users of CPU.
- An unknown name is checked against a dummy hash of the users' own cost, so the answer
  takes as long as for a known name (no enumeration by timing).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

from werkzeug.security import check_password_hash, generate_password_hash

CACHE_SECONDS = 300.0
CACHE_ENTRIES = 4096
MAX_FAILURES = 10
WINDOW_SECONDS = 60.0
TRACKED_KEYS = 10_000

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class VerifiedCache:
    """Authorization headers verified recently, by HMAC, with the user name they prove."""

    def __init__(self, seconds: float = CACHE_SECONDS, entries: int = CACHE_ENTRIES) -> None:
        self._key = secrets.token_bytes(32)
        self._seconds = seconds
        self._entries = entries
        self._items: OrderedDict[bytes, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def digest(self, header: str) -> bytes:
        return hmac.new(self._key, header.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def get(self, header: str, now: float) -> str | None:
        digest = self.digest(header)
        with self._lock:
            item = self._items.get(digest)
            if item is None or item[0] <= now:
                self._items.pop(digest, None)
                return None
            return item[1]

    def put(self, header: str, user: str, now: float) -> None:
        digest = self.digest(header)
        with self._lock:
            self._items[digest] = (now + self._seconds, user)
            self._items.move_to_end(digest)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)


class FailureLimiter:
    """Failed sign-ins per key (an address, a user name) in a sliding window."""

    def __init__(self, limit: int = MAX_FAILURES, seconds: float = WINDOW_SECONDS) -> None:
        self._limit = limit
        self._seconds = seconds
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, keys: Iterable[str], now: float) -> int:
        """Seconds until every key is under its limit again (0: not limited)."""
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self._limit:
                    wait = max(wait, times[len(times) - self._limit] + self._seconds - now)
        return math.ceil(wait) if wait > 0 else 0

    def record(self, keys: Iterable[str], now: float) -> None:
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
                self._failures.move_to_end(key)
            # A flood of new addresses must not grow memory without bound.
            while len(self._failures) > TRACKED_KEYS:
                self._failures.popitem(last=False)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self._seconds:
            times.popleft()
        return times


def dummy_hash(users: dict[str, str]) -> str:
    """A hash of a random password with the users' most common method and cost."""
    methods = [hashed.split("$", 1)[0] for hashed in users.values()]
    method = max(set(methods), key=methods.count) if methods else "scrypt"
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


class BasicVerifier:
    """Checks ``name``/``password`` against the users file, with cache, limits and no leak."""

    def __init__(self, users: dict[str, str], clock: Callable[[], float] = time.monotonic):
        self.users = users
        self.cache = VerifiedCache()
        self.limiter = FailureLimiter()
        self.clock = clock
        self._dummy = dummy_hash(users)
        # A page load sends its first requests in parallel: one thread verifies a header
        # while the others with the same header wait for its answer (striped locks).
        self._stripes = [threading.Lock() for _ in range(64)]

    def check(self, header: str, name: str, password: str, address: str) -> tuple[str, object]:
        """("ok", name) | ("limited", seconds) | ("wrong", None)."""
        cached = self.cache.get(header, self.clock())
        if cached is not None:
            return "ok", cached
        with self._stripes[self.cache.digest(header)[0] % len(self._stripes)]:
            return self._verify(header, name, password, address)

    def _verify(self, header: str, name: str, password: str, address: str) -> tuple[str, object]:
        now = self.clock()
        cached = self.cache.get(header, now)  # verified while this thread waited
        if cached is not None:
            return "ok", cached
        keys = (f"address:{address}", f"user:{name}")
        wait = self.limiter.retry_after(keys, now)
        if wait:
            return "limited", wait
        hashed = self.users.get(name)
        # The same work for an unknown name as for a known one.
        valid = check_password_hash(hashed or self._dummy, password) and hashed is not None
        if not valid:
            self.limiter.record(keys, now)
            return "wrong", None
        self.cache.put(header, name, now)
        return "ok", name


def parse_networks(text: str) -> tuple[Network, ...] | None:
    """``"10.0.0.5, 10.1.0.0/16, ::1"`` -> networks; ``"*"`` -> None (any address)."""
    if text.strip() == "*":
        return None
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )


def address_in(address: str | None, networks: tuple[Network, ...] | None) -> bool:
    if networks is None:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)
