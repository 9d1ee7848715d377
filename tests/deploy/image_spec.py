"""What the Docker image promises, read from the Dockerfile itself (no Docker engine needed).

Just enough of the Dockerfile grammar for our own file: line continuations, comments, stages
(their base with the global ARGs' defaults put in), ``ENV`` in ``key=value`` form, exec-form
(JSON) ``CMD`` and ``HEALTHCHECK ... CMD``.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    @property
    def env(self) -> dict[str, str]:
        """ENV values in order, ``$NAME``/``${NAME}`` of earlier ones expanded (others kept)."""
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for word in shlex.split(instruction.arguments):
                name, sep, value = word.partition("=")
                if not sep:
                    raise ValueError(f"line {instruction.line}: use ENV NAME=value, got {word!r}")
                values[name] = _expand(value, values)
        return values

    @property
    def workdir(self) -> str:
        last = self.last("WORKDIR")
        return last.arguments.strip() if last else "/"

    @property
    def user(self) -> str | None:
        last = self.last("USER")
        return last.arguments.strip() if last else None

    def exec_form(self, keyword: str) -> list[str]:
        last = self.last(keyword)
        if last is None:
            raise LookupError(f"no {keyword} in stage {self.name or self.base}")
        return _json_array(last.arguments, last.line)

    @property
    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        """(options such as {"interval": "30s"}, the exec-form command)."""
        last = self.last("HEALTHCHECK")
        if last is None:
            raise LookupError("no HEALTHCHECK")
        options_text, sep, command = last.arguments.partition(" CMD ")
        if not sep:
            raise ValueError(f"line {last.line}: HEALTHCHECK without CMD")
        options = dict(
            re.fullmatch(r"--([a-z-]+)=(\S+)", word).groups()  # type: ignore[union-attr]
            for word in options_text.split()
        )
        return options, _json_array(command, last.line)

    def copies(self) -> list[tuple[list[str], str, str | None]]:
        """Each COPY as (sources, destination, --from stage or None)."""
        result = []
        for instruction in self.all("COPY"):
            words = instruction.arguments.split()
            flags = {w[2:].partition("=")[0]: w.partition("=")[2] for w in words if w[:2] == "--"}
            paths = [w for w in words if not w.startswith("--")]
            result.append((paths[:-1], paths[-1], flags.get("from")))
        return result


def _expand(value: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return values.get(name, match.group(0))

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", replace, value)


def _json_array(text: str, line: int) -> list[str]:
    try:
        words = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(f"line {line}: not exec form (a JSON array): {text!r}") from None
    if not (isinstance(words, list) and all(isinstance(w, str) for w in words)):
        raise ValueError(f"line {line}: not a JSON array of strings")
    return words


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, instruction text) with continuations joined, comments dropped."""
    result: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        result.append((start, " ".join(p for p in pending if p)))
        pending = []
    if pending:
        raise ValueError(f"line {start}: the file ends inside a continued instruction")
    return result


def global_args(text: str) -> dict[str, str | None]:
    """The ARGs before the first FROM (those FROM may use), with their defaults (or None)."""
    found: dict[str, str | None] = {}
    for _, line in logical_lines(text):
        keyword, _, arguments = line.partition(" ")
        if keyword.upper() == "FROM":
            break
        if keyword.upper() == "ARG":
            name, sep, default = arguments.strip().partition("=")
            found[name] = default.strip('"') if sep else None
    return found


def parse(text: str) -> list[Stage]:
    """The stages, each FROM's base with the global ARGs' defaults put in (what a build
    without --build-arg uses)."""
    stages: list[Stage] = []
    defaults = {k: v for k, v in global_args(text).items() if v is not None}
    for number, line in logical_lines(text):
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", arguments, re.I)
            if match is None:
                raise ValueError(f"line {number}: cannot read FROM {arguments!r}")
            base = _expand(match.group(1), defaults)
            if "$" in base:
                raise ValueError(f"line {number}: FROM {base} uses an ARG without a default")
            stages.append(Stage(base=base, name=match.group(2)))
        elif not stages:
            if keyword != "ARG":
                raise ValueError(f"line {number}: {keyword} before the first FROM")
        else:
            stages[-1].instructions.append(Instruction(keyword, arguments.strip(), number))
    return stages


def stages() -> list[Stage]:
    return parse(DOCKERFILE.read_text(encoding="utf-8"))


def runtime() -> Stage:
    """The stage the image runs: the last one."""
    return stages()[-1]


def stage_runtime_tree(target: Path) -> Path:
    """Copy what the runtime stage COPYs from the build context into ``target`` laid out as
    the image's WORKDIR; return that directory. Caches are left out as .dockerignore does."""
    stage = runtime()
    workdir = target / stage.workdir.lstrip("/")
    workdir.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".mypy_cache")
    for sources, destination, from_stage in stage.copies():
        if from_stage is not None:
            continue  # the venv from the build stage: the test uses the repository's .venv
        into = workdir / destination
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(origin, into, ignore=ignore)
            else:
                into.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, into / origin.name)
    return workdir
