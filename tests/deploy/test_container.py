"""The built image, run by Docker as docs/deploy.md runs it, keeps deploy.md's promises.

The image under test is named by NMOSD_IMAGE (``.ci/run`` builds it with .ci/build-image.sh
and sets it). Without it these tests skip on a developer's machine, but fail under CI=true:
there the image was supposed to be built, and a silent skip would pass a broken image.

Every container runs as deploy.md says (read-only root, a small /tmp in memory, no
capabilities, no new privileges) with the host's network (these machines have no Docker
bridge), on the loopback and a free port. Each is labelled ``nmosd.test=container`` so that
.ci/run removes any left behind by an interrupted run. Every wait polls a condition with a
deadline; none sleeps a fixed time.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# The Dash request builders of the reliability tests (one copy of the callback protocol).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
from dash_requests import (  # noqa: E402
    UPDATE_PATH,
    callback_body,
    card_value,
    walk,
)

from analytics.data.cohort import Filters  # noqa: E402
from analytics.data.demo import load_demo  # noqa: E402
from analytics.data.io import load_cohort  # noqa: E402
from analytics.reports.report import build_report  # noqa: E402

pytestmark = pytest.mark.slow

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
LABEL = "nmosd.test=container"
UID = 10001
START_SECONDS = 240  # two workers import pandas, scipy and dash on a busy 2-core machine
HEALTHY_SECONDS = 240  # the image's HEALTHCHECK: first probe 30 s after start, then every 30 s
GRACE_SECONDS = 30  # docker-compose.yml's stop_grace_period (gunicorn's graceful_timeout: 20)
DOCKER_SECONDS = 120  # any single docker CLI call
# The plots of the first view, one per callback: Kaplan-Meier (the Survival tab, open on
# arrival), forest and failure rates (their tabs compute when opened: OPENED), and the patient
# timelines.
PLOTS = {
    "update_survival_tab": 1,
    "update_hazards_tab": 1,
    "update_rates_tab": 1,
    "update_timelines": 1,
}
OPENED = {
    "update_hazards_tab": {("panel-hr", "hidden"): False},
    "update_rates_tab": {("panel-rates", "hidden"): False},
}


def _image() -> str:
    name = os.environ.get("NMOSD_IMAGE", "").strip()
    if not name:
        message = "NMOSD_IMAGE is not set: no built image to run (.ci/build-image.sh builds one)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; under CI=true .ci/run builds the image and sets it")
        pytest.skip(message)
    if shutil.which("docker") is None:
        pytest.fail(f"NMOSD_IMAGE={name} but there is no docker command")
    found = _docker("image", "inspect", "--format", "{{.Id}}", name, check=False)
    if found.returncode != 0:
        pytest.fail(f"NMOSD_IMAGE={name} is not an image the daemon has: {found.stderr.strip()}")
    return name


def _docker(*args: str, check: bool = True, stdin: bytes | None = None):
    result = subprocess.run(
        ["docker", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=DOCKER_SECONDS,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args[:2])} failed: {result.stderr.strip()}")
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Container:
    name: str
    port: int
    workers: int

    def inspect(self, template: str) -> str:
        return _docker("inspect", "--format", template, self.name).stdout.strip()

    def logs(self) -> str:
        result = _docker("logs", self.name, check=False)
        return result.stdout + result.stderr

    def exec_python(self, code: str, stdin: bytes | None = None):
        """Python inside the container, as the image's user (stdout, stderr, exit code)."""
        args = ["exec", *(["-i"] if stdin is not None else []), self.name, "python", "-c", code]
        return _docker(*args, check=False, stdin=stdin)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def running(self) -> bool:
        return self.inspect("{{.State.Running}}") == "true"

    def wait(self, condition, what: str, seconds: float) -> None:
        """Poll ``condition`` until true; fail with the logs if the container stops first."""
        deadline = time.monotonic() + seconds
        while not condition():
            if not self.running():
                pytest.fail(f"the container stopped before {what}:\n{self.logs()}")
            if time.monotonic() > deadline:
                pytest.fail(f"not {what} within {seconds} s:\n{self.logs()}")
            time.sleep(0.25)

    def ready_workers(self) -> int:
        return len(set(re.findall(r"Worker ready \(pid: (\d+)\)", self.logs())))

    def wait_until_serving(self, probe) -> None:
        """``probe`` answers and every worker has built the app: a stop never meets a worker
        still importing (it could not handle SIGTERM until its imports end)."""
        self.wait(lambda: probe(self), "serving /healthz", START_SECONDS)
        self.wait(lambda: self.ready_workers() >= self.workers, "all workers ready", START_SECONDS)

    def remove(self) -> None:
        _docker("rm", "--force", self.name, check=False)


def run_container(
    image: str,
    *,
    network: str = "host",
    env: dict[str, str] | None = None,
    volumes: tuple[str, ...] = (),
    workers: int = 2,
) -> Container:
    """``docker run`` with docs/deploy.md's hardening; the server on 127.0.0.1:<free port>."""
    port = _free_port() if network == "host" else 8050
    name = f"nmosd-test-{uuid.uuid4().hex[:12]}"
    settings = {"HOST": "127.0.0.1", "PORT": str(port), "GUNICORN_WORKERS": str(workers)}
    settings.update(env or {})
    args = [
        "run",
        "--detach",
        "--name",
        name,
        "--label",
        LABEL,
        f"--network={network}",
        "--read-only",
        "--tmpfs",
        "/tmp:size=64m,mode=1777",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges:true",
    ]
    for key, value in settings.items():
        args += ["--env", f"{key}={value}"]
    for volume in volumes:
        args += ["--volume", volume]
    _docker(*args, image)
    return Container(name, port, workers)


def _healthz_answers(container: Container) -> bool:
    try:
        with urllib.request.urlopen(container.url("/healthz"), timeout=5) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _get(container: Container, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(container.url(path), timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _post(container: Container, path: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(
        container.url(path), data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _layout(layout_json: bytes) -> dict[str, dict]:
    return {
        c["props"]["id"]: c["props"] for c in walk(json.loads(layout_json)) if "id" in c["props"]
    }


def _figures(response: object) -> list[dict]:
    """Every plotly figure in a callback response (a Graph's ``figure``, at any depth)."""
    found = []
    if isinstance(response, dict):
        if isinstance(response.get("data"), list) and "layout" in response:
            found.append(response)
        for value in response.values():
            found += _figures(value)
    elif isinstance(response, list):
        for value in response:
            found += _figures(value)
    return found


@contextmanager
def _started(container: Container, probe) -> Iterator[Container]:
    """The container once serving; removed on leaving, whatever happened."""
    try:
        container.wait_until_serving(probe)
        yield container
    finally:
        container.remove()


@pytest.fixture(scope="module")
def image() -> str:
    return _image()


@pytest.fixture(scope="module")
def served(image) -> Iterator[Container]:
    """The image as shipped (demo cohort, default settings), hardened as deploy.md says."""
    container = run_container(image)
    with _started(container, _healthz_answers) as running:
        yield running


# Locked down -----------------------------------------------------------------------------

# Runs inside the container: every process's name, user IDs (real, effective, saved, file
# system), effective capabilities and no-new-privileges flag, as the kernel reports them.
INSIDE_PROCESSES = """
import json, pathlib
out = {}
for status in pathlib.Path("/proc").glob("[0-9]*/status"):
    lines = status.read_text().splitlines()
    fields = dict(line.split(":\t", 1) for line in lines if ":\t" in line)
    out[fields["Name"]] = [fields["Uid"].split(), fields["CapEff"], fields["NoNewPrivs"]]
print(json.dumps(out))
"""


def test_it_runs_as_uid_10001_without_capabilities_on_a_read_only_root(served):
    assert served.inspect("{{.Config.User}}") == f"{UID}:{UID}"
    assert served.inspect("{{.HostConfig.ReadonlyRootfs}}") == "true"
    # Every process of the container as the kernel sees it, not as the configuration says.
    result = served.exec_python(INSIDE_PROCESSES)
    assert result.returncode == 0, result.stderr
    processes = json.loads(result.stdout)
    assert "gunicorn" in processes, processes
    for name, (uids, capabilities, no_new_privileges) in processes.items():
        assert uids == [str(UID)] * 4, (name, uids)
        assert int(capabilities, 16) == 0, (name, capabilities)
        assert no_new_privileges.strip() == "1", name


def test_only_tmp_is_writable(served):
    result = served.exec_python(
        "import errno\n"
        "for path in ('/srv/app/probe', '/opt/venv/probe', '/probe', '/tmp/probe'):\n"
        "    try:\n"
        "        open(path, 'w').close()\n"
        "        print(path, 'written')\n"
        "    except OSError as error:\n"
        "        print(path, errno.errorcode[error.errno])\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == [
        "/srv/app/probe EROFS",
        "/opt/venv/probe EROFS",
        "/probe EROFS",
        "/tmp/probe written",
    ]


# Serving ---------------------------------------------------------------------------------


def test_the_page_and_everything_it_loads_are_served_from_the_container(served):
    status, page = _get(served, "/")
    assert status == 200
    html = page.decode("utf-8")
    sources = re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert sources, html[:500]
    for source in sources:
        assert not re.match(r"(?i)(https?:)?//", source), f"loaded from elsewhere: {source}"
        assert _get(served, source)[0] == 200, source


def test_a_callback_draws_the_four_plots(served):
    status, layout_json = _get(served, "/_dash-layout")
    assert status == 200
    layout = _layout(layout_json)
    drawn = {}
    for callback, expected in PLOTS.items():
        request = callback_body(callback, layout, OPENED.get(callback, {}))
        status, body = _post(served, UPDATE_PATH, request)
        assert status == 200, body[:300]
        figures = _figures(json.loads(body)["response"])
        assert len(figures) == expected, callback
        assert all(figure["data"] for figure in figures), f"{callback}: a plot without traces"
        drawn[callback] = len(figures)
    assert sum(drawn.values()) == 4


def test_the_image_healthcheck_reports_healthy(served):
    def healthy() -> bool:
        status = served.inspect("{{.State.Health.Status}}")
        assert status != "unhealthy", served.inspect("{{json .State.Health.Log}}")
        return status == "healthy"

    served.wait(healthy, "healthy by its HEALTHCHECK", HEALTHY_SECONDS)
    last = json.loads(served.inspect("{{json .State.Health.Log}}"))[-1]
    assert last["ExitCode"] == 0, last


# A configured cohort ---------------------------------------------------------------------


def test_a_cohort_mounted_read_only_is_the_one_served(image):
    with tempfile.TemporaryDirectory(prefix="nmosd-data-") as folder:
        data = Path(folder)
        # Writable by anyone on the host, so only the read-only mount can stop a write.
        data.chmod(0o777)
        cohort = data / "patients.csv"
        shutil.copyfile(GOOD / "patients.csv", cohort)
        cohort.chmod(0o444)
        report = build_report(load_cohort(cohort), Filters())
        container = run_container(
            image, env={"COHORT_PATH": "/data/patients.csv"}, volumes=(f"{data}:/data:ro",)
        )
        with _started(container, _healthz_answers) as running:
            _, health = _get(running, "/healthz")
            _, layout_json = _get(running, "/_dash-layout")
            status, body = _post(
                running, UPDATE_PATH, callback_body("update_panels", _layout(layout_json), {})
            )
            write = running.exec_python("open('/data/probe', 'w')")
            mounts = json.loads(running.inspect("{{json .Mounts}}"))
    # Only the keys this test is about: /healthz may report more (e.g. the cache's state).
    assert {k: json.loads(health)[k] for k in ("status", "cohort_loaded")} == {
        "status": "ok",
        "cohort_loaded": True,
    }
    assert status == 200, body[:300]
    response = json.loads(body)["response"]
    shown = (card_value(response, "card-n"), card_value(response, "card-events"))
    assert shown == (str(report.n), str(report.events))
    assert report.n != build_report(load_demo(), Filters()).n, "indistinguishable from the demo"
    assert write.returncode != 0
    assert "Read-only file system" in write.stderr
    assert [(m["Destination"], m["RW"]) for m in mounts] == [("/data", False)]


# Stopping --------------------------------------------------------------------------------


def _accepted(port: int, client_port: int) -> bool:
    """Whether the server has accept()ed our connection: in /proc/net/tcp a connection still
    in the listen backlog has no socket inode (0). The container shares the host's network."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if (
                int(local.rsplit(":", 1)[1], 16) == port
                and int(remote.rsplit(":", 1)[1], 16) == client_port
            ):
                return inode != "0"
    return False


def test_sigterm_drains_a_request_in_flight(image):
    """``docker stop`` (SIGTERM, then SIGKILL after the grace period) while a callback request
    is half sent: the server accepted it before the stop began, and receives the rest only
    after gunicorn has logged the signal, so the answer can only come from a draining worker."""
    container = run_container(image)
    stopped: dict[str, object] = {}
    try:
        container.wait_until_serving(_healthz_answers)
        _, layout_json = _get(container, "/_dash-layout")
        body = callback_body("update_survival_tab", _layout(layout_json), {})
        head = (
            f"POST {UPDATE_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{container.port}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode("ascii")
        half = len(body) // 2
        with socket.create_connection(("127.0.0.1", container.port), timeout=120) as client:
            client.sendall(head + body[:half])
            client_port = client.getsockname()[1]
            container.wait(lambda: _accepted(container.port, client_port), "accepted", 60)

            def stop() -> None:
                stopped["result"] = _docker("stop", "--time", str(GRACE_SECONDS), container.name)

            stopping = threading.Thread(target=stop)
            stopping.start()
            deadline = time.monotonic() + 60
            while "Handling signal: term" not in container.logs():
                assert time.monotonic() < deadline, container.logs()
                time.sleep(0.1)
            client.sendall(body[half:])
            reply = http.client.HTTPResponse(client)
            reply.begin()
            status, answer = reply.status, reply.read()
            stopping.join(timeout=GRACE_SECONDS + DOCKER_SECONDS)
        exit_code = container.inspect("{{.State.ExitCode}}")
        logs = container.logs()
    finally:
        container.remove()
    assert status == 200, answer[:300]
    assert len(_figures(json.loads(answer)["response"])) == PLOTS["update_survival_tab"]
    # 0, not 137: gunicorn exited by itself within the grace period, Docker killed nothing.
    assert exit_code == "0", logs
    assert "Shutting down: Master" in logs
    assert "SIGKILL" not in logs
    assert "Traceback" not in logs


# Nothing from the network ----------------------------------------------------------------

# Runs inside a container that has no network at all (only a loopback): fetches a path, or
# posts stdin to it, on the container's own loopback; prints the status and the body.
INSIDE_FETCH = """
import os, sys, urllib.request
data = sys.stdin.buffer.read() if len(sys.argv) > 2 else None
request = urllib.request.Request(
    "http://127.0.0.1:8050" + sys.argv[1], data=data,
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(request, timeout=110) as response:
    sys.stdout.write(str(response.status) + "\\n")
    sys.stdout.flush()
    sys.stdout.buffer.write(response.read())
"""

# The container's open sockets (TCP and UDP, IPv4 and IPv6) whose remote end is not loopback
# or unset; its network namespace is its own, so these are the container's only.
INSIDE_SOCKETS = """
import pathlib
LOOPBACK = ("0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F")
for table in ("tcp", "tcp6", "udp", "udp6"):
    for line in pathlib.Path("/proc/net", table).read_text().splitlines()[1:]:
        address = line.split()[2].split(":")[0]
        if address.strip("0") and address not in LOOPBACK:
            print(table, line.split()[2])
"""


def _fetch_inside(container: Container, path: str, body: bytes | None = None):
    args = ["exec", *(["-i"] if body is not None else []), container.name]
    args += ["python", "-c", INSIDE_FETCH, path, *(["post"] if body is not None else [])]
    result = subprocess.run(
        ["docker", *args], input=body, capture_output=True, timeout=DOCKER_SECONDS, check=False
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    status, _, answer = result.stdout.partition(b"\n")
    return int(status), answer


def test_it_serves_with_no_network_at_all(image):
    """``--network=none``: the container has only its loopback, so a start-up or a view that
    reached for anything outside (a font, a script, a package index, a telemetry call) would
    fail or hang. The page, its layout and the four plots are fetched inside the container, and
    no socket to a non-loopback address is open afterwards."""
    container = run_container(image, network="none")

    def answers(running: Container) -> bool:
        return (
            running.exec_python(
                "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/healthz')"
            ).returncode
            == 0
        )

    with _started(container, answers) as running:
        page_status, page = _fetch_inside(running, "/")
        _, layout_json = _fetch_inside(running, "/_dash-layout")
        figures = 0
        for callback in PLOTS:
            body = callback_body(callback, _layout(layout_json), OPENED.get(callback, {}))
            status, answer = _fetch_inside(running, UPDATE_PATH, body)
            assert status == 200, answer[:300]
            figures += len(_figures(json.loads(answer)["response"]))
        sockets = running.exec_python(INSIDE_SOCKETS)
        interfaces = running.exec_python("import socket; print(socket.if_nameindex())")
    assert page_status == 200
    assert b"_dash-renderer" in page or b"dash_renderer" in page
    assert figures == 4
    assert sockets.returncode == 0, sockets.stderr
    assert sockets.stdout == ""
    assert interfaces.stdout.strip() == "[(1, 'lo')]"
