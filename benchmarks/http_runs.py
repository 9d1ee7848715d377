"""Measurements against the running gunicorn: cold start, first page, load test, peak RSS.

The load test is a small bounded client: ``users`` threads, each a simulated user who
changes the view (a distinct filter/grouping/covariate choice every time, from a shared
counter, so no two requests ask for the same view), waits for the answer of the dashboard's
``update_panels`` callback, thinks for ``think`` seconds on average (uniform 0.5-1.5 x
``think``; 0 = no pause, a saturation test), and repeats until ``duration`` has passed.
Every request is a new loopback connection with a timeout; an error is a non-200 status, a
network error/timeout, or the callback's "could not be computed" fallback in a 200 answer.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field

from benchmarks import views
from benchmarks.inprocess import DashPage, failed, panels_body, read_page
from benchmarks.server import RssSampler, Server, request
from benchmarks.stats import summarise

UPDATE = "/_dash-update-component"
POST_HEADERS = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}


def dash_page(port: int) -> DashPage:
    def get(path: str) -> bytes:
        reply = request(port, "GET", path)
        if reply.status != 200:
            raise RuntimeError(f"GET {path} answered {reply.status}")
        return reply.body

    return read_page(get)


def page_age_bounds(page: DashPage) -> tuple[float, float]:
    from app.layout import ids

    return float(page.props[ids.AGE]["min"]), float(page.props[ids.AGE]["max"])


def post_view(port: int, page: DashPage, view, timeout: float = 600) -> tuple[float, str | None]:
    """Seconds of one update_panels round trip and its error (None when it succeeded)."""
    body = panels_body(page, view)
    started = time.perf_counter()
    try:
        reply = request(port, "POST", UPDATE, body, POST_HEADERS, timeout=timeout)
    except OSError as error:
        return time.perf_counter() - started, type(error).__name__
    if reply.status != 200:
        return reply.seconds, f"HTTP {reply.status}"
    if failed(reply.body, reply.headers.get("content-encoding")):
        return reply.seconds, "callback fallback"
    return reply.seconds, None


def cold_start(server: Server) -> dict[str, object]:
    """Launch → first page; then → layout; then → first statistics (the opening view)."""
    page_seconds = server.wait_for_page()
    page = dash_page(server.port)
    layout_seconds = time.perf_counter() - server.launched
    first_view, error = post_view(server.port, page, views.REPEAT_VIEW)
    return {
        "first_page_seconds": page_seconds,
        "layout_seconds": layout_seconds,
        "first_view_seconds": time.perf_counter() - server.launched,
        "first_view_round_trip": first_view,
        "first_view_error": error,
    }


@dataclass
class LoadResult:
    users: int
    duration: float
    think: float
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    rss: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        summary = summarise(self.latencies)
        return {
            "users": self.users,
            "duration_seconds": self.duration,
            "think_seconds": self.think,
            "requests": len(self.latencies),
            "errors": sum(self.errors.values()),
            "error_kinds": self.errors,
            "throughput_per_second": len(self.latencies) / self.elapsed if self.elapsed else None,
            "latency": None if summary is None else summary.to_dict(),
            "p50": None if summary is None else summary.median,
            "p95": None if summary is None else summary.p95,
            "rss": self.rss,
        }


def load_test(
    server: Server, users: int, duration: float, think: float, start_index: int
) -> LoadResult:
    page = dash_page(server.port)
    bounds = page_age_bounds(page)
    counter = itertools.count(start_index)
    lock = threading.Lock()
    result = LoadResult(users, duration, think)
    deadline = time.perf_counter() + duration

    def user(number: int) -> None:
        pace = random.Random(number)
        while time.perf_counter() < deadline:
            with lock:
                index = next(counter)
            seconds, error = post_view(server.port, page, views.distinct_view(index, bounds))
            with lock:
                result.latencies.append(seconds)
                if error:
                    result.errors[error] = result.errors.get(error, 0) + 1
            if think:
                time.sleep(
                    min(think * pace.uniform(0.5, 1.5), max(0.0, deadline - time.perf_counter()))
                )

    started = time.perf_counter()
    with RssSampler(server) as sampler:
        threads = [threading.Thread(target=user, args=(u,), daemon=True) for u in range(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    result.elapsed = time.perf_counter() - started
    result.rss = sampler.to_dict()
    return result


def memory_workload(server: Server, concurrent: int, start_index: int) -> dict[str, object]:
    """Peak RSS per worker while ``concurrent`` distinct views are computed at once (with
    2 threads per worker, two reports can share one worker: the worst case for memory)."""
    page = dash_page(server.port)
    bounds = page_age_bounds(page)
    outcomes: list[tuple[float, str | None]] = []

    def one(index: int) -> None:
        outcomes.append(post_view(server.port, page, views.distinct_view(index, bounds)))

    with RssSampler(server) as sampler:
        idle = {str(pid): _rss_mb(pid) for pid in server.workers()}
        threads = [
            threading.Thread(target=one, args=(start_index + i,), daemon=True)
            for i in range(concurrent)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return {
        "concurrent_requests": concurrent,
        "idle_rss_mb": idle,
        "seconds": [s for s, _ in outcomes],
        "errors": [e for _, e in outcomes if e],
        **sampler.to_dict(),
    }


def _rss_mb(pid: int) -> float | None:
    import psutil

    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.NoSuchProcess:
        return None
