"""deploy/nginx.conf for real: Debian's nginx on a loopback port in front of two of the image's
gunicorns (AUTH_MODE=header), as in deploy/docker-compose.scale.yml.

Only the addresses change (the replicas' 172.30.0.x become the two loopback ports, the listen
port a free one, files go to a temporary folder); every directive that decides security is
the shipped one. Skipped locally without nginx; under CI=true a missing nginx fails (.ci/run
installs it).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_dockerfile import _hadolint
from test_image_contract import START_SECONDS, _free_port, container_root, run_image  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
from dash_requests import callback_body, walk  # noqa: E402

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx.conf"
COMPOSE = ROOT / "deploy" / "docker-compose.scale.yml"
PROXY_DOCKERFILE = ROOT / "deploy" / "proxy.Dockerfile"
USER, PASSWORD = "alice", "correct horse battery staple"


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        message = "nginx is not installed (Debian package nginx)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def ssha(password: str) -> str:
    """An htpasswd entry nginx reads ({SSHA}), made without apache2-utils (tests only)."""
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def rendered(folder: Path, listen: int, backends: list[int]) -> Path:
    """deploy/nginx.conf with this machine's addresses and a temporary folder for its files."""
    text = CONF.read_text()
    replicas = re.findall(r"server (172\.30\.0\.\d+:8050)", text)
    assert len(replicas) == len(backends) == 2
    for replica, port in zip(replicas, backends, strict=True):
        text = text.replace(replica, f"127.0.0.1:{port}")
    assert text.count("listen 8080;") == 1
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    text = text.replace("/etc/nginx/htpasswd", str(folder / "htpasswd"))
    text = text.replace("pid /run/nginx.pid;", f"pid {folder / 'nginx.pid'};")
    text = text.replace("access_log /dev/stdout", f"access_log {folder / 'access.log'}")
    temporary = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = text.replace("http {\n", "http {\n" + temporary, 1)
    (folder / "htpasswd").write_text(f"{USER}:{ssha(PASSWORD)}\n")
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


def exchange(port: int, method: str, path: str, headers: list[tuple[str, str]], body=None):
    """One request with exactly these header lines (repeats and odd names included)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.putrequest(method, path)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def credentials(user: str = USER, password: str = PASSWORD) -> tuple[str, str]:
    return "Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


FORGED = [("X-Remote-User", "mallory"), ("X-Remote-User", "mallory2"), ("X_Remote_User", "eve")]


@pytest.fixture(scope="module")
def deployment(container_root):  # noqa: F811
    """Two app servers (one worker each) and nginx with deploy/nginx.conf in front."""
    binary = nginx_binary()
    settings = {"AUTH_MODE": "header", "AUTH_PROXY_IPS": "127.0.0.1", "GUNICORN_WORKERS": "1"}
    servers = [run_image(container_root, **settings) for _ in range(2)]
    folder = Path(tempfile.mkdtemp(prefix="nginx-test-"))
    nginx = None
    try:
        # nginx's workers run as www-data (the file's "user"): they must reach these files.
        folder.chmod(0o755)
        port = _free_port()
        conf = rendered(folder, port, [server.port for server in servers])
        for path in folder.iterdir():
            path.chmod(0o644)
        check = subprocess.run(
            [binary, "-t", "-c", str(conf), "-p", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert check.returncode == 0, check.stderr
        for server in servers:
            server.wait_until_ready()
        with (folder / "error.log").open("wb") as errors:
            nginx = subprocess.Popen(
                [binary, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
                stdin=subprocess.DEVNULL,
                stderr=errors,
            )
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                exchange(port, "GET", "/healthz", [])
                break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((folder / "error.log").read_text())
                time.sleep(0.1)
        yield port, servers, folder
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=30)
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_no_proxy_sign_in_no_entry_whatever_header_the_client_sends(deployment):
    port, _, _ = deployment
    assert exchange(port, "GET", "/", FORGED)[0] == 401
    assert exchange(port, "GET", "/", [*FORGED, credentials(password="wrong")])[0] == 401


def test_the_app_sees_the_proxys_user_never_the_clients_copy(deployment):
    port, servers, _ = deployment
    status, body = exchange(port, "GET", "/_dash-layout", [*FORGED, credentials()])
    assert status == 200
    layout = {c["props"]["id"]: c["props"] for c in walk(json.loads(body)) if "id" in c["props"]}
    request = callback_body("update_panels", layout, {})
    # Round robin: four views reach both replicas; each audits the proxy's user.
    for _ in range(4):
        status, _ = exchange(
            port, "POST", "/_dash-update-component", [*FORGED, credentials()], request
        )
        assert status == 200
    for server in servers:
        server.wait_for_log('"action": "view"', seconds=60)
    audits = [
        json.loads(line)
        for server in servers
        for line in server.logs().splitlines()
        if line.startswith("{") and '"action"' in line
    ]
    assert {entry["user"] for entry in audits} == {USER}
    assert all("mallory" not in server.logs() and "eve" not in server.logs() for server in servers)


def test_requests_are_spread_over_both_replicas_without_stickiness(deployment):
    port, servers, _ = deployment
    for _ in range(6):
        assert exchange(port, "GET", "/_dash-layout", [credentials()])[0] == 200
    for server in servers:
        assert "/_dash-layout" in server.logs()


def test_the_proxys_access_log_has_no_query_string(deployment):
    port, _, folder = deployment
    assert exchange(port, "GET", "/?sex=F&age=30-50", [credentials()])[0] == 200
    # nginx writes the line after the response has gone out: wait for it.
    deadline = time.monotonic() + START_SECONDS
    while '"GET / HTTP/1.1" 200' not in (log := (folder / "access.log").read_text()):
        assert time.monotonic() < deadline, log
        time.sleep(0.1)
    assert "sex=F" not in log


def test_the_compose_example_wires_what_the_proxy_assumes():
    """The addresses nginx.conf and the replicas' settings name are the compose file's."""
    compose = COMPOSE.read_text()
    for replica in re.findall(r"server (172\.30\.0\.\d+):8050", CONF.read_text()):
        assert f"ipv4_address: {replica}" in compose
    proxy = re.search(r"FORWARDED_ALLOW_IPS: (\S+)", compose).group(1)
    assert f"ipv4_address: {proxy}" in compose
    assert '--save\n      - ""' in compose
    assert "allkeys-lru" in compose
    assert "REDIS_URL: redis://redis:6379/0" in compose


def test_the_proxy_image_passes_hadolint_and_sends_no_passwords_to_its_build():
    result = subprocess.run(
        [_hadolint(), "--no-color", "--failure-threshold", "style", str(PROXY_DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ignored = (ROOT / "deploy" / ".dockerignore").read_text().split()
    assert "*" in ignored
    assert "!nginx.conf" in ignored
    assert "!htpasswd" not in ignored
