"""Per-browser-session cohorts: uploads live in the user's dcc.Store, never in server state.

The store holds the uploaded files' bytes (base64) and their fingerprint; each request
rebuilds the cohort from them. A bounded cache keyed by the content hash makes that cheap
without sharing anything between users that they did not both upload.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from analytics.data.cohort import Cohort
from analytics.data.io import load_cohort
from analytics.data.schema import CohortValidationError, Problem
from app.state.lru import BoundedCache

CACHE_SIZE = 16


_cache: BoundedCache[Cohort] = BoundedCache(CACHE_SIZE)


def decode_upload(contents: str, file_name: str) -> bytes:
    """Bytes of a dcc.Upload ``contents`` data URL ('data:<type>;base64,<data>')."""
    try:
        _, _, payload = contents.partition(",")
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise CohortValidationError(
            [Problem(file_name, None, None, None, "the upload could not be decoded; try again")]
        ) from None


# The store's three entries, in the order they enter the key.
ENTRIES = ("patients", "relapses", "infusions")
# base64 is 4/3 the size of its bytes; a little slack for padding.
BASE64_RATIO = 4 / 3


def store_key(store: dict[str, object]) -> str:
    """The cache key of a store, derived here from what the browser sent, never read from it.

    The client's own ``key`` is not trusted: one user's key sent with another's bytes
    returned the first user's cohort, and a key sent with other bytes filled that key's
    cache slot in a worker for everyone. The digest is of the base64 text as it arrived
    (names included, each entry's length first so that no two stores share a digest): one
    SHA-256 pass per callback, about 10 ms for a 10 MB upload, and no base64 decoding
    unless the cohort has to be rebuilt.
    """
    digest = hashlib.sha256()
    for entry in ENTRIES:
        item = store.get(entry)
        if isinstance(item, dict):
            name = str(item.get("name")).encode()
            data = item.get("data")
            text = data.encode() if isinstance(data, str) else b""
            for part in (name, text):
                digest.update(str(len(part)).encode() + b":" + part)
        digest.update(b";")
    return digest.hexdigest()


def _encoded(data: bytes | None, name: str | None) -> dict[str, str] | None:
    return None if data is None else {"name": str(name), "data": base64.b64encode(data).decode()}


def store_from_upload(
    patients: bytes,
    patients_name: str,
    relapses: bytes | None = None,
    relapses_name: str | None = None,
    *,
    infusions: bytes | None = None,
    infusions_name: str | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> tuple[dict[str, object], Cohort]:
    """Validate an upload; return what the browser keeps and the cohort.

    Raises CohortValidationError with every problem; nothing is stored in that case, so the
    previously loaded cohort stays in place. ``max_bytes``/``max_rows`` apply to each file.
    """
    cohort = load_cohort(
        patients,
        relapses,
        patients_name=patients_name,
        relapses_name=relapses_name,
        infusions=infusions,
        infusions_name=infusions_name,
        label=patients_name,
        max_bytes=max_bytes,
        max_rows=max_rows,
    )
    store: dict[str, object] = {
        "patients": _encoded(patients, patients_name),
        "relapses": _encoded(relapses, relapses_name),
        "infusions": _encoded(infusions, infusions_name),
    }
    # Kept in the store for a later browser that sends only the key; never read back.
    store["key"] = key = store_key(store)
    _cache.put((key, max_bytes, max_rows), cohort)
    return store, cohort


def _refused(rule: str) -> CohortValidationError:
    return CohortValidationError([Problem("upload", None, None, None, rule)])


def cohort_from_store(
    store: dict[str, object] | None,
    default: Cohort,
    *,
    allow_uploads: bool = True,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> Cohort:
    """The session's uploaded cohort, or the server's configured one when there is none.

    The store comes back from the browser with every callback, so it gets the upload's
    policy every time: refused when uploads are off, and held to the same per-file limits
    (a forged store is any bytes at all). Raises CohortValidationError.
    """
    if not store:
        return default
    if not allow_uploads:
        raise _refused("Uploads are turned off on this server: reload the page.")
    if not isinstance(store, dict):
        raise _refused("the upload is incomplete; upload it again")
    for entry in ENTRIES:
        item = store.get(entry)
        data = item.get("data") if isinstance(item, dict) else None
        if max_bytes is not None and isinstance(data, str):
            # Refused before decoding or hashing: the text alone shows it is too large.
            if len(data) > BASE64_RATIO * max_bytes + 4:
                raise _refused("the upload is larger than this server accepts; upload it again")
    # Another worker may have validated this upload: rebuild it from the bytes the browser
    # sent (once per worker, even when the page's callbacks ask at the same moment).
    # The limits are part of the key: a cohort accepted under one policy is not one accepted
    # under another (two apps in one process, e.g. tests).
    return _cache.get_or_compute(
        (store_key(store), max_bytes, max_rows),
        lambda: _rebuild(store, max_bytes=max_bytes, max_rows=max_rows),
    )


def _decoded(entry: object) -> tuple[bytes | None, str | None]:
    if entry is None:
        return None, None
    if not isinstance(entry, dict) or not isinstance(entry.get("data"), str):
        raise _refused("the upload is incomplete; upload it again")
    try:
        return base64.b64decode(entry["data"], validate=True), str(entry.get("name"))
    except (binascii.Error, ValueError):
        raise _refused("the upload could not be decoded; try again") from None


def _rebuild(store: dict[str, object], *, max_bytes: int | None, max_rows: int | None) -> Cohort:
    patients, patients_name = _decoded(store.get("patients"))
    if patients is None or patients_name is None:
        raise _refused("the upload is incomplete; upload it again")
    relapses, relapses_name = _decoded(store.get("relapses"))
    # A store written before infusions uploads existed has no "infusions" entry.
    infusions, infusions_name = _decoded(store.get("infusions"))
    _, cohort = store_from_upload(
        patients,
        patients_name,
        relapses,
        relapses_name,
        infusions=infusions,
        infusions_name=infusions_name,
        max_bytes=max_bytes,
        max_rows=max_rows,
    )
    return cohort
