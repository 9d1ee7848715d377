""".ci/audit.sh: skips with a clear line when no vulnerability service answers, fails when
pip-audit reports a finding, and audits the runtime packages of uv.lock only.

No internet in the tests: the canary (the service's answer for urllib3 1.26.17) comes from a
local HTTP server, and pip-audit is replaced by a stand-in that records what it was given and
answers as pip-audit does (exit 1 on a finding). The real pip-audit run is CI's (.ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from image_spec import ROOT

SCRIPT = ROOT / ".ci" / "audit.sh"
SKIPPED = "audit skipped: service unreachable"

pytestmark = pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not on PATH")


def _canary(answer: dict) -> type[BaseHTTPRequestHandler]:
    class Canary(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass  # keep the test output quiet

    return Canary


@pytest.fixture
def canary_url() -> Iterator[Callable[[dict], str]]:
    servers: list[ThreadingHTTPServer] = []

    def serve(answer: dict) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _canary(answer))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/pypi/urllib3/1.26.17/json"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _tools(folder: Path, exit_code: int) -> Path:
    """A tools folder: this interpreter as ``python`` and a pip-audit stand-in."""
    folder.mkdir()
    (folder / "python").symlink_to(sys.executable)
    record = folder / "audited.txt"
    fake = folder / "pip-audit"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > "{folder}/arguments.txt"\n'
        'while [ "$#" -gt 0 ]; do\n'
        f'  if [ "$1" = --requirement ]; then cp "$2" "{record}"; fi\n'
        "  shift\n"
        "done\n"
        + ("echo 'Found 1 known vulnerability in 1 package'\n" if exit_code else "")
        + f"exit {exit_code}\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return folder


def _run(tools: Path, probe_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUDIT_BIN": str(tools), "AUDIT_PROBE_URL": probe_url}
    return subprocess.run(
        [str(SCRIPT)], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def _closed_port_url() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_port
    server.server_close()  # nothing listens there any more: connection refused
    return f"http://127.0.0.1:{port}/"


def test_no_service_prints_skipped_and_passes(tmp_path: Path):
    result = _run(_tools(tmp_path / "bin", exit_code=1), _closed_port_url())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(SKIPPED)
    assert not (tmp_path / "bin" / "arguments.txt").exists()  # pip-audit was not run


def test_a_service_without_advisories_is_no_audit(tmp_path: Path, canary_url):
    url = canary_url({"info": {}, "vulnerabilities": []})
    result = _run(_tools(tmp_path / "bin", exit_code=1), url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(SKIPPED)
    assert "no advisories listed" in result.stdout


def test_a_finding_fails_and_only_the_runtime_packages_are_audited(tmp_path: Path, canary_url):
    url = canary_url({"vulnerabilities": [{"id": "PYSEC-2023-212"}]})
    tools = _tools(tmp_path / "bin", exit_code=1)
    result = _run(tools, url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Found 1 known vulnerability" in result.stdout
    audited = {
        line.split("==")[0]
        for line in (tools / "audited.txt").read_text().splitlines()
        if "==" in line
    }
    assert {"dash", "urllib3", "pyarrow", "gunicorn"} <= audited
    assert audited & {"pytest", "selenium", "pip-audit", "ruff", "lifelines"} == set()
    arguments = (tools / "arguments.txt").read_text().split()
    assert {"--no-deps", "--strict"} <= set(arguments)


def test_no_finding_passes(tmp_path: Path, canary_url):
    url = canary_url({"vulnerabilities": [{"id": "PYSEC-2023-212"}]})
    result = _run(_tools(tmp_path / "bin", exit_code=0), url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert SKIPPED not in result.stdout
