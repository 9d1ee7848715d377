"""Uploaded files in the shared Redis, so that any worker can rebuild a cohort without the page.

Without it, a worker that does not hold an upload asks the page for the files again
(app/callbacks/restore.py): one round trip carrying the whole upload. With ``REDIS_URL`` the
worker that validated an upload also puts its raw files in Redis (namespace ``uploads``, key:
content digest and upload limits, for ``SHARED_UPLOAD_TTL`` seconds after the last use, memory
only: redis-server runs without persistence in deploy/). Another worker that misses locally
takes them from there and validates them again before holding the cohort:

- the entry is authenticated (HMAC with ``SECRET_KEY``, app/state/shared_store.py), and
- its bytes must have the digest the page's signed key names, and pass the same validation
  under the same limits: what Redis hands back is never trusted as a cohort by itself.

Anything else (no Redis, Redis down, the entry expired or evicted, a digest that does not
match) is a miss, and the page restores the files as before: never another cohort.
"""

from __future__ import annotations

import logging
import time

from flask import current_app, has_app_context

from analytics.data.cohort import Cohort
from analytics.data.schema import CohortValidationError
from app.server.config import CONFIG_KEY
from app.state.cohort_store import (
    ENTRIES,
    UploadFiles,
    UploadLimits,
    UploadNotHeld,
    validated_cohort,
)
from app.state.lru import BoundedCache
from app.state.shared_store import SHARED_STORE_KEY, SharedStore, decode_files, encode_files

log = logging.getLogger("app.state.shared_uploads")

NAMESPACE = "uploads"
# Room for the names and length prefixes around the three files.
FRAMING_BYTES = 64 * 1024
# Without MAX_UPLOAD_MB (tests' NO_LIMITS): the default 20 MB per file.
DEFAULT_FILE_BYTES = 20 * 1024 * 1024
# A worker serving an upload from its own memory restarts the entry's time to live at most
# this often (a fraction of the TTL), so a long session keeps it without a Redis call per view.
TOUCH_FRACTION = 0.25

_touched: BoundedCache[float] = BoundedCache(256)


def _store() -> SharedStore | None:
    if not has_app_context():
        return None
    return current_app.config.get(SHARED_STORE_KEY)


def _ttl() -> float:
    return float(current_app.config[CONFIG_KEY].shared_upload_ttl)


def shared_key(digest: str, limits: UploadLimits) -> str:
    # The limits are part of the key: a cohort accepted under looser limits is not one
    # accepted under the limits in force (they are signed into the page's key too).
    return f"{digest}|{limits.signed()!r}"


def _max_bytes(limits: UploadLimits) -> int:
    per_file = DEFAULT_FILE_BYTES if limits.max_bytes is None else limits.max_bytes
    return len(ENTRIES) * per_file + FRAMING_BYTES


def _as_entries(files: UploadFiles) -> dict[str, tuple[str, bytes] | None]:
    names = files.names()
    # The confirmed mapping travels with the files (it is part of their digest).
    mapping = {} if files.mapping is None else {"mapping": ("", files.mapping.encode())}
    return {
        **mapping,
        "patients": (files.patients_name, files.patients),
        "relapses": None if files.relapses is None else (str(names["relapses"]), files.relapses),
        "infusions": (
            None if files.infusions is None else (str(names["infusions"]), files.infusions)
        ),
    }


def _as_files(entries: dict[str, tuple[str, bytes] | None]) -> UploadFiles:
    mapping = entries.pop("mapping", None)
    if set(entries) != set(ENTRIES) or entries["patients"] is None:
        raise ValueError("not an upload's file set")
    relapses, infusions = entries["relapses"], entries["infusions"]
    return UploadFiles(
        entries["patients"][1],
        entries["patients"][0],
        None if relapses is None else relapses[1],
        None if relapses is None else relapses[0],
        None if infusions is None else infusions[1],
        None if infusions is None else infusions[0],
        mapping=None if mapping is None else mapping[1].decode(),
    )


def share_upload(digest: str, limits: UploadLimits, files: UploadFiles) -> bool:
    """Put a validated upload's files in the shared Redis (False: not shared, e.g. no Redis)."""
    store = _store()
    if store is None:
        return False
    shared = store.put(
        NAMESPACE,
        shared_key(digest, limits),
        files,
        encode=lambda value: encode_files(_as_entries(value)),
        ttl=_ttl(),
        max_bytes=_max_bytes(limits),
    )
    if shared:
        _touched.put(shared_key(digest, limits), time.monotonic())
    return shared


def keep_shared(digest: str, limits: UploadLimits) -> None:
    """An upload served from this worker's memory is in use: restart its shared time to live
    (at most once per TOUCH_FRACTION of it), so other workers can still rebuild it."""
    store = _store()
    if store is None:
        return
    key, now, ttl = shared_key(digest, limits), time.monotonic(), _ttl()
    last = _touched.get(key)
    if last is not None and now - last < ttl * TOUCH_FRACTION:
        return
    _touched.put(key, now)
    store.touch(NAMESPACE, key, ttl=ttl)


def rebuild_from_shared(digest: str, limits: UploadLimits) -> Cohort:
    """The cohort of the shared files of ``digest``, validated here; else UploadNotHeld."""
    store = _store()
    if store is None:
        raise UploadNotHeld(digest)
    key = shared_key(digest, limits)
    files = store.get(NAMESPACE, key, decode=lambda payload: _as_files(decode_files(payload)))
    if files is None:
        raise UploadNotHeld(digest)
    if files.digest() != digest:
        # Authenticated yet other bytes (a bug, or a SECRET_KEY shared too widely): never
        # show them under this key.
        log.warning("shared upload entry does not match its digest: ignored")
        raise UploadNotHeld(digest)
    try:
        cohort = validated_cohort(files, limits)
    except CohortValidationError:
        log.warning("shared upload entry no longer passes validation: ignored")
        raise UploadNotHeld(digest) from None
    store.touch(NAMESPACE, key, ttl=_ttl())
    _touched.put(key, time.monotonic())
    return cohort
