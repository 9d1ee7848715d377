"""Uploaded cohorts: validated once, kept in a worker's memory, named by a signed key.

The browser's cohort store holds a signed key (app/state/upload_keys.py), the file names and
the number of patients, never the bytes. The server keeps each validated cohort in a bounded
in-memory cache keyed by the content digest of its files and the limits they passed; it is
never written to disk. A worker that does not hold the cohort of a valid key (another
worker validated it, a restart, an eviction) raises UploadNotHeld: the page then sends the
files it still holds once (app/callbacks/restore.py), they are validated again, and the
digest must match the key's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from analytics.data.cohort import Cohort
from analytics.data.io import RowLimits, load_cohort
from analytics.data.mapping import MappingChoice
from analytics.data.schema import CohortValidationError, Problem
from app.state.lru import BoundedCache
from i18n.language import N_

# Uploads held per worker: many at once (a departmental demo has dozens of people uploading;
# with 16, twenty concurrent uploads evicted each other between a restore and the next
# request), bounded by patients summed so that a few registry-sized uploads cannot exhaust
# the worker's memory (the least recently used go first and are restored from the page).
CACHE_SIZE = 64
CACHE_PATIENTS = 400_000
# The three files of an upload, in the order they enter the digest.
ENTRIES = ("patients", "relapses", "infusions")

_cache: BoundedCache[Cohort] = BoundedCache(CACHE_SIZE, CACHE_PATIENTS)


class UploadNotHeld(Exception):
    """A valid key whose cohort this worker does not hold: the page must send the files.
    ``signal`` is what the page's restore callback is told (app.state.session sets it)."""

    signal: dict[str, object] | None = None


@dataclass(frozen=True)
class UploadLimits:
    """The upload policy a cohort was accepted under (part of its key and cache key)."""

    max_bytes: int | None
    rows: tuple[int | None, int | None, int | None]

    def signed(self) -> list[object]:
        return [self.max_bytes, *self.rows]


NO_LIMITS = UploadLimits(None, (None, None, None))


@dataclass(frozen=True)
class UploadFiles:
    """The bytes and names of one upload (relapses and infusions optional)."""

    patients: bytes
    patients_name: str
    relapses: bytes | None = None
    relapses_name: str | None = None
    infusions: bytes | None = None
    infusions_name: str | None = None
    # The confirmed reading of the patients file (MappingChoice.to_json(); None: as written).
    mapping: str | None = None

    def names(self) -> dict[str, str | None]:
        return {
            "patients": self.patients_name,
            "relapses": None if self.relapses is None else self.relapses_name,
            "infusions": None if self.infusions is None else self.infusions_name,
        }

    def digest(self) -> str:
        """SHA-256 of names and bytes, each part's length first, so that no two uploads
        (e.g. one file given as relapses or as infusions) share a digest."""
        digest = hashlib.sha256()
        for name, data in (
            (self.patients_name, self.patients),
            (self.relapses_name, self.relapses),
            (self.infusions_name, self.infusions),
        ):
            if data is None:
                digest.update(b"-;")
                continue
            for part in (str(name).encode("utf-8", "surrogatepass"), data):
                digest.update(str(len(part)).encode() + b":" + part)
            digest.update(b";")
        if self.mapping is not None:
            # The same file read another way is another cohort; without a mapping the
            # digest is what it was before mappings existed.
            part = self.mapping.encode("utf-8", "surrogatepass")
            digest.update(b"mapping:" + str(len(part)).encode() + b":" + part)
        return digest.hexdigest()


def decode_upload(contents: str, file_name: str) -> bytes:
    """Bytes of a dcc.Upload ``contents`` data URL ('data:<type>;base64,<data>')."""
    try:
        _, _, payload = contents.partition(",")
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError, AttributeError):
        raise CohortValidationError(
            [Problem(file_name, None, None, None, "the upload could not be decoded; try again")]
        ) from None


def files_from_contents(
    contents: Sequence[str | None], names: Sequence[str | None], mapping: str | None = None
) -> UploadFiles | None:
    """The upload held by the page's three dcc.Upload components (None: no patients file)."""
    patients, relapses, infusions = contents
    if patients is None:
        return None

    def named(data: str | None, name: str | None) -> tuple[bytes | None, str | None]:
        return (None, None) if data is None else (decode_upload(data, str(name)), str(name))

    return UploadFiles(
        decode_upload(patients, str(names[0])),
        str(names[0]),
        *named(relapses, names[1]),
        *named(infusions, names[2]),
        mapping=mapping,
    )


def validate_upload(
    files: UploadFiles, limits: UploadLimits = NO_LIMITS, parsed: pd.DataFrame | None = None
) -> tuple[str, Cohort]:
    """Validate an upload and keep its cohort in this worker; return its digest and cohort.

    Raises CohortValidationError with every problem; nothing is kept in that case, so the
    previously loaded cohort stays in place.
    """
    cohort = validated_cohort(files, limits, parsed)
    digest = files.digest()
    _cache.put((digest, limits), cohort, weight=_patients(cohort))
    return digest, cohort


def validated_cohort(
    files: UploadFiles, limits: UploadLimits = NO_LIMITS, parsed: pd.DataFrame | None = None
) -> Cohort:
    """The cohort of ``files`` after every rule and limit (CohortValidationError), not kept."""
    return load_cohort(
        files.patients,
        files.relapses,
        patients_name=files.patients_name,
        relapses_name=files.relapses_name,
        infusions=files.infusions,
        infusions_name=files.infusions_name,
        label=files.patients_name,
        max_bytes=limits.max_bytes,
        max_rows=RowLimits(*limits.rows),
        mapping=mapping_choice(files),
        # The patients file as already read under ``limits`` (the upload's mapping proposal).
        parsed_patients=parsed,
    )


def mapping_choice(files: UploadFiles) -> MappingChoice | None:
    """The upload's confirmed mapping (CohortValidationError if the page sent a bad one)."""
    if files.mapping is None:
        return None
    try:
        return MappingChoice.from_json(files.mapping)
    except (ValueError, TypeError):
        raise CohortValidationError(
            [Problem(files.patients_name, None, None, None, BAD_MAPPING)]
        ) from None


BAD_MAPPING = N_("the confirmed column mapping could not be read; upload the file again")


def held_cohort(
    digest: str, limits: UploadLimits, rebuild: Callable[[], Cohort] | None = None
) -> Cohort:
    """The cohort validated under ``limits`` with content ``digest``, if this worker holds
    it; else ``rebuild()``'s (e.g. from the shared Redis: app/state/shared_uploads.py), held
    from then on, built once however many requests wait for it; else UploadNotHeld."""
    cohort = _cache.get((digest, limits))
    if cohort is not None:
        return cohort
    if rebuild is None:
        raise UploadNotHeld(digest)
    return _cache.get_or_compute((digest, limits), rebuild, weight=_patients)


def forget_all() -> None:
    """Drop every cohort this worker holds (tests: another worker, a restart)."""
    global _cache
    _cache = BoundedCache(CACHE_SIZE, CACHE_PATIENTS)


def _patients(cohort: Cohort) -> float:
    return float(max(1, len(cohort.patients)))
