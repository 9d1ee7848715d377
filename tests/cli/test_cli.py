"""The CLI contract of docs/cli.md: flags, JSON keys, exit codes, messages without tracebacks."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.__main__ import main
from analytics.data.cohort import Filters
from analytics.data.demo import load_demo
from analytics.reports.relapse_report import build_relapse_report
from components.text.relapse_text import rates_table
from tests.contract import CONTRACT_KEYS, KM_KEYS

DATA = Path(__file__).resolve().parents[1] / "data"
GROUP = "asymptomatic_lesions"


def exit_code(argv: list[str]) -> int:
    """main()'s return code, or argparse's exit code for a bad flag."""
    try:
        return main(argv)
    except SystemExit as exited:
        return int(exited.code)


def run_json(capsys, *args: str) -> dict:
    """Run the CLI in-process and parse its JSON (exit code must be 0)."""
    assert main(["report", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_lesion_report_reproduces_the_study(capsys):
    out = run_json(
        capsys,
        "--cohort",
        "demo",
        "--group-by",
        "asymptomatic_lesions",
        "--covariates",
        "asymptomatic_lesions",
    )
    assert set(CONTRACT_KEYS) <= out.keys()
    assert (out["n"], out["events"]) == (54, 12)
    lesion = next(t for t in out["univariable"] if t["term"] == "asymptomatic_lesions")
    assert 15 <= lesion["hr"] <= 45
    assert lesion["p"] < 0.01
    assert set(out["km"]["groups"]) == {"0", "1"}
    for group in out["km"]["groups"].values():
        assert set(KM_KEYS) <= group.keys()
        assert len(group["timeline"]) == len(group["survival"]) == len(group["ci_low"])
    assert out["logrank"]["df"] == 1
    assert set(out["failure_rate"]) >= {"estimate", "ci_low", "ci_high", "method"}
    assert out["cox"]["n"] == 54
    assert out["cohort"]["synthetic"] is True


def test_filters_reduce_the_cohort_consistently(capsys):
    everyone = run_json(capsys, "--cohort", "demo")
    women = run_json(capsys, "--cohort", "demo", "--sex", "f")
    men = run_json(capsys, "--cohort", "demo", "--sex", "M")
    assert women["n"] + men["n"] == everyone["n"]
    assert women["events"] + men["events"] == everyone["events"]
    older = run_json(capsys, "--cohort", "demo", "--age-min", "45", "--edss-max", "4")
    assert 0 < older["n"] < everyone["n"]


def test_grace_period_changes_failures_on_the_demo(capsys):
    strict = run_json(capsys, "--cohort", "demo", "--grace-months", "0")
    usual = run_json(capsys, "--cohort", "demo", "--grace-months", "6")
    assert strict["events"] >= usual["events"]


def test_multivariable_covariates_and_null_logrank_without_groups(capsys):
    out = run_json(capsys, "--cohort", "demo", "--covariates", "age_at_rtx,sex,edss_baseline")
    assert out["logrank"] is None
    assert [t["term"] for t in out["cox"]["terms"]] == ["age_at_rtx", "sex=M", "edss_baseline"]
    assert len(out["univariable"]) == 3


def test_text_format_says_synthetic(capsys):
    assert main(["report", "--cohort", "demo", "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "SYNTHETIC" in text
    assert "Patients: 54" in text


def test_empty_subgroup_is_not_an_error(capsys):
    out = run_json(capsys, "--cohort", "demo", "--age-min", "119")
    assert out["n"] == 0
    assert "No patients match these filters." in out["warnings"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sex", "X"], "must be F or M"),
        (["--lesions", "2"], "must be 0 or 1"),
        (["--grace-months", "13"], "grace period must be between 0 and 12"),
        (["--age-min", "60", "--age-max", "40"], "age range is empty"),
        (["--group-by", "shoe_size"], "column 'shoe_size' is not in the cohort"),
        (["--covariates", "age_at_rtx,shoe_size"], "shoe_size"),
        (["--format", "xml"], "invalid choice"),
        (["--cohort", "/nonexistent/patients.csv"], "patients.csv"),
    ],
)
def test_invalid_arguments_exit_2_with_a_message(capsys, args, message):
    assert exit_code(["report", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def _bad_cases() -> list[dict[str, str]]:
    with (DATA / "bad" / "expected.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("case", _bad_cases(), ids=lambda c: c["file"])
def test_every_malformed_file_exits_2_with_its_message(capsys, case):
    bad = DATA / "bad" / case["file"]
    if case["patients"]:
        args = ["--cohort", str(DATA / case["patients"]), "--relapses", str(bad)]
    else:
        args = ["--cohort", str(bad)]
    code = main(["report", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert case["file"] in err
    assert case["fragment"] in err
    assert "Traceback" not in err


def _bad_infusions_cases() -> list[dict[str, str]]:
    with (DATA / "bad" / "infusions" / "expected.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("case", _bad_infusions_cases(), ids=lambda c: c["file"])
def test_every_malformed_infusions_file_exits_2_with_its_message(capsys, case):
    bad = DATA / "bad" / "infusions" / case["file"]
    code = main(["report", "--cohort", str(DATA / case["patients"]), "--infusions", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert case["file"] in err
    assert case["fragment"] in err
    assert "Traceback" not in err


def test_infusions_file_loads_and_leaves_the_report_as_it_was(capsys, tmp_path):
    infusions = tmp_path / "infusions.csv"
    infusions.write_text(
        "patient_id,months_from_rtx,dose_mg\nP01,0,1000\nP01,0.5,1000\nP02,0,1000\n",
        encoding="utf-8",
    )
    cohort = ["--cohort", str(DATA / "good" / "patients.csv")]
    plain = run_json(capsys, *cohort)
    with_infusions = run_json(capsys, *cohort, "--infusions", str(infusions))
    assert with_infusions.keys() == plain.keys()
    assert with_infusions["cohort"]["fingerprint"] != plain["cohort"]["fingerprint"]
    for report in (plain, with_infusions):
        del report["cohort"]["fingerprint"]
    assert with_infusions == plain


@pytest.mark.parametrize("flag", ["--relapses", "--infusions"])
def test_the_demo_brings_its_own_event_files(capsys, flag):
    assert exit_code(["report", "--cohort", "demo", flag, "mine.csv"]) == 2
    err = capsys.readouterr().err
    assert f"mine.csv: the demo cohort has its own {flag[2:]} file" in err
    assert f"use --cohort PATH with {flag}" in err


def test_real_process_exit_codes_and_no_traceback(tmp_path):
    """The installed entry point, as scripts call it."""
    bad = tmp_path / "patients.csv"
    bad.write_text("patient_id,followup_months,failure\nA,-3,1\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "analytics", "report", "--cohort", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "patients.csv, row 2, column followup_months" in proc.stderr
    assert "Traceback" not in proc.stderr
    good = subprocess.run(
        [sys.executable, "-m", "analytics", "report", "--cohort", "demo"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0
    assert json.loads(good.stdout)["n"] == 54


# --- the Relapses tab's analyses ------------------------------------------------------------


def _strict(text: str) -> dict:
    """json.loads that refuses NaN and Infinity (Python's own parser accepts them)."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _json_text(capsys, *args: str) -> str:
    assert main(["report", *args, "--format", "json"]) == 0
    return capsys.readouterr().out


def test_json_has_the_relapses_tabs_report_of_the_same_view(capsys):
    args = ("--cohort", "demo", "--sex", "F", "--group-by", "asymptomatic_lesions")
    out = _strict(_json_text(capsys, *args))
    assert list(out)[: len(CONTRACT_KEYS)] == list(CONTRACT_KEYS)
    assert list(out)[-1] == "relapses"
    expected = build_relapse_report(load_demo(), Filters(sex="F"), "asymptomatic_lesions")
    assert out["relapses"] == json.loads(json.dumps(expected.to_dict(per_patient=False)))
    assert [g["label"] for g in out["relapses"]["groups"]] == ["All", "0", "1"]
    everyone = out["relapses"]["groups"][0]
    assert everyone["after_vs_before_nb"]["terms"][0]["rate_ratio"] == pytest.approx(
        expected.group("All").after_vs_before_nb.terms[0].rate_ratio, rel=0, abs=0
    )
    assert out["relapses"]["andersen_gill"]["terms"][0]["level"] == "1"
    assert out["relapses"]["mcf"]["curves"][1]["at_risk"][0] == expected.mcf.curve("1").n


def test_relapses_json_has_no_per_patient_rows(capsys):
    out = _strict(_json_text(capsys, "--cohort", "demo", "--group-by", "sex"))
    for group in out["relapses"]["groups"]:
        assert "patients" not in group["rates"]
        assert {"pooled_pre", "pooled_post"} <= group["rates"].keys()
    # They are where they always were.
    assert len(out["relapse_rates"]["patients"]) == 54


def test_a_ratio_that_cannot_be_estimated_is_null_not_nan(capsys):
    """Lesion-free men and women: one sex has no relapse after rituximab (separation)."""
    text = _json_text(capsys, "--cohort", "demo", "--lesions", "0", "--group-by", "sex")
    assert "NaN" not in text
    assert "Infinity" not in text
    groups = _strict(text)["relapses"]["groups"]
    separated = [g for g in groups if g["after_vs_before_nb"]["terms"][0]["rate_ratio"] is None]
    assert separated
    assert any("separation" in note for g in separated for note in g["notes"])


def test_relapses_is_null_without_a_relapses_file(capsys):
    out = _strict(_json_text(capsys, "--cohort", str(DATA / "good" / "patients.csv")))
    assert out["relapses"] is None
    assert (
        main(["report", "--cohort", str(DATA / "good" / "patients.csv"), "--format", "text"]) == 0
    )
    assert "Relapses (every relapse" not in capsys.readouterr().out


def test_relapses_with_a_relapses_file(capsys):
    args = ("--cohort", str(DATA / "good" / "patients.csv"))
    out = _strict(_json_text(capsys, *args, "--relapses", str(DATA / "good" / "relapses.csv")))
    assert out["relapses"]["available"] is True
    assert out["relapses"]["n"] == out["n"]


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


def test_text_has_the_tabs_numbers_and_the_regression_to_the_mean_note(capsys):
    """Each rates-table row of the tab, number for number, in the text's lines for that group
    (the text adds '95% CI' and writes '-' for the tab's '–')."""
    assert main(["report", "--cohort", "demo", "--group-by", GROUP, "--format", "text"]) == 0
    text = capsys.readouterr().out
    section = text.split("Relapses (every relapse", 1)[1]
    assert "regression to the mean" in section
    report = build_relapse_report(load_demo(), Filters(), GROUP)
    blocks = re.split(r"\n  (?=All patients: |Asymptomatic lesions: )", section)[1:]
    assert len(blocks) == len(report.groups) == 3
    for block, row in zip(blocks, rates_table(report).rows, strict=True):
        _, n, pre, post, nb, poisson, theta = row
        tab = [str(n), pre.rate, pre.counts, post.rate, post.counts, nb, poisson, theta]
        expected = [x for cell in tab for x in _numbers(cell)]
        lines = block.split("\n  Note:")[0].split(": n ", 1)[1]  # after the group's name
        assert _numbers(lines.replace("95% CI ", "")) == expected
    hr = report.andersen_gill.terms[0]
    comparison = "Asymptomatic lesions: yes vs Asymptomatic lesions: no"
    assert f"{comparison}: HR {hr.hr:.1f} (95% CI {hr.ci_low:.2f}-" in section


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--group-by", "patient_id"],
            "error: patient_id cannot be a grouping: it identifies patients or is part of "
            "the outcome.",
        ),
        (
            ["--group-by", "age_at_rtx"],
            "error: age_at_rtx cannot be a grouping: it has 33 levels (at most 8).",
        ),
        (
            ["--covariates", "sex,failure_months"],
            "error: failure_months cannot be a covariate: it identifies patients or is part "
            "of the outcome.",
        ),
    ],
)
def test_a_grouping_or_covariate_the_rule_refuses_exits_2(capsys, args, message):
    """Issue 17: the CLI goes through analytics.data.choices as the page does (column and rule)."""
    assert exit_code(["report", "--cohort", "demo", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_a_free_text_covariate_exits_2_naming_column_and_rule(capsys, tmp_path):
    rows = ["patient_id,followup_months,failure,failure_months,comment"]
    rows += [f"P{i},{12 + i},{i % 2},{6 if i % 2 else ''},free text {i}" for i in range(30)]
    path = tmp_path / "patients.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert exit_code(["report", "--cohort", str(path), "--covariates", "comment"]) == 2
    assert (
        "comment cannot be a covariate: it is text with 30 levels (at most 8)."
        in capsys.readouterr().err
    )
