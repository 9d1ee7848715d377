"""Load test across two servers: the image's gunicorn twice, requests alternating between them.

``python -m benchmarks.scale_out --users 50 --think 1 --duration 60`` starts two gunicorns (the
Docker image's CMD, benchmarks/server.py) on two ports, once sharing one redis-server
(``REDIS_URL``, mode "shared") and once without it (mode "local": each worker its own caches),
in the same run, and puts each through the same load: ``users`` simulated users, each sending
the dashboard's ``update_panels`` with a distinct view (benchmarks/views.py) and thinking
``think`` s (uniform 0.5-1.5 x), the requests round robin over the two servers as a proxy
without stickiness would send them.

With ``--uploads K --upload-n N`` every user first uploads one of K generated cohorts of N
patients (benchmarks/cohorts.py) through one server and filters it through both: a server
that does not hold the upload asks for the files (the restore round trip the page makes),
unless it got them from Redis. A user's latency includes that round trip; the restores are
counted. Errors: a non-200, a network error or timeout, the callback's fallback, or an
upload that is never restored. Only processes started here are stopped.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import itertools
import json
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import cohorts, views
from benchmarks.http_runs import dash_page, page_age_bounds
from benchmarks.inprocess import DashPage, control_values, failed
from benchmarks.server import Server, free_port, request, start
from benchmarks.stats import summarise

UPDATE = "/_dash-update-component"
POST_HEADERS = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
SECRET = "benchmark-scale-out-secret-" + "0" * 32
REDIS_START_SECONDS = 60
RESTORE_TRIES = 3


# Redis and the two servers ------------------------------------------------------------------


def answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class Redis:
    """A memory-only redis-server (Debian's) on a free loopback port."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="bench-redis-"))
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        command += ["--maxmemory", "512mb", "--maxmemory-policy", "allkeys-lru"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + REDIS_START_SECONDS
        while not answers_ping(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_pair(settings: dict[str, str]) -> list[Server]:
    servers = [start(None, **settings) for _ in range(2)]
    try:
        for server in servers:
            server.wait_for_page()
            server.wait_until_workers_idle()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


# A page's requests ------------------------------------------------------------------------


def _answer(reply) -> dict:
    body = (
        gzip.decompress(reply.body)
        if reply.headers.get("content-encoding") == "gzip"
        else reply.body
    )
    return json.loads(body) if body else {}


def _spec(page: DashPage, function: str) -> dict:
    """The declaration of the callback named ``function`` (the app's own, by output key)."""
    from app.callbacks import callback_specs

    (key,) = [k for k, spec in callback_specs().items() if spec["callback"].__name__ == function]
    (found,) = [d for d in page.dependencies if d["output"] == key]
    return found


@dataclass
class Upload:
    files: cohorts.CohortFiles

    def contents(self) -> dict[tuple[str, str], object]:
        from app.layout import ids

        def data_url(path: Path) -> str:
            return "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()

        return {
            (ids.UPLOAD_PATIENTS, "contents"): data_url(self.files.patients),
            (ids.UPLOAD_PATIENTS, "filename"): self.files.patients.name,
            (ids.UPLOAD_RELAPSES, "contents"): data_url(self.files.relapses),
            (ids.UPLOAD_RELAPSES, "filename"): self.files.relapses.name,
        }


@dataclass
class Outcome:
    seconds: float
    error: str | None = None
    restores: int = 0


def post(port: int, page: DashPage, function: str, values: dict, changed: str):
    body = page.body(_spec(page, function), values, changed)
    return request(port, "POST", UPDATE, body, POST_HEADERS)


def upload(port: int, page: DashPage, files: Upload) -> dict:
    from app.layout import ids

    reply = post(port, page, "load_upload", files.contents(), f"{ids.UPLOAD_PATIENTS}.contents")
    if reply.status != 200:
        raise RuntimeError(f"upload answered {reply.status}")
    return _answer(reply)["response"][ids.COHORT_STORE]["data"]


def view_request(
    port: int, page: DashPage, view, store: dict | None, files: Upload | None
) -> Outcome:
    """One filter change as the page makes it: the key; the files only when asked."""
    from app.layout import ids

    bounds = page_age_bounds(page)
    values = {**control_values(view, bounds), (ids.COHORT_STORE, "data"): store}
    started, restores = time.perf_counter(), 0
    for _ in range(RESTORE_TRIES):
        try:
            reply = post(port, page, "update_panels", values, f"{ids.AGE}.value")
        except OSError as error:
            return Outcome(time.perf_counter() - started, type(error).__name__, restores)
        if reply.status != 200:
            return Outcome(time.perf_counter() - started, f"HTTP {reply.status}", restores)
        if failed(reply.body, reply.headers.get("content-encoding")):
            return Outcome(time.perf_counter() - started, "callback fallback", restores)
        answer = _answer(reply)
        signal_data = answer.get("sideUpdate", {}).get(ids.UPLOAD_RESTORE, {}).get("data")
        if signal_data is None:
            return Outcome(time.perf_counter() - started, None, restores)
        if files is None:
            return Outcome(time.perf_counter() - started, "restore asked without upload", restores)
        restores += 1
        restore = {**values, **files.contents(), (ids.UPLOAD_RESTORE, "data"): signal_data}
        reply = post(port, page, "restore_upload", restore, f"{ids.UPLOAD_RESTORE}.data")
        if reply.status != 200:
            return Outcome(time.perf_counter() - started, f"restore HTTP {reply.status}", restores)
        values[(ids.COHORT_STORE, "data")] = _answer(reply)["response"][ids.COHORT_STORE]["data"]
    return Outcome(time.perf_counter() - started, "never restored", restores)


# The load ---------------------------------------------------------------------------------


@dataclass
class Run:
    mode: str
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    restores: int = 0
    elapsed: float = 0.0

    def row(self) -> dict[str, object]:
        summary = summarise(self.latencies)
        return {
            "mode": self.mode,
            "requests": len(self.latencies),
            "errors": sum(self.errors.values()),
            "error_kinds": self.errors,
            "restores": self.restores,
            "throughput_per_second": len(self.latencies) / self.elapsed if self.elapsed else None,
            "p50": None if summary is None else summary.median,
            "p95": None if summary is None else summary.p95,
            "max": None if summary is None else summary.max,
        }


def think(pace: random.Random, seconds: float, deadline: float) -> None:
    if seconds:
        time.sleep(min(seconds * pace.uniform(0.5, 1.5), max(0.0, deadline - time.perf_counter())))


def load(
    mode: str, servers: list[Server], options: argparse.Namespace, uploads: list[Upload]
) -> Run:
    ports = [server.port for server in servers]
    page = dash_page(ports[0])
    bounds = page_age_bounds(page)
    run, lock = Run(mode), threading.Lock()
    counter = itertools.count(views.LOAD_TEST_START)
    turn = itertools.count()
    barrier = threading.Barrier(options.users)
    deadline_box: list[float] = []

    def record(outcome: Outcome) -> None:
        with lock:
            run.latencies.append(outcome.seconds)
            run.restores += outcome.restores
            if outcome.error:
                run.errors[outcome.error] = run.errors.get(outcome.error, 0) + 1

    def user(number: int) -> None:
        pace = random.Random(number)
        files = uploads[number % len(uploads)] if uploads else None
        store = None
        if files is not None:
            try:
                store = upload(ports[number % 2], page, files)
            except (OSError, RuntimeError, KeyError) as error:
                record(Outcome(0.0, f"upload {type(error).__name__}"))
                barrier.wait()
                return
        barrier.wait()  # the measured load starts when every user has uploaded
        with lock:
            if not deadline_box:
                deadline_box.append(time.perf_counter() + options.duration)
        deadline = deadline_box[0]
        while time.perf_counter() < deadline:
            with lock:
                index, port = next(counter), ports[next(turn) % 2]
            record(view_request(port, page, views.distinct_view(index, bounds), store, files))
            think(pace, options.think, deadline)

    threads = [threading.Thread(target=user, args=(u,), daemon=True) for u in range(options.users)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    run.elapsed = time.perf_counter() - started
    return run


def measure(mode: str, options: argparse.Namespace, uploads: list[Upload]) -> Run:
    settings = {"SECRET_KEY": SECRET, "GUNICORN_WORKERS": str(options.workers)}
    redis_server = Redis() if mode == "shared" else None
    if redis_server is not None:
        settings["REDIS_URL"] = redis_server.url
    try:
        servers = start_pair(settings)
        try:
            return load(mode, servers, options, uploads)
        finally:
            for server in servers:
                server.stop()
    finally:
        if redis_server is not None:
            redis_server.stop()


def table(rows: list[dict[str, object]], options: argparse.Namespace) -> str:
    def ms(value: object) -> str:
        return "–" if value is None else f"{float(value) * 1000:.0f}"

    lines = [
        f"2 servers x {options.workers} worker(s), {options.users} users, "
        f"think {options.think:g} s, {options.duration:g} s"
        + (
            f", {options.uploads} uploads of {options.upload_n} patients" if options.uploads else ""
        ),
        "",
        "| mode | requests | errors | restores | req/s | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        rate = row["throughput_per_second"]
        lines.append(
            f"| {row['mode']} | {row['requests']} | {row['errors']} | {row['restores']} | "
            f"{'–' if rate is None else f'{rate:.1f}'} | {ms(row['p50'])} | {ms(row['p95'])} | "
            f"{ms(row['max'])} |"
        )
    shared = {row["mode"]: row for row in rows}
    if "shared" in shared and "local" in shared and shared["local"]["p95"]:
        lines.append("")
        lines.append(f"p95 shared / local: {shared['shared']['p95'] / shared['local']['p95']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scale_out", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per mode")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per server")
    parser.add_argument("--modes", default="shared,local", help="shared (Redis), local, or both")
    parser.add_argument(
        "--uploads", type=int, default=0, help="distinct uploaded cohorts (0: the demo)"
    )
    parser.add_argument("--upload-n", type=int, default=200, help="patients per uploaded cohort")
    parser.add_argument("--json", type=Path, default=None, help="write the rows here too")
    options = parser.parse_args(argv)
    modes = [m.strip() for m in options.modes.split(",") if m.strip()]
    if not modes or set(modes) - {"shared", "local"} or options.users < 1 or options.duration <= 0:
        parser.error("--modes takes shared and/or local; --users >= 1; --duration > 0")
    uploads = [
        Upload(cohorts.ensure(options.upload_n, cohorts.SEED + k)) for k in range(options.uploads)
    ]
    rows = [measure(mode, options, uploads).row() for mode in modes]
    print(table(rows, options))
    if options.json is not None:
        options.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(row["errors"] == 0 for row in rows) else 1


if __name__ == "__main__":
    from app.server.blas import single_threaded_blas

    single_threaded_blas()
    sys.exit(main())
