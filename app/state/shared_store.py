"""A two-level cache: this worker's BoundedCache in front, a Redis shared by every worker behind.

Each gunicorn worker (and each container behind the hospital's proxy) keeps its own caches, so
a cohort uploaded through one worker is rebuilt by every other, and a view computed by one is
computed again by the next. With ``REDIS_URL`` set, a worker that misses locally looks in
Redis before computing, and shares what it computed. Without it everything stays in the
worker, as on a laptop (``status() == "local"``).

Why every entry carries an HMAC-SHA256 (keyed by ``SECRET_KEY``), checked before it is decoded:
Redis is a network service. Anyone who can reach it (a misconfigured network, another
application given the same Redis, a compromised neighbour container) can write any bytes under
our keys, and ``pickle.loads`` of forged bytes runs arbitrary code in the worker; forged "raw
file bytes" would show one user another cohort. An entry whose MAC does not verify (forged,
corrupted, written under another key or with another ``SECRET_KEY``) is a miss and one log
line, never decoded. The MAC covers the entry's Redis key too, so an entry copied under
another key does not verify either.

Why keys carry a code version (app/state/code_version.py): during an upgrade the old and the
new containers share one Redis, and a pickle of one release must not be read by another.
Keys also carry a hash of the caller's key, never the key itself: a report's key holds filter
values, which describe patients, and Redis keys are visible to whoever administers Redis.

Redis down, restarted or unreachable: every call answers from this process (computing
locally: slower, never wrong). The first failure logs one line and opens a breaker: for
``retry_seconds`` no call waits on Redis at all; then one call tries again, and its success
logs one line and closes the breaker. Socket timeouts are short, so a dead Redis costs a
request at most about a second, once per ``retry_seconds`` per worker.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import re
import struct
import threading
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.server.config import Config
from app.state.code_version import code_version
from app.state.lru import BoundedCache

log = logging.getLogger("app.state.shared_store")

# Where create_app keeps the process's store (Flask's app.config).
SHARED_STORE_KEY = "NMOSD_SHARED_STORE"
KEY_PREFIX = "nmosd-explorer"
# Breaker: how long Redis is left alone after a failure before one call tries again.
RETRY_SECONDS = 5.0
# /healthz pings a Redis that no request used for this long, so "shared" stays true.
PROBE_SECONDS = 5.0
# A refused connection fails at once; these bound a Redis that does not answer at all.
CONNECT_TIMEOUT_SECONDS = 0.5
SOCKET_TIMEOUT_SECONDS = 1.0
MAC_BYTES = hashlib.sha256().digest_size
NAMESPACE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")

SHARED, DEGRADED, LOCAL = "shared", "degraded", "local"

V = TypeVar("V")
T = TypeVar("T")


class _Unavailable:
    """Redis was not asked (breaker open, no Redis) or did not answer."""


UNAVAILABLE = _Unavailable()


def to_pickle(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def from_pickle(payload: bytes) -> object:
    # Only ever called on an entry whose MAC verified (SharedStore.get).
    return pickle.loads(payload)  # noqa: S301


def mac_key(secret: str) -> bytes:
    """The cache's own key derived from SECRET_KEY: the same secret may sign other things
    (e.g. upload keys), and no two uses should share a key."""
    return hmac.new(secret.encode(), b"nmosd-explorer shared cache", hashlib.sha256).digest()


class SharedStore:
    """The process's view of the shared cache; thread-safe, one per worker."""

    def __init__(
        self,
        client: redis.Redis | None,
        secret: str | None,
        version: str,
        *,
        retry_seconds: float = RETRY_SECONDS,
        probe_seconds: float = PROBE_SECONDS,
    ) -> None:
        if client is not None and not secret:
            raise ValueError("a shared store needs a secret to authenticate its entries")
        self._client = client
        self._mac_key = mac_key(secret) if secret else b""
        self._version = version
        self._retry_seconds = retry_seconds
        self._probe_seconds = probe_seconds
        self._lock = threading.Lock()
        self._degraded = False
        self._retry_at = 0.0
        self._last_ok = float("-inf")

    @classmethod
    def from_config(cls, config: Config) -> SharedStore:
        """Local only without REDIS_URL; no connection is made before the first use."""
        if config.redis_url is None:
            return cls(None, None, "")  # no keys to version: nothing leaves the process
        # The digest reads the app's sources once (about 0.2 s), at start-up only.
        return cls(connect(config.redis_url), config.secret_key, code_version())

    def close(self) -> None:
        """Close the pooled connections (tests; a worker's end closes them anyway)."""
        if self._client is not None:
            self._client.close()

    # Status and breaker ---------------------------------------------------------------

    def status(self) -> str:
        """One of "shared", "degraded" (configured but unreachable: answering locally) and
        "local" (no REDIS_URL). A Redis no call used for ``probe_seconds`` is pinged first."""
        if self._client is None:
            return LOCAL
        with self._lock:
            quiet = time.monotonic() - self._last_ok >= self._probe_seconds
        if quiet:
            self._call(lambda client: client.ping())
        return DEGRADED if self._degraded else SHARED

    def _call(self, operation: Callable[[redis.Redis], T]) -> T | _Unavailable:
        if self._client is None:
            return UNAVAILABLE
        with self._lock:
            now = time.monotonic()
            if self._degraded:
                if now < self._retry_at:
                    return UNAVAILABLE
                # This call probes; the others keep answering locally until it knows.
                self._retry_at = now + self._retry_seconds
        try:
            result = operation(self._client)
        except redis.RedisError as error:
            self._failed(error)
            return UNAVAILABLE
        with self._lock:
            self._last_ok = time.monotonic()
            recovered, self._degraded = self._degraded, False
        if recovered:
            log.warning("shared cache (Redis) reachable again: sharing resumed")
        return result

    def _failed(self, error: Exception) -> None:
        with self._lock:
            first, self._degraded = not self._degraded, True
            self._retry_at = time.monotonic() + self._retry_seconds
        if first:
            # The error's type only: its message can quote the URL, with its password.
            log.warning(
                "shared cache (Redis) unavailable (%s): answering from this process, "
                "retrying every %g s",
                type(error).__name__,
                self._retry_seconds,
            )

    # Entries --------------------------------------------------------------------------

    def redis_key(self, namespace: str, key: str) -> str:
        if not NAMESPACE.fullmatch(namespace):
            raise ValueError(f"namespace must match {NAMESPACE.pattern}, got {namespace!r}")
        hashed = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{KEY_PREFIX}:{self._version}:{namespace}:{hashed}"

    def _mac(self, redis_key: str, payload: bytes) -> bytes:
        signer = hmac.new(self._mac_key, redis_key.encode() + b"\n", hashlib.sha256)
        signer.update(payload)
        return signer.digest()

    def put(
        self,
        namespace: str,
        key: str,
        value: V,
        *,
        encode: Callable[[V], bytes],
        ttl: float,
        max_bytes: int,
    ) -> bool:
        """Share ``value`` for ``ttl`` seconds; False when not shared (no Redis, Redis down,
        or its encoding is larger than ``max_bytes``: such a value stays in the caller's
        local cache only, so one large cohort cannot evict everyone else's)."""
        if self._client is None:
            return False
        try:
            payload = encode(value)
        except Exception as error:  # e.g. an object pickle cannot take: the value is still right
            log.warning(
                "a value for %s could not be encoded (%s): kept in this process",
                namespace,
                type(error).__name__,
            )
            return False
        if len(payload) > max_bytes:
            return False
        name = self.redis_key(namespace, key)
        entry = self._mac(name, payload) + payload
        milliseconds = max(1, int(ttl * 1000))
        return self._call(lambda client: client.set(name, entry, px=milliseconds)) is True

    def get(
        self, namespace: str, key: str, *, decode: Callable[[bytes], V], ttl: float | None = None
    ) -> V | None:
        """The shared value, or None (absent, expired, Redis down, or failing its MAC).

        With ``ttl``, a hit restarts the entry's time to live: an upload in use stays.
        """
        name = self.redis_key(namespace, key)
        if ttl is None:
            found = self._call(lambda client: client.get(name))
        else:
            milliseconds = max(1, int(ttl * 1000))
            found = self._call(lambda client: client.getex(name, px=milliseconds))
        if not isinstance(found, bytes):
            return None
        mac, payload = found[:MAC_BYTES], found[MAC_BYTES:]
        if len(mac) < MAC_BYTES or not hmac.compare_digest(mac, self._mac(name, payload)):
            log.warning("shared cache entry in %s failed its integrity check: ignored", namespace)
            return None
        try:
            return decode(payload)
        except Exception as error:  # a genuine entry this code cannot read: compute instead
            log.warning(
                "shared cache entry in %s could not be decoded (%s): computed here",
                namespace,
                type(error).__name__,
            )
            return None

    def touch(self, namespace: str, key: str, *, ttl: float) -> bool:
        """Restart an entry's time to live (False: absent, or Redis not reachable)."""
        if self._client is None:
            return False
        name = self.redis_key(namespace, key)
        milliseconds = max(1, int(ttl * 1000))
        return self._call(lambda client: client.pexpire(name, milliseconds)) is True

    def get_or_compute(
        self,
        namespace: str,
        key: str,
        compute: Callable[[], V],
        *,
        local: BoundedCache[V],
        encode: Callable[[V], bytes],
        decode: Callable[[bytes], V],
        ttl: float,
        max_bytes: int,
        weight: Callable[[V], float] | None = None,
    ) -> V:
        """``local``'s value of ``key``; on a local miss Redis's, else ``compute()``'s (then
        shared). One thread per worker and key does the work (``local`` is single flight);
        an exception in ``compute`` propagates and nothing is cached."""

        def shared_or_computed() -> V:
            found = self.get(namespace, key, decode=decode, ttl=ttl)
            if found is not None:
                return found
            value = compute()
            self.put(namespace, key, value, encode=encode, ttl=ttl, max_bytes=max_bytes)
            return value

        if self._client is None:
            return local.get_or_compute(key, compute, weight)
        return local.get_or_compute(key, shared_or_computed, weight)


def connect(url: str) -> redis.Redis:
    """A client that never makes a request wait long: short timeouts, one immediate retry
    (a pooled connection broken by a Redis restart reconnects), no backoff."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 1),
    )


# An upload's files as one payload ------------------------------------------------------

_LENGTH = struct.Struct(">q")  # -1: the file is absent


def encode_files(files: Mapping[str, tuple[str, bytes] | None]) -> bytes:
    """``{"patients": (name, bytes), "relapses": None, ...}`` as length-prefixed bytes: an
    upload's validated files, from which a worker that missed rebuilds the cohort."""
    parts: list[bytes] = []
    for entry, item in files.items():
        fields = [entry.encode()]
        fields += [b""] if item is None else [item[0].encode("utf-8", "surrogatepass"), item[1]]
        parts.append(_LENGTH.pack(len(fields)))
        parts += [_LENGTH.pack(len(field)) + field for field in fields]
    return b"".join(parts)


def decode_files(payload: bytes) -> dict[str, tuple[str, bytes] | None]:
    """The inverse of ``encode_files`` (ValueError on bytes it did not write)."""
    files: dict[str, tuple[str, bytes] | None] = {}
    offset = 0

    def length() -> int:
        nonlocal offset
        if offset + _LENGTH.size > len(payload):
            raise ValueError("truncated file set")
        (value,) = _LENGTH.unpack_from(payload, offset)
        offset += _LENGTH.size
        return int(value)

    def take() -> bytes:
        nonlocal offset
        size = length()
        start, offset = offset, offset + size
        if size < 0 or offset > len(payload):
            raise ValueError("truncated file set")
        return payload[start:offset]

    while offset < len(payload):
        count = length()
        if count not in (2, 3):
            raise ValueError("not a file set")
        fields = [take() for _ in range(count)]
        name = fields[1].decode("utf-8", "surrogatepass") if count == 3 else ""
        files[fields[0].decode()] = None if count == 2 else (name, fields[-1])
    return files
