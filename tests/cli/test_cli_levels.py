"""CLI: --conf-level, --zph-transform and conditional survival (--conditional-survived X
--conditional-further Y); numbers against the R fixtures of make_level_zph_reference.R."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analytics.__main__ import main
from analytics.reports.report import build_report
from components.panels.conditional import sentence
from i18n.language import using_language
from tests.reference.conftest import REFERENCE_DIR

PBC = str(REFERENCE_DIR / "level_pbc.csv")
COLON = str(REFERENCE_DIR / "level_colon.csv")
R = json.loads((REFERENCE_DIR / "level_zph.json").read_text())


def _floats(*values: float | None) -> np.ndarray:
    """None ("not reached") as NaN, which assert_allclose compares as equal to NaN."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _exit(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exited:
        return int(exited.code)


def _json(capsys, *args: str) -> dict:
    assert main(["report", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--conf-level", "80"], "confidence level must be 0.90, 0.95 or 0.99"),
        (["--conf-level", "0.5"], "confidence level must be 0.90, 0.95 or 0.99"),
        (["--conf-level", "high"], "got 'high'"),
        (["--zph-transform", "log"], "cox.zph transform must be one of km, rank, identity"),
        (
            ["--conditional-survived", "-1", "--conditional-further", "12"],
            "--conditional-survived: must be 0 or more months",
        ),
        (
            ["--conditional-survived", "12", "--conditional-further", "0"],
            "--conditional-further: must be more than 0 months",
        ),
        (["--conditional-survived", "12"], "needs both --conditional-survived X and"),
        (["--conditional-further", "nan", "--conditional-survived", "1"], "got 'nan'"),
    ],
)
def test_bad_choices_exit_2_with_a_clear_message(capsys, args, message) -> None:
    assert _exit(["report", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def _term(term: dict) -> str:
    return str(term["term"])


@pytest.mark.parametrize(("flag", "key"), [("90", "90"), ("0.99", "99"), ("99%", "99")])
def test_conf_level_reaches_every_interval_as_r(capsys, flag, key) -> None:
    """KM medians' CIs, Cox limits and the exact binomial CI at the level, as R."""
    out = _json(
        capsys, "--cohort", PBC, "--group-by", "arm",
        "--covariates", "age_at_rtx,arm", "--conf-level", flag,
    )  # fmt: skip
    expected = R["pbc"][key]
    assert out["conf_level"] == expected["conf_level"]
    for label, km in out["km"]["groups"].items():
        r = expected["km"][label]
        np.testing.assert_allclose(
            _floats(km["median_ci_low"], km["median_ci_high"]),
            _floats(r["median_lower"], r["median_upper"]),
            rtol=1e-6,
        )
    # Terms by name: the model's column order (grouping first) is not R's formula order.
    np.testing.assert_allclose(
        [(t["ci_low"], t["ci_high"]) for t in sorted(out["cox"]["terms"], key=_term)],
        [(t["ci_low"], t["ci_high"]) for t in sorted(expected["cox"], key=_term)],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        (out["failure_rate"]["ci_low"], out["failure_rate"]["ci_high"]),
        (expected["exact"]["binom_low"], expected["exact"]["binom_high"]),
        rtol=1e-6,
    )


def test_defaults_and_no_conditional_unless_asked(capsys) -> None:
    out = _json(capsys, "--cohort", "demo")
    assert (out["conf_level"], out["zph_transform"], out["conditional"]) == (0.95, "km", None)


def test_zph_transform_is_used(capsys) -> None:
    km = _json(capsys, "--cohort", "demo", "--covariates", "age_at_rtx,sex")
    rank = _json(capsys, "--cohort", "demo", "--covariates", "age_at_rtx,sex",
                 "--zph-transform", "rank")  # fmt: skip
    assert (km["ph_test"]["transform"], rank["ph_test"]["transform"]) == ("km", "rank")
    assert km["ph_test"]["rows"] != rank["ph_test"]["rows"]


def test_conditional_json_matches_r(capsys) -> None:
    fixture = R["conditional_colon"]
    out = _json(
        capsys, "--cohort", COLON, "--group-by", "rx",
        "--conf-level", "90", "--conditional-survived", str(fixture["given"]),
        "--conditional-further", str(fixture["ahead"]),
    )  # fmt: skip
    groups = out["conditional"]["groups"]
    expected = fixture["90"]["rx"]
    assert [g["label"] for g in groups] == sorted(expected)
    np.testing.assert_allclose(
        [(g["estimate"], g["ci_low"], g["ci_high"]) for g in groups],
        [(expected[g["label"]]["surv"], expected[g["label"]]["lower"],
          expected[g["label"]]["upper"]) for g in groups],
        rtol=1e-6,
    )  # fmt: skip


def test_text_prints_the_pages_sentence_and_the_level(capsys) -> None:
    """Same sentence, same rounding as the Survival tab (components.panels.conditional.sentence
    with the page's group name replaced by the CLI's 'column = level')."""
    args = ["--cohort", COLON, "--conf-level", "99"]
    assert main(["report", *args, "--conditional-survived", "400",
                 "--conditional-further", "730", "--format", "text"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    from analytics.data.io import load_cohort

    report = build_report(load_cohort(COLON), None, conf_level=0.99, conditional=(400.0, 730.0))
    assert report.conditional is not None
    with using_language("en"):
        page = sentence(report.conditional.groups[0], None)
    assert f"  {page}" in text.splitlines()
    assert "(99% CI " in page
    assert "95% CI" not in text
    assert "99% CI" in text


def test_text_of_the_relapses_is_at_the_level_too(capsys) -> None:
    """The demo has a relapses file: its rates and ratios are computed and labelled at 90 %."""
    assert main(["report", "--cohort", "demo", "--conf-level", "90", "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "ARR on rituximab: " in text
    assert "90% CI" in text.split("Relapses (", 1)[1]
    assert "95% CI" not in text
    out = _json(capsys, "--cohort", "demo", "--conf-level", "90")
    assert out["relapses"]["conf_level"] == 0.9
