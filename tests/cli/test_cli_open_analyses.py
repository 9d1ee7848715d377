"""CLI options of the open analyses: --exposure/--exposure-months/--exposure-covariates,
--table-by, --mancova-*. Numbers against R's (make_open_analyses_reference.R); bad choices
exit 2 naming the option, the column and the rule."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.__main__ import main

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
MGUS2 = str(REFERENCE / "open_mgus2.csv")
EXPOSURE = ["--exposure", "progression", "--exposure-months", "progression_months"]


def _json(capsys, *args: str) -> dict:
    assert main(["report", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _exit(capsys, *args: str) -> tuple[int, str]:
    try:
        code = main(["report", *args])
    except SystemExit as exited:
        code = int(exited.code)
    return code, capsys.readouterr().err


def test_any_exposure_in_the_json_matches_r(capsys):
    expected = json.loads((REFERENCE / "open_analyses.json").read_text())["exposure"]
    out = _json(
        capsys,
        "--cohort", MGUS2, "--landmark-months", "60", *EXPOSURE,
        "--exposure-covariates", "age_at_rtx,sex,hgb,creat",
    )  # fmt: skip
    timing = out["lesion_timing"]
    assert (timing["exposure"], timing["exposure_months"]) == ("progression", "progression_months")
    assert timing["covariates"] == ["age_at_rtx", "sex", "hgb", "creat"]
    assert "progression is known only from its onset" in timing["explanation"]
    for key in ("naive", "time_dependent", "landmark"):
        ours = {t["term"]: t["hr"] for t in timing[key]["terms"]}
        theirs = {t["term"]: t["hr"] for t in expected[key + "_adjusted"]["terms"]}
        assert ours.keys() == theirs.keys()
        np.testing.assert_allclose(list(ours.values()), list(theirs.values()), rtol=1e-6)


def test_table_by_and_mancova_options_reach_the_json(capsys):
    out = _json(
        capsys,
        "--cohort", MGUS2, "--table-by", "sex",
        "--mancova-dependent", "hgb,creat", "--mancova-factor", "progression",
        "--mancova-covariates", "age_at_rtx",
    )  # fmt: skip
    assert out["table_one"]["by"] == "sex"
    assert out["table_one"]["group_labels"] == ["F", "M"]
    mancova = out["mancova"]
    assert mancova["dependent"] == ["hgb", "creat"]
    assert mancova["factor"] == "progression"
    assert [t["term"] for t in mancova["terms"]] == ["progression", "age_at_rtx"]


def test_the_defaults_are_the_lesion_pair(capsys):
    out = _json(capsys, "--cohort", "demo")
    timing = out["lesion_timing"]
    assert timing["exposure"] == "asymptomatic_lesions"
    assert timing["exposure_months"] == "asymptomatic_lesion_months"
    assert out["table_one"]["by"] == "failure"
    assert out["mancova"]["factor"] == "asymptomatic_lesions"


@pytest.fixture
def bad_cohort(tmp_path) -> str:
    frame = pd.read_csv(MGUS2)
    frame["three_levels"] = np.arange(len(frame)) % 3  # 0/1/2: not a binary exposure
    frame["one_level"] = "x"
    frame["negative_months"] = frame["progression_months"].where(frame["progression"] == 0, -1)
    frame["late_months"] = frame["progression_months"]
    frame.loc[frame["progression"] == 1, "late_months"] = frame["followup_months"] + 1
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--exposure", "nope", "--exposure-months", "progression_months"],
         "option --exposure, column nope: is not a column of this cohort"),
        (["--exposure", "three_levels", "--exposure-months", "progression_months"],
         'option --exposure, row 4, column three_levels, value "2": must be 0/1'),
        (["--exposure", "progression", "--exposure-months", "late_months"],
         "column late_months, value "),
        (["--exposure", "progression", "--exposure-months", "late_months"],
         "the onset must not be after the patient's follow-up"),
        (["--exposure", "progression", "--exposure-months", "negative_months"],
         'column negative_months, value "-1": must be 0 or more'),
        (["--exposure", "progression", "--exposure-months", "sex"],
         "option --exposure-months, column sex: must be a numeric column"),
        (["--exposure-covariates", "age_at_rtx,nope"],
         "option --exposure-covariates, column nope: is not a column of this cohort"),
        (["--table-by", "one_level"],
         "option --table-by, column one_level: has fewer than two levels"),
        (["--table-by", "hgb"], "option --table-by, column hgb: has 111 levels: a grouping "
         "may have at most 10"),
        (["--table-by", "nope"], "option --table-by, column nope: is not a column"),
        (["--mancova-factor", "age_at_rtx"], "option --mancova-factor, column age_at_rtx: has"),
        (["--mancova-dependent", "hgb"], "needs at least two dependent variables"),
        (["--mancova-dependent", "hgb,sex"],
         "option --mancova-dependent, column sex: must be a numeric column"),
        (["--mancova-dependent", "hgb,creat", "--mancova-covariates", "creat"],
         "column creat: is used in two roles"),
    ],
)  # fmt: skip
def test_bad_choices_exit_2_naming_option_column_and_rule(capsys, bad_cohort, args, message):
    code, err = _exit(capsys, "--cohort", bad_cohort, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_a_chosen_mancova_factor_leaves_the_default_covariates(capsys):
    """sex as the factor: the default covariates without sex (not 'two roles')."""
    mancova = _json(capsys, "--cohort", "demo", "--mancova-factor", "sex")["mancova"]
    assert mancova["factor"] == "sex"
    assert mancova["covariates"] == ["age_at_rtx", "edss_baseline"]
    assert [t["term"] for t in mancova["terms"]] == ["sex", "age_at_rtx", "edss_baseline"]
