"""Signed upload keys: only this server's secret makes one, for one digest, limits and user."""

from __future__ import annotations

import base64
import hashlib

import pytest
from itsdangerous import URLSafeTimedSerializer

from app.state.upload_keys import SALT, UploadKeyInvalid, sign_key, verify_key

SECRET = "s" * 48
DIGEST = "ab" * 32
LIMITS = [20 * 1024 * 1024, 200_000, 2_000_000, 2_000_000]
SHA256 = {"digest_method": hashlib.sha256}


def test_a_key_gives_back_its_digest():
    key = sign_key(SECRET, DIGEST, LIMITS, None)
    assert verify_key(SECRET, key, LIMITS, None) == DIGEST


def test_another_worker_with_the_same_secret_verifies_it():
    """Workers share SECRET_KEY; nothing else (no state) is needed to verify a key."""
    key = sign_key("shared-" + SECRET, DIGEST, LIMITS, "ana")
    assert verify_key("shared-" + SECRET, key, list(LIMITS), "ana") == DIGEST


@pytest.mark.parametrize(
    ("secret", "limits", "user", "reason"),
    [
        ("t" * 48, LIMITS, None, "bad signature"),  # another server's key
        (SECRET, [10 * 1024 * 1024, *LIMITS[1:]], None, "other upload limits"),
        (SECRET, [*LIMITS[:2], 100_000, LIMITS[3]], None, "other upload limits"),
        (SECRET, LIMITS, "bea", "another user"),
    ],
)
def test_a_key_is_refused_with_another_secret_limits_or_user(secret, limits, user, reason):
    key = sign_key(SECRET, DIGEST, LIMITS, None)
    with pytest.raises(UploadKeyInvalid, match=reason):
        verify_key(secret, key, limits, user)


def test_a_key_is_signed_with_hmac_sha256():
    """The module promises SHA-256 (itsdangerous' default is SHA-1): the signature part
    decodes to 32 bytes, and a SHA-1-signed key with the same secret is refused."""
    signature = sign_key(SECRET, DIGEST, LIMITS, None).rsplit(".", 1)[1]
    assert len(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))) == 32
    sha1 = URLSafeTimedSerializer(SECRET, salt=SALT).dumps(
        {"digest": DIGEST, "limits": LIMITS, "user": None}
    )
    with pytest.raises(UploadKeyInvalid, match="bad signature"):
        verify_key(SECRET, sha1, LIMITS, None)


def test_a_key_made_up_by_a_browser_is_refused():
    """Signed with a guessed secret, or unsigned, naming a digest the attacker chose."""
    forged = URLSafeTimedSerializer("guess", salt=SALT, signer_kwargs=SHA256).dumps(
        {"digest": DIGEST, "limits": LIMITS, "user": None}
    )
    with pytest.raises(UploadKeyInvalid, match="bad signature"):
        verify_key(SECRET, forged, LIMITS, None)


def test_a_key_with_another_digest_spliced_in_is_refused():
    key = sign_key(SECRET, DIGEST, LIMITS, None)
    other = sign_key(SECRET, "cd" * 32, LIMITS, None)
    # payload of one key, timestamp and signature of the other
    payload, _, _ = key.rsplit(".", 2)
    _, timestamp, signature = other.rsplit(".", 2)
    assert payload != other.rsplit(".", 2)[0]
    spliced = f"{payload}.{timestamp}.{signature}"
    with pytest.raises(UploadKeyInvalid, match="bad signature"):
        verify_key(SECRET, spliced, LIMITS, None)


# URL-safe base64 as itsdangerous writes it.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.mark.parametrize("position", [0, 10, -1])
def test_a_tampered_key_is_refused(position):
    key = sign_key(SECRET, DIGEST, LIMITS, None)
    index = position % len(key)
    # Flip the character's highest bit: a signature's last character also carries two
    # padding bits, and a change only there decodes to the same bytes (base64, not a forgery).
    # The payload's leading "." (compressed) is not base64: any other character changes it.
    if key[index] in ALPHABET:
        flipped = ALPHABET[ALPHABET.index(key[index]) ^ 0b100000]
    else:
        flipped = "A"
    changed = key[:index] + flipped + key[index + 1 :]
    with pytest.raises(UploadKeyInvalid):
        verify_key(SECRET, changed, LIMITS, None)


def test_an_expired_key_is_refused():
    key = sign_key(SECRET, DIGEST, LIMITS, None)
    # itsdangerous counts whole seconds: max_age -1 is "older than allowed" at once.
    with pytest.raises(UploadKeyInvalid, match="expired"):
        verify_key(SECRET, key, LIMITS, None, max_age=-1)


@pytest.mark.parametrize("key", [None, "", 7, ["x"], {"digest": DIGEST}, "not.a.key"])
def test_anything_else_is_refused(key):
    with pytest.raises(UploadKeyInvalid):
        verify_key(SECRET, key, LIMITS, None)


def test_a_signed_payload_without_a_digest_is_refused():
    signed = URLSafeTimedSerializer(SECRET, salt=SALT, signer_kwargs=SHA256).dumps(
        {"limits": LIMITS, "user": None}
    )
    with pytest.raises(UploadKeyInvalid, match="malformed"):
        verify_key(SECRET, signed, LIMITS, None)
