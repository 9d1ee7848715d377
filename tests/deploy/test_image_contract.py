"""The image's exact CMD, with the image's ENV, behaves as docs/deploy.md says.

For machines without a Docker daemon (CI runs the built image in test_container.py, and
these tests skip there); the container is imitated as closely as a test can: the files the
runtime stage COPYs are laid out as its WORKDIR in a temporary folder, the CMD runs there with
the Dockerfile's ENV (HOST=127.0.0.1 and a free port instead of 0.0.0.0:8050; the repository's
.venv stands in for /opt/venv). The image's non-root USER is checked in test_dockerfile.py
only: this machine's Python lives under /root, out of reach of that user. Instead, the app is
shown to write nothing to its folder. Everything listens on the loopback only and every wait
is bounded.
"""

from __future__ import annotations

import ast
import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from image_spec import ROOT, runtime, stage_runtime_tree

pytestmark = [
    pytest.mark.slow,
    # With a built image (NMOSD_IMAGE, set by .ci/run), test_container.py runs the real
    # container; this imitation is for machines without a Docker daemon.
    pytest.mark.skipif(
        bool(os.environ.get("NMOSD_IMAGE", "").strip()),
        reason="the real image is tested (test_container.py)",
    ),
]

VENV_BIN = Path(sys.executable).parent
START_SECONDS = 120  # workers import pandas, scipy and dash, then build the app, on 2 cores


def _graceful_timeout() -> int:
    """gunicorn.conf.py's graceful_timeout: after SIGTERM the master waits that long for its
    workers to finish their requests, then kills them and exits by itself."""
    tree = ast.parse((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "graceful_timeout" for t in node.targets
        ):
            return int(ast.literal_eval(node.value))
    raise LookupError("gunicorn.conf.py sets no graceful_timeout")


GRACEFUL_SECONDS = _graceful_timeout()
# How long stop() waits for the master to exit before SIGKILL: gunicorn's own graceful timeout
# bounds the stop (the master kills what is left, then exits 0), plus time for the master to
# be scheduled on a loaded machine. Less than that SIGKILLed a master that was still draining
# (a fresh-clone CI run: "assert -9 == 0"), which is gunicorn working, not failing.
KILL_AFTER_SECONDS = GRACEFUL_SECONDS + 15
FILTER_QUERY = "sex=F&age=30-50"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    out: Path
    err: Path
    workdir: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def logs(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")

    def get(self, path: str, headers: dict[str, str] | None = None):
        request = urllib.request.Request(self.url(path), headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                pytest.fail(f"exited with {code} before /healthz:\n{self.logs()}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=5):
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
        pytest.fail(f"/healthz did not answer within {START_SECONDS} s:\n{self.logs()}")

    def wait_for_log(self, text: str, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.logs():
            if time.monotonic() > deadline:
                pytest.fail(f"{text!r} not logged within {seconds} s:\n{self.logs()}")
            time.sleep(0.1)

    def worker_pids(self) -> set[int]:
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
            if int(fields[1]) == self.process.pid:
                children.add(int(entry.name))
        return children

    def ready_pids(self) -> set[int]:
        """Workers that have logged gunicorn.conf.py's "Worker ready (pid: N)" (app built)."""
        return {int(pid) for pid in re.findall(r"Worker ready \(pid: (\d+)\)", self.logs())}

    def wait_until_workers_ready(self) -> None:
        """Until every worker the master has forked has built its app (or the master is gone).
        A worker still importing cannot act on SIGTERM until its imports end, so stopping then
        makes the master wait out its whole graceful timeout; on a loaded machine a replacement
        worker takes tens of seconds to boot. Bounded by START_SECONDS; past it, stop anyway."""
        deadline = time.monotonic() + START_SECONDS
        while self.process.poll() is None and time.monotonic() < deadline:
            workers = self.worker_pids()
            if workers and workers <= self.ready_pids():
                return
            time.sleep(0.1)

    def stop(self) -> float:
        """SIGTERM, as `docker stop` sends, once no worker is mid-boot; returns the seconds the
        master took to exit, or infinity if it had to be killed. Whether the stop drained
        gracefully is in the exit code (0) and the logs (no worker SIGKILLed), not in seconds:
        a loaded machine makes any stop slow."""
        if self.process.poll() is None:
            self.wait_until_workers_ready()
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=KILL_AFTER_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=KILL_AFTER_SECONDS)
                return float("inf")
        return time.monotonic() - started

    def stopped_gracefully(self) -> bool:
        """The master exited by itself with 0 and killed no worker: every request in flight
        finished within gunicorn's graceful timeout."""
        logs = self.logs()
        return (
            self.process.returncode == 0
            and "Shutting down: Master" in logs
            and "SIGKILL" not in logs
        )


def image_environment(port: int, workdir: Path, **overrides: str) -> dict[str, str]:
    """The runtime stage's ENV, as the container sees it, pointed at this machine."""
    env = runtime().env
    env["PATH"] = (
        env["PATH"]
        .replace("/opt/venv/bin", str(VENV_BIN))
        .replace("$PATH", os.environ.get("PATH", "/usr/bin:/bin"))
    )
    env["PYTHONPATH"] = str(workdir)
    env["HOME"] = "/nonexistent"  # Docker's HOME for a user without a home folder
    env.update(HOST="127.0.0.1", PORT=str(port))
    env.update(overrides)
    return env


@pytest.fixture(scope="module")
def container_root():
    """A temporary root with the runtime stage's files at its WORKDIR, readable by anyone."""
    with tempfile.TemporaryDirectory(prefix="nmosd-image-") as folder:
        root = Path(folder)
        root.chmod(0o755)
        workdir = stage_runtime_tree(root)
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield root, workdir


def run_image(container_root, **overrides: str) -> Server:
    """Start the image's exact CMD with the image's ENV (plus ``overrides``)."""
    root, workdir = container_root
    port = _free_port()
    logs = Path(tempfile.mkdtemp(prefix="logs-", dir=root))
    out, err = logs / "stdout.log", logs / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            runtime().exec_form("CMD"),
            cwd=workdir,
            env=image_environment(port, workdir, **overrides),
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
        )
    return Server(process, port, out, err, workdir)


@pytest.fixture(scope="module")
def server(container_root):
    """The image as shipped: demo cohort, default settings."""
    started = run_image(container_root)
    try:
        started.wait_until_ready()
        yield started
    finally:
        started.stop()


def _tree(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


# The healthy image ------------------------------------------------------------------------


def test_healthz_answers_ok_with_its_json(server):
    status, headers, body = server.get("/healthz")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"status": "ok", "cohort_loaded": True, "cache": "local"}


def test_the_image_healthcheck_command_passes(server):
    _, command = runtime().healthcheck
    env = image_environment(server.port, server.workdir)
    result = subprocess.run(command, env=env, capture_output=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr


def test_the_image_healthcheck_command_fails_when_nothing_answers(container_root):
    _, command = runtime().healthcheck
    _, workdir = container_root
    env = image_environment(_free_port(), workdir)
    result = subprocess.run(command, env=env, capture_output=True, timeout=30, check=False)
    assert result.returncode != 0


@pytest.mark.parametrize("path", ["/", "/healthz", "/_dash-layout", "/no-such-page"])
def test_no_server_banner_names_gunicorn_or_a_version(server, path):
    _, headers, _ = server.get(path)
    banner = headers.get("Server", "")
    assert "gunicorn" not in banner.lower()
    assert not any(character.isdigit() for character in banner), banner
    assert "X-Powered-By" not in headers


def test_the_access_log_never_records_the_query_string(server):
    """Filter values in the URL describe patients: the log keeps the path only."""
    referrer = {"Referer": server.url(f"/?{FILTER_QUERY}&group=sex")}
    for path in ("/", "/healthz", "/_dash-layout"):
        status, _, _ = server.get(f"{path}?{FILTER_QUERY}", headers=referrer)
        assert status == 200
    server.wait_for_log('"GET /_dash-layout HTTP/1.1" 200')
    logs = server.logs()
    assert '"GET / HTTP/1.1" 200' in logs
    for value in ("sex=F", "age=", "30-50", "group=sex", "?"):
        assert value not in logs


def test_the_app_writes_nothing_to_its_own_files(server):
    before = _tree(server.workdir)
    server.get("/")
    server.get("/_dash-layout")
    assert _tree(server.workdir) == before
    assert not list(server.workdir.rglob("__pycache__"))


def test_security_headers_are_sent(server):
    """The headers app/server/security.py sets, as gunicorn serves them."""
    _, headers, _ = server.get("/")
    policy = headers["Content-Security-Policy"]
    assert "http:" not in policy
    assert "https:" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_responses_are_compressed(server):
    status, headers, body = server.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))


# Stopping, bad settings, a bad cohort ----------------------------------------------------


def test_sigterm_stops_it_cleanly(container_root):
    started = run_image(container_root, GUNICORN_WORKERS="1")  # one worker starts sooner
    try:
        started.wait_until_ready()
        started.get("/")
    finally:
        started.stop()
    assert started.stopped_gracefully(), started.logs()
    assert "Traceback" not in started.logs()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "abc"),
        ("AUTH_MODE", "foo"),
        ("LOG_LEVEL", "chatty"),
        ("GUNICORN_WORKERS", "many"),
        ("GUNICORN_TIMEOUT", "0"),
        ("AUTH_USERS_FILE", "/nonexistent/users.txt"),
        # A shared Redis without the shared key: entries could never be verified.
        ("REDIS_URL", "redis://redis:6379/0"),
        ("SECRET_KEY", "too-short"),
    ],
)
def test_an_invalid_setting_exits_2_with_one_line_naming_it(container_root, variable, value):
    overrides = {variable: value}
    if variable == "AUTH_USERS_FILE":
        overrides["AUTH_MODE"] = "basic"
    started = run_image(container_root, **overrides)
    try:
        started.process.wait(timeout=START_SECONDS)
    finally:
        started.stop()
    lines = [line for line in started.logs().splitlines() if line.strip()]
    assert started.process.returncode == 2, started.logs()
    assert len(lines) == 1, lines
    assert variable in lines[0]
    assert "Traceback" not in started.logs()


def test_a_corrupt_cohort_file_degrades_without_a_crash_loop(container_root):
    data = Path(tempfile.mkdtemp(prefix="data-", dir=container_root[0]))
    data.chmod(0o755)
    cohort = data / "patients.parquet"
    cohort.write_bytes((ROOT / "tests/data/bad/corrupt.parquet").read_bytes())
    cohort.chmod(0o444)
    started = run_image(container_root, COHORT_PATH=str(cohort), GUNICORN_WORKERS="2")
    try:
        started.wait_until_ready()
        status, _, body = started.get("/healthz")
        # Both workers have built their app on the bad file: a crash loop would have shown as
        # a worker exiting (and another booted) before that.
        started.wait_until_workers_ready()
        still_running = started.process.poll() is None
        status_again, _, _ = started.get("/healthz")
    finally:
        started.stop()
    assert status == 200
    assert json.loads(body) == {"status": "degraded", "cohort_loaded": False, "cache": "local"}
    assert still_running
    assert status_again == 200
    logs = started.logs()
    assert logs.count("Booting worker") == 2
    assert "exited with code" not in logs
    assert "Traceback" not in logs
    # One line per worker (each builds its own app), counting problems, no file contents.
    problem_lines = [line for line in logs.splitlines() if "configured cohort is invalid" in line]
    assert len(problem_lines) == 2, logs
    assert all("[ERROR]" in line for line in problem_lines)
