"""Parquet is an optional extra (`parquet`, pyarrow): without it a Parquet file is refused with
a message saying how to enable it, and every other format and the demo still work.

pyarrow is installed in the test environment, so its absence is simulated: ``None`` in
``sys.modules`` makes ``import pyarrow`` raise ImportError, as on an image built with
WITH_PARQUET=0; the subprocess tests block it with an import hook before anything loads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analytics.data.io import load_cohort
from analytics.data.schema import CohortValidationError
from analytics.data.xlsx_parquet import PARQUET_NOT_INSTALLED
from components.panels.problems import problem_text
from i18n.locale_context import using_language
from tests.corpus import GOOD

ROOT = Path(__file__).resolve().parents[2]
PYARROW_MODULES = ("pyarrow", "pyarrow.parquet", "pyarrow.compute")

# Run first in a child interpreter: any import of pyarrow fails, as when it is not installed.
_BLOCK_PYARROW = """
import importlib.abc, sys
class _NoPyarrow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _NoPyarrow())
"""


@pytest.fixture
def without_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PYARROW_MODULES:
        monkeypatch.setitem(sys.modules, name, None)


def _refusal(path: Path) -> CohortValidationError:
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(path)
    return caught.value


@pytest.mark.usefixtures("without_pyarrow")
def test_a_parquet_file_without_pyarrow_says_how_to_enable_parquet() -> None:
    error = _refusal(GOOD / "patients.parquet")
    assert [problem.rule for problem in error.problems] == [PARQUET_NOT_INSTALLED]
    (problem,) = error.problems
    assert problem.file == "patients.parquet"
    assert "save the file as CSV or XLSX" in problem_text(problem)
    assert "`parquet` extra" in problem_text(problem)
    assert "WITH_PARQUET=1" in problem_text(problem)


@pytest.mark.usefixtures("without_pyarrow")
def test_the_parquet_message_is_translated() -> None:
    (problem,) = _refusal(GOOD / "patients.parquet").problems
    with using_language("es"):
        spanish = problem_text(problem)
    assert "esta instalación no puede leer Parquet" in spanish
    assert "extra `parquet`" in spanish


@pytest.mark.usefixtures("without_pyarrow")
@pytest.mark.parametrize("name", ["patients.csv", "patients.xlsx"])
def test_csv_and_xlsx_need_no_pyarrow(name: str) -> None:
    assert len(load_cohort(GOOD / name).patients) > 0


def test_with_pyarrow_the_same_file_loads() -> None:
    parquet = load_cohort(GOOD / "patients.parquet").patients
    csv = load_cohort(GOOD / "patients.csv").patients
    assert list(parquet["patient_id"]) == list(csv["patient_id"])


def _cli_without_pyarrow(*args: str) -> subprocess.CompletedProcess[str]:
    program = _BLOCK_PYARROW + "from analytics.__main__ import main\nraise SystemExit(main())"
    return subprocess.run(
        [sys.executable, "-c", program, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_the_cli_without_pyarrow_reports_the_demo_and_refuses_parquet_cleanly() -> None:
    demo = _cli_without_pyarrow("report", "--cohort", "demo", "--format", "json")
    assert demo.returncode == 0, demo.stderr
    refused = _cli_without_pyarrow("report", "--cohort", str(GOOD / "patients.parquet"))
    assert refused.returncode == 2, refused.stderr
    assert "Traceback" not in refused.stderr
    assert "cannot read Parquet" in refused.stderr
