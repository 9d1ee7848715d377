"""A version string of this code and of the libraries whose objects it pickles.

The shared cache (app/state/shared_store.py) puts it in every Redis key: during a rolling
upgrade the old and the new containers share one Redis, and an object pickled by one release
must never be unpickled by another (a dataclass with a new field, a pandas frame of another
pandas). A release number would be bumped by hand and forgotten; a digest of the source files
changes whenever the code does, and is the same in every container of one image.
"""

from __future__ import annotations

import hashlib
import platform
from functools import cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The packages whose objects (cohorts, reports, results) can end up in a pickle.
PACKAGES = ("analytics", "app", "components", "i18n")
LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels")


@cache
def code_version() -> str:
    """16 hex characters: the source of PACKAGES, Python's version and LIBRARIES' versions."""
    digest = hashlib.sha256()
    digest.update(platform.python_version().encode())
    for library in LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f";{library}={version}".encode())
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix().encode()
            source = path.read_bytes()
            # Lengths first, so that no two trees of files give the same stream of bytes.
            digest.update(b"%d:%s%d:" % (len(relative), relative, len(source)))
            digest.update(source)
    return digest.hexdigest()[:16]
