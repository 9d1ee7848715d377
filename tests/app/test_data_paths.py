"""COHORT_PATH and friends accept regular files only: a FIFO hung start-up, /dev/zero was read
until MemoryError. The configuration says so in one line before anything is read."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from analytics.data.io import load_cohort
from analytics.data.schema import CohortValidationError
from app.server.config import Config, ConfigError

CSV = b"patient_id,followup_months,failure,failure_months\nA,12,1,3\nB,20,0,\n"


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "cohort.csv"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("name", ["COHORT_PATH", "RELAPSES_PATH", "INFUSIONS_PATH"])
def test_a_fifo_is_refused_by_the_configuration(fifo, tmp_path, name):
    regular = tmp_path / "regular.csv"
    regular.write_bytes(CSV)
    env = {"COHORT_PATH": str(regular), name: str(fifo)}
    with pytest.raises(ConfigError, match=f"^{name} must be a regular file, got '.*cohort.csv'$"):
        Config.from_env(env)


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null", "/tmp"])
def test_devices_and_folders_are_refused_by_the_configuration(path):
    with pytest.raises(ConfigError, match="COHORT_PATH must be a regular file"):
        Config.from_env({"COHORT_PATH": path})


def test_a_missing_or_regular_file_passes_the_configuration(tmp_path):
    regular = tmp_path / "p.csv"
    regular.write_bytes(CSV)
    assert Config.from_env({"COHORT_PATH": str(regular)}).cohort_path == regular
    # A missing file is reported on the page (degraded), as before.
    assert Config.from_env({"COHORT_PATH": str(tmp_path / "gone.csv")}).cohort_path


def test_loading_a_fifo_is_refused_without_reading_it(fifo):
    """The CLI and the app's loader refuse it too. (A writer feeds the FIFO so that the old
    behaviour, reading it, finishes and fails this test instead of hanging it.)"""

    def writer() -> None:
        with open(fifo, "wb") as stream:  # blocks until a reader opens it
            stream.write(CSV)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        with pytest.raises(CohortValidationError, match="is not a regular file"):
            load_cohort(fifo)
    finally:
        if thread.is_alive():  # unblock the writer: open the FIFO for reading once
            with open(fifo, "rb") as stream:
                stream.read()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_loading_a_device_is_refused(tmp_path):
    with pytest.raises(CohortValidationError, match="is not a regular file"):
        load_cohort(Path("/dev/null"))


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069"])
def test_direction_controls_in_a_column_name_are_refused(char):
    data = f"patient_id,followup_months,failure,failure_months,cen{char}tre\nA,12,1,3,x\n"
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(data.encode(), patients_name="p.csv")
    (problem,) = caught.value.problems
    assert problem.row == 1
    assert f"U+{ord(char):04X}" in problem.rule
    assert "column name contains a text-direction control" in problem.rule
    assert "\\u" in (problem.value or "")  # shown escaped, as in patient codes


def test_the_direction_rule_is_translated():
    from i18n.language import translate_message, using_language

    data = "patient_id,followup_months,failure,failure_months,cen\u202etre\nA,12,1,3,x\n"
    with pytest.raises(CohortValidationError) as caught:
        load_cohort(data.encode(), patients_name="p.csv")
    (problem,) = caught.value.problems
    with using_language("es"):
        shown = translate_message(problem.rule)
    assert shown.startswith("el nombre de columna contiene un control de dirección")
