"""Per-browser-session cohorts: uploads live in the user's dcc.Store, never in server state.

The store holds the uploaded files' bytes (base64) and their fingerprint; each request
rebuilds the cohort from them. A bounded cache keyed by the content hash makes that cheap
without sharing anything between users that they did not both upload.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from analytics.cohort import Cohort
from analytics.io import load_cohort
from analytics.schema import CohortValidationError, Problem
from app.lru import BoundedCache

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


def _key(patients: bytes, relapses: bytes | None, infusions: bytes | None = None) -> str:
    digest = hashlib.sha256(patients)
    digest.update(b"\0relapses\0" + (relapses or b""))
    if infusions is not None:
        # The relapses file's length goes in too: the same bytes given as the relapses file
        # or as the infusions file are two different cohorts.
        digest.update(b"\0infusions\0" + str(len(relapses or b"")).encode() + b"\0" + infusions)
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
    key = _key(patients, relapses, infusions)
    _cache.put(key, cohort)
    store = {
        "key": key,
        "patients": _encoded(patients, patients_name),
        "relapses": _encoded(relapses, relapses_name),
        "infusions": _encoded(infusions, infusions_name),
    }
    return store, cohort


def cohort_from_store(store: dict[str, object] | None, default: Cohort) -> Cohort:
    """The session's uploaded cohort, or the server's configured one when there is none."""
    if not store:
        return default
    key = str(store.get("key", ""))
    # Another worker may have validated this upload: rebuild it from the bytes the browser
    # sent (once per worker, even when the page's callbacks ask at the same moment).
    return _cache.get_or_compute(key, lambda: _rebuild(store))


def _decoded(entry: object) -> tuple[bytes | None, str | None]:
    if not isinstance(entry, dict):
        return None, None
    return base64.b64decode(entry["data"]), str(entry["name"])


def _rebuild(store: dict[str, object]) -> Cohort:
    patients, patients_name = _decoded(store["patients"])
    if patients is None or patients_name is None:
        raise CohortValidationError(
            [Problem("upload", None, None, None, "the upload is incomplete; upload it again")]
        )
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
    )
    return cohort
