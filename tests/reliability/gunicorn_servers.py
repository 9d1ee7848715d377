"""Starting, inspecting and stopping the image's gunicorn for the reliability tests."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from test_image_contract import START_SECONDS, Server, run_image

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"


def data_folder(root: tuple[Path, Path]) -> Path:
    """A folder for cohort files inside the imitated container's root, readable by anyone."""
    folder = Path(tempfile.mkdtemp(prefix="data-", dir=root[0]))
    folder.chmod(0o755)
    return folder


def read_only_copy(source: Path, folder: Path) -> Path:
    """``source`` copied into ``folder`` and made read-only (0444), as a mounted data file."""
    target = folder / source.name
    shutil.copyfile(source, target)
    target.chmod(0o444)
    return target


def start(root: tuple[Path, Path], **overrides: str) -> Server:
    """The image's CMD with ``overrides``, ready (its /healthz answers), or stopped and failed."""
    server = run_image(root, **overrides)
    try:
        server.wait_until_ready()
    except BaseException:
        server.stop()
        raise
    return server


def worker_pids(master: int) -> set[int]:
    """The gunicorn master's children (its workers), from /proc."""
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == master:
            children.add(int(entry.name))
    return children


def wait_for_workers(server: Server, count: int, without: set[int] = frozenset()) -> set[int]:
    """Wait until the master has ``count`` live workers, none of them in ``without``."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        pids = worker_pids(server.process.pid)
        if len(pids) == count and not pids & without:
            return pids
        time.sleep(0.1)
    pytest.fail(f"{count} workers not running within {START_SECONDS} s:\n{server.logs()}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
