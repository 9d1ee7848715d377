"""--grace-months on a cohort whose outcome is its failure column (no relapses file).

The grace period cannot be re-applied to a recorded outcome: a non-default value is refused
(exit 2, saying why), the default is accepted and the output says it was not applied.
"""

from __future__ import annotations

import json
from pathlib import Path

from analytics.__main__ import main

FORM_A = str(Path(__file__).resolve().parents[1] / "data" / "good" / "patients.csv")


def test_a_non_default_grace_period_is_refused(capsys):
    assert main(["report", "--cohort", FORM_A, "--grace-months", "3"]) == 2
    err = capsys.readouterr().err
    assert "--grace-months 3" in err
    assert "relapses file" in err
    assert "Traceback" not in err


def test_the_default_is_accepted_and_reported_as_not_applied(capsys):
    assert main(["report", "--cohort", FORM_A, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["grace_applied"] is False
    assert main(["report", "--cohort", FORM_A, "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "Outcome: treatment failure as recorded in the patients file's failure column" in text
    assert "grace period not applied" in text


def test_a_relapses_cohort_applies_and_states_its_grace_period(capsys):
    assert main(["report", "--cohort", "demo", "--grace-months", "3", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["grace_applied"] is True
    assert main(["report", "--cohort", "demo", "--grace-months", "3", "--format", "text"]) == 0
    assert "Outcome: first relapse more than 3 months after the first infusion" in (
        capsys.readouterr().out
    )
