"""The packages the Docker image installs, read from uv.lock: nothing a hospital's security
scan would flag as known-vulnerable, and none of the test tools.

The image runs ``uv sync --locked --no-dev`` with the `parquet` extra by default
(Dockerfile, WITH_PARQUET=1): the runtime closure is the project's dependencies plus that
extra's, through the lock's dependency graph (lock_graph.py). The floors below are offline
and fixed in the repository; .ci/audit.sh asks the live vulnerability database (pip-audit)
for everything found since.
"""

from __future__ import annotations

import re

import pytest
from image_spec import stages
from lock_graph import Locked, closure, extra_names, read_lock, runtime_names
from packaging.version import Version

IMAGE_EXTRAS = ("parquet",)  # the Dockerfile's default (WITH_PARQUET=1)

# Lowest version with the fix, and why it matters here. A package below its floor fails the
# test; raise the floor when a new advisory affects the app (and `uv lock --upgrade-package`).
FIXED_IN: dict[str, tuple[str, str]] = {
    "urllib3": (
        "2.5.0",
        "CVE-2025-50181: redirects not disabled by PoolManager(retries=...); fixed in 2.5.0 "
        "only, not in the 1.26 line that selenium<=4.2 (dash[testing]) pinned",
    ),
    "requests": ("2.32.4", "CVE-2024-47081: .netrc credentials sent to a crafted URL's host"),
    "werkzeug": (
        "3.0.6",
        "CVE-2024-49767: parsing multipart form data exhausts memory (werkzeug parses every "
        "request the app gets)",
    ),
    "flask": ("3.1.1", "CVE-2025-47278: fallback secret keys used in the wrong order"),
    "jinja2": ("3.1.6", "CVE-2025-27516: sandbox escape through the |attr filter"),
    "gunicorn": (
        "23.0.0",
        "CVE-2024-1135 and CVE-2024-6827: HTTP request smuggling (Transfer-Encoding) behind "
        "the hospital's reverse proxy",
    ),
    "pyarrow": (
        "14.0.1",
        "CVE-2023-47248: deserialising untrusted IPC/Parquet data runs code; the app reads "
        "uploaded Parquet files",
    ),
    "setuptools": ("78.1.1", "CVE-2025-47273: path traversal in PackageIndex downloads"),
    "idna": ("3.7", "CVE-2024-3651: quadratic-time encoding of crafted names (denial of service)"),
    "certifi": ("2024.7.4", "CVE-2024-39689: GLOBALTRUST root certificates still trusted"),
    "zipp": ("3.19.1", "CVE-2024-5569: infinite loop on a crafted zip file's names"),
    "babel": ("2.9.1", "CVE-2021-42771: locale names load files from outside Babel's data"),
}

# Packages named only by the test extra (pyarrow is also the `parquet` extra: the image has it).
TEST_TOOLS = {"pytest", "hypothesis", "ruff", "mypy", "selenium", "pip-audit", "lifelines"}


def below_floor(installed: set[Locked], floors: dict[str, tuple[str, str]]) -> list[str]:
    """Each installed package below its floor, as "name version < floor: reason"."""
    return sorted(
        f"{package.name} {package.version} < {floors[package.name][0]}: {floors[package.name][1]}"
        for package in installed
        if package.name in floors and package.parsed < Version(floors[package.name][0])
    )


@pytest.fixture(scope="module")
def lock() -> dict:
    return read_lock()


@pytest.fixture(scope="module")
def runtime(lock: dict) -> set[Locked]:
    return closure(lock, IMAGE_EXTRAS)


def test_the_image_installs_the_project_with_the_parquet_extra_only():
    build = stages()[0]
    defaults = dict(
        arg.arguments.partition("=")[::2] for arg in build.all("ARG") if "=" in arg.arguments
    )
    assert defaults.get("WITH_PARQUET") == "1"
    (sync,) = [i.arguments for i in build.all("RUN") if "uv sync" in i.arguments]
    assert re.findall(r"--extra\s+([\w-]+)", sync) == list(IMAGE_EXTRAS)
    assert "--no-dev" in sync
    assert "--all-extras" not in sync


def test_the_runtime_closure_has_urllib3_2(runtime: set[Locked]):
    urllib3 = [package for package in runtime if package.name == "urllib3"]
    assert urllib3, "urllib3 is no longer in the runtime closure: drop this test's floor"
    assert all(package.parsed.major >= 2 for package in urllib3), urllib3


def test_no_runtime_package_is_below_its_fixed_version(runtime: set[Locked]):
    assert below_floor(runtime, FIXED_IN) == []


def test_every_floor_names_a_package_the_image_installs(runtime: set[Locked]):
    # A floor for a package no longer shipped is stale: it would hide that the list rots.
    assert set(FIXED_IN) - {package.name for package in runtime} == set()


def test_no_test_tool_is_in_the_runtime_closure(lock: dict, runtime: set[Locked]):
    shipped_anyway = runtime_names(lock) | {
        name for extra in IMAGE_EXTRAS for name in extra_names(lock, extra)
    }
    test_only = extra_names(lock, "test") - shipped_anyway
    assert TEST_TOOLS <= test_only  # the closure below is really about these
    assert {package.name for package in runtime} & test_only == set()


def test_without_the_parquet_extra_there_is_no_pyarrow(lock: dict, runtime: set[Locked]):
    names = {package.name for package in closure(lock)}
    assert "pyarrow" not in names
    assert "pyarrow" in {package.name for package in runtime}
    assert {"dash", "flask", "werkzeug", "gunicorn", "numpy", "pandas", "scipy"} <= names


# The checks must be able to fail: a small lock with the flaws they look for. -------------

_BAD_LOCK = """
version = 1
[[package]]
name = "nmosd-cohort-explorer"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "dash" }]
[package.optional-dependencies]
test = [{ name = "pytest" }]

[[package]]
name = "dash"
version = "4.0.0"
dependencies = [{ name = "requests", extra = ["socks"] }]

[[package]]
name = "requests"
version = "2.31.0"
dependencies = [{ name = "urllib3" }]
[package.optional-dependencies]
socks = [{ name = "pytest" }]

[[package]]
name = "urllib3"
version = "1.26.20"

[[package]]
name = "pytest"
version = "8.0.0"
"""


def test_the_checks_catch_an_old_urllib3_and_a_test_tool_pulled_in_through_an_extra():
    lock = read_lock(_BAD_LOCK)
    installed = closure(lock)
    assert Locked("urllib3", "1.26.20") in installed
    assert below_floor(installed, FIXED_IN) == [
        f"requests 2.31.0 < 2.32.4: {FIXED_IN['requests'][1]}",
        f"urllib3 1.26.20 < 2.5.0: {FIXED_IN['urllib3'][1]}",
    ]
    # pytest only arrives through requests' "socks" extra, which dash asks for.
    assert "pytest" in {package.name for package in installed} & extra_names(lock, "test")
