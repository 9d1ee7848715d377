"""Starting, inspecting and stopping the image's gunicorn for the reliability tests."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from test_image_contract import START_SECONDS, Server, run_image

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
DEFAULT_WORKERS = 2  # gunicorn.conf.py's, without GUNICORN_WORKERS


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
    """The image's CMD with ``overrides``, ready (/healthz answers and every worker has said
    it is ready), or stopped and failed. A test never stops a server with a worker still
    booting: that worker cannot stop until its imports end (seconds on a busy machine)."""
    server = run_image(root, **overrides)
    try:
        server.wait_until_ready()
        wait_for_workers(server, int(overrides.get("GUNICORN_WORKERS", DEFAULT_WORKERS)))
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


def ready_pids(server: Server) -> set[int]:
    """Workers that have logged gunicorn.conf.py's "Worker ready (pid: N)" (app built)."""
    return {int(pid) for pid in re.findall(r"Worker ready \(pid: (\d+)\)", server.logs())}


def wait_for_workers(server: Server, count: int, without: set[int] = frozenset()) -> set[int]:
    """Wait until the master has ``count`` live workers, none of them in ``without``, each
    ready to serve (not just forked): readiness, not a fixed time, on a machine of any load."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        pids = worker_pids(server.process.pid)
        if len(pids) == count and not pids & without and pids <= ready_pids(server):
            return pids
        if server.process.poll() is not None:
            pytest.fail(f"the server exited ({server.process.returncode}):\n{server.logs()}")
        time.sleep(0.1)
    pytest.fail(f"{count} ready workers not running within {START_SECONDS} s:\n{server.logs()}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
