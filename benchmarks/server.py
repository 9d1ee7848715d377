"""The production entry point under measurement: the Docker image's gunicorn CMD on 127.0.0.1.

The command is read from the Dockerfile's CMD (``gunicorn --config gunicorn.conf.py
app.server.wsgi:server``) and run from the repository root with the image's gunicorn settings
(GUNICORN_WORKERS/THREADS/TIMEOUT from the Dockerfile's ENV), HOST=127.0.0.1, a free port,
and COHORT_PATH/RELAPSES_PATH pointing at a generated cohort. Only the process started here
is ever stopped (SIGTERM to its pid, SIGKILL if it does not exit).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks.cohorts import DATA_DIR, CohortFiles

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_CMD = ["gunicorn", "--config", "gunicorn.conf.py", "app.server.wsgi:server"]
IMAGE_SETTINGS = {"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "2", "GUNICORN_TIMEOUT": "60"}
START_SECONDS = 300  # workers import pandas, scipy and dash and load the cohort, on 2 cores
REQUEST_SECONDS = 600


def image_command(root: Path = ROOT) -> list[str]:
    """The Dockerfile's exec-form CMD (falls back to the documented one)."""
    text = (root / "Dockerfile").read_text(encoding="utf-8")
    found = re.findall(r"^CMD\s+(\[.*\])\s*$", text, flags=re.MULTILINE)
    return json.loads(found[-1]) if found else list(DEFAULT_CMD)


def image_settings(root: Path = ROOT) -> dict[str, str]:
    """GUNICORN_* defaults as the Dockerfile's ENV sets them."""
    text = (root / "Dockerfile").read_text(encoding="utf-8")
    settings = dict(IMAGE_SETTINGS)
    for name in settings:
        match = re.search(rf"\b{name}=(\S+)", text)
        if match:
            settings[name] = match.group(1)
    return settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = REQUEST_SECONDS,
) -> Reply:
    """One request on its own loopback connection (closed before returning); the body is
    returned as transferred (still compressed)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return Reply(
            response.status,
            data,
            {k.lower(): v for k, v in response.getheaders()},
            time.perf_counter() - started,
        )
    finally:
        connection.close()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    launched: float
    log_path: Path
    page_seconds: float | None = None

    def workers(self) -> list[int]:
        try:
            return sorted(p.pid for p in psutil.Process(self.process.pid).children())
        except psutil.NoSuchProcess:
            return []

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def wait_for_page(self) -> float:
        """Seconds from launch until ``GET /`` first answers 200 (the cold start)."""
        deadline = self.launched + START_SECONDS
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.logs()}"
                )
            try:
                if request(self.port, "GET", "/", timeout=30).status == 200:
                    self.page_seconds = time.perf_counter() - self.launched
                    return self.page_seconds
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"no page within {START_SECONDS} s:\n{self.logs()}")

    def wait_until_workers_idle(self, seconds: float = START_SECONDS) -> None:
        """Every worker has booted (built its app) once none uses CPU for half a second."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            pids = self.workers()
            before = _cpu_seconds(pids)
            time.sleep(0.5)
            if pids and _cpu_seconds(pids) - before < 0.05 * len(pids):
                return
        raise RuntimeError(f"workers still busy after {seconds} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def start(files: CohortFiles | None, root: Path = ROOT, **overrides: str) -> Server:
    """Launch the image's CMD for ``files`` (None: the synthetic demo, no COHORT_PATH) from the
    checkout ``root`` (another revision's worktree for before/after runs); not yet waited for."""
    port = free_port()
    env = dict(os.environ)
    env.pop("COHORT_PATH", None)
    env.pop("RELAPSES_PATH", None)
    env.update(image_settings(root))
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        PYTHONPATH=str(root),
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    if files is not None:
        env.update(COHORT_PATH=str(files.patients), RELAPSES_PATH=str(files.relapses))
    env.update(overrides)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    log_path = DATA_DIR / f"gunicorn-n{files.n if files else 'demo'}-{port}.log"
    with log_path.open("wb") as log:
        launched = time.perf_counter()
        process = subprocess.Popen(
            image_command(root),
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return Server(process, port, launched, log_path)


# Peak memory of the workers -----------------------------------------------------------------


def vm_hwm_bytes(pid: int) -> int | None:
    """The kernel's peak resident set size of ``pid`` (VmHWM), or None if it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@dataclass
class RssSampler:
    """Samples every worker's RSS (psutil) every ``interval`` s in a thread; ``stop()`` adds
    the kernel's own high-water mark (VmHWM), which also catches peaks between samples."""

    server: Server
    interval: float = 0.1
    peak_rss: dict[int, int] = field(default_factory=dict)
    peak_hwm: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=10)
        for pid in self.server.workers():
            hwm = vm_hwm_bytes(pid)
            if hwm is not None:
                self.peak_hwm[pid] = hwm

    def _run(self) -> None:
        while not self._done.is_set():
            for pid in self.server.workers():
                try:
                    rss = psutil.Process(pid).memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                self.peak_rss[pid] = max(rss, self.peak_rss.get(pid, 0))
            self._done.wait(self.interval)

    def peak_mb(self) -> float | None:
        values = list(self.peak_hwm.values()) + list(self.peak_rss.values())
        return max(values) / 2**20 if values else None

    def to_dict(self) -> dict[str, object]:
        return {
            "peak_mb_max_worker": self.peak_mb(),
            "psutil_rss_mb": {str(k): v / 2**20 for k, v in self.peak_rss.items()},
            "vm_hwm_mb": {str(k): v / 2**20 for k, v in self.peak_hwm.items()},
        }
