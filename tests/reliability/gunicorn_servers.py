"""Starting, inspecting and stopping the image's gunicorn for the reliability tests."""

from __future__ import annotations

import hashlib
import os
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


def worker_pids(server: Server) -> set[int]:
    """The gunicorn master's children (its workers), from /proc."""
    return server.worker_pids()


def ready_pids(server: Server) -> set[int]:
    """Workers that have logged gunicorn.conf.py's "Worker ready (pid: N)" (app built)."""
    return server.ready_pids()


def _accepted_connections(port: int) -> set[str]:
    """Socket inodes of established connections to ``port`` that a process has accept()ed
    (a connection still in the listen backlog has inode 0 in /proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] != "0":  # 01: ESTABLISHED
                inodes.add(fields[9])
    return inodes


def holds_a_connection(server: Server, pid: int) -> bool:
    """Whether worker ``pid`` has accepted a client connection it has not closed yet: a
    request in its hands (queued for a thread or being computed)."""
    accepted = _accepted_connections(server.port)
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False  # the worker is gone
    return any(link.removeprefix("socket:[").removesuffix("]") in accepted for link in links)


def wait_until(condition, what: str, server: Server) -> None:
    """Poll ``condition`` (bounded by START_SECONDS), failing with the server's logs."""
    deadline = time.monotonic() + START_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not {what} within {START_SECONDS} s:\n{server.logs()}")
        time.sleep(0.05)


def wait_for_workers(server: Server, count: int, without: set[int] = frozenset()) -> set[int]:
    """Wait until the master has ``count`` live workers, none of them in ``without``, each
    ready to serve (not just forked): readiness, not a fixed time, on a machine of any load."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        pids = server.worker_pids()
        if len(pids) == count and not pids & without and pids <= ready_pids(server):
            return pids
        if server.process.poll() is not None:
            pytest.fail(f"the server exited ({server.process.returncode}):\n{server.logs()}")
        time.sleep(0.1)
    pytest.fail(f"{count} ready workers not running within {START_SECONDS} s:\n{server.logs()}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
