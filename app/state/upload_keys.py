"""Signed keys of uploaded cohorts: what the browser sends back instead of the files.

After an upload is validated, the page's cohort store holds a key, not the bytes: a filter
change then posts a few kilobytes instead of the whole upload (13 MB for a 10 MB file). The
key names the content digest of the validated files and the upload limits they passed, and
is signed with the server's secret (itsdangerous, HMAC-SHA256), so:

- a browser cannot forge one: a key it made up names no cohort, and cannot make a worker
  cache anything (cohorts enter the cache only by being validated on the server);
- a key made under other limits (e.g. before MAX_UPLOAD_RELAPSES was lowered) is refused;
- with sign-in, a key names the signed-in user: one user's key is refused for another;
- every worker and container with the same SECRET_KEY verifies every other one's keys.

A key expires after ``MAX_AGE_SECONDS``: a page left open for days asks for the file again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

# Tells these keys from anything else ever signed with the same secret.
SALT = "nmosd-upload-key"
MAX_AGE_SECONDS = 24 * 3600


class UploadKeyInvalid(Exception):
    """The key is forged, tampered with, expired, or was made under other limits or for
    another user. ``reason`` is for the log: it never holds a data value."""

    signal: dict[str, object] | None = None  # for the page's restore callback

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _serializer(secret: str) -> URLSafeTimedSerializer:
    # itsdangerous signs with HMAC-SHA1 unless told otherwise; SHA-256 is what this module
    # promises (a key signed before the change fails verification and the page re-sends).
    return URLSafeTimedSerializer(
        secret, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256}
    )


def sign_key(secret: str, digest: str, limits: Sequence[object], user: str | None) -> str:
    """The key of the validated upload with content ``digest``, accepted under ``limits``."""
    return _serializer(secret).dumps({"digest": digest, "limits": list(limits), "user": user})


def verify_key(
    secret: str,
    key: object,
    limits: Sequence[object],
    user: str | None,
    max_age: float = MAX_AGE_SECONDS,
) -> str:
    """The content digest a key names, if this server signed it for ``user`` under
    ``limits`` less than ``max_age`` seconds ago; else UploadKeyInvalid."""
    if not isinstance(key, str) or not key:
        raise UploadKeyInvalid("not a key")
    try:
        payload = _serializer(secret).loads(key, max_age=max_age)
    except SignatureExpired:
        raise UploadKeyInvalid("expired") from None
    except BadSignature:
        raise UploadKeyInvalid("bad signature") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("digest"), str):
        raise UploadKeyInvalid("malformed")
    if payload.get("limits") != list(limits):
        raise UploadKeyInvalid("made under other upload limits")
    if payload.get("user") != user:
        raise UploadKeyInvalid("made for another user")
    return payload["digest"]
