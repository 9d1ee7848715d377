"""The packages a uv.lock installs for some extras, from the lock's dependency graph.

uv.lock holds one resolution for every extra and platform together; what an install gets
is the closure of the project's dependencies (plus the chosen extras' ones) through each
package's ``dependencies`` and the extras it is asked for (``{ name = "x", extra = ["y"] }``
pulls in x's ``optional-dependencies.y``). Environment markers are not evaluated: the
closure is every platform's and Python's, a superset of what the image installs, which is
the safe side for a check that something is absent or new enough.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "uv.lock"
PROJECT = "nmosd-cohort-explorer"


@dataclass(frozen=True)
class Locked:
    name: str
    version: str

    @property
    def parsed(self) -> Version:
        return Version(self.version)


def read_lock(text: str | None = None) -> dict:
    return tomllib.loads(LOCK.read_text(encoding="utf-8") if text is None else text)


def _by_name(lock: dict) -> dict[str, list[dict]]:
    packages: dict[str, list[dict]] = {}
    for package in lock["package"]:
        packages.setdefault(package["name"], []).append(package)
    return packages


def _resolve(packages: dict[str, list[dict]], edge: dict) -> list[dict]:
    """The locked package(s) an edge names: its version when given (the lock names one where
    several versions of a package are locked, per Python or platform), else every one."""
    found = packages.get(edge["name"])
    if not found:
        raise LookupError(f"uv.lock locks no package {edge['name']!r}, yet names it")
    if "version" in edge:
        found = [package for package in found if package["version"] == edge["version"]]
    return found


def closure(lock: dict, extras: tuple[str, ...] = ()) -> set[Locked]:
    """What installing the project with ``extras`` (no dev groups) installs, itself excluded."""
    packages = _by_name(lock)
    (project,) = packages[PROJECT]
    optional = project.get("optional-dependencies", {})
    unknown = set(extras) - optional.keys()
    if unknown:
        raise LookupError(f"the project has no extra {sorted(unknown)}")
    pending = list(project.get("dependencies", []))
    for extra in extras:
        pending += optional[extra]
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    installed: set[Locked] = set()
    while pending:
        edge = pending.pop()
        for package in _resolve(packages, edge):
            key = (package["name"], package["version"], tuple(edge.get("extra", ())))
            if key in seen:
                continue
            seen.add(key)
            installed.add(Locked(package["name"], package["version"]))
            pending += package.get("dependencies", [])
            for extra in edge.get("extra", ()):
                pending += package.get("optional-dependencies", {}).get(extra, [])
    return installed


def extra_names(lock: dict, extra: str) -> set[str]:
    """The packages an extra of the project names directly."""
    (project,) = _by_name(lock)[PROJECT]
    return {edge["name"] for edge in project.get("optional-dependencies", {}).get(extra, [])}


def runtime_names(lock: dict) -> set[str]:
    """The packages the project depends on directly, without extras."""
    (project,) = _by_name(lock)[PROJECT]
    return {edge["name"] for edge in project.get("dependencies", [])}
