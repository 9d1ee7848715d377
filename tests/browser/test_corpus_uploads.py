"""Every file of the malformed-input corpus through the browser upload, and every good file.

A bad file must list its problem (bad/expected.csv's fragment, naming the file) in
#upload-problems while the cards keep the previous cohort's numbers; a good file must load
and show its patient count. One page serves all the patients files in turn: the upload's
contents change with each file, so no reload is needed. A relapses file is validated with
the patients file uploaded before it, so each companion patients file gets a fresh page
(a stale relapses upload would otherwise be checked against the next patients file).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from explorer_page import DEFAULT_GROUP, cli_report, expected_cards

pytestmark = pytest.mark.browser
DATA = Path(__file__).resolve().parents[1] / "data"
GOOD, BAD = DATA / "good", DATA / "bad"
GOOD_RELAPSES = GOOD / "relapses.csv"
# Good files that are not a patients file on their own: the relapses file, and the patients
# file without outcome columns that needs it (both loaded as companions below).
COMPANIONS_ONLY = {"relapses.csv", "patients_no_outcome.csv"}


def _bad_cases() -> list[dict[str, str]]:
    with (BAD / "expected.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _good_patients_files() -> list[Path]:
    """Every good patients file, good/patients.csv last (the cohort the bad files meet)."""
    files = sorted(p for p in GOOD.iterdir() if p.name not in COMPANIONS_ONLY)
    files.remove(GOOD / "patients.csv")
    return [*files, GOOD / "patients.csv"]


def _expect_problem(explorer, case: dict[str, str], kept: dict[str, str]) -> None:
    """Wait for the problem list naming ``case``'s file; check the fragment and the cards."""
    name = case["file"]
    lines = explorer.wait_until(
        lambda: [line for line in explorer.problem_lines() if name in line],
        f"the problems of {name} to be listed",
    )
    assert any(case["fragment"] in line for line in lines), (name, lines)
    assert "previous cohort is still in use" in explorer.text("#upload-problems")
    explorer.wait_settled()
    assert explorer.cards() == kept, f"{name} changed the cards"
    explorer.assert_no_errors()


def _expect_loaded(explorer, path: Path, *args: str) -> dict[str, str]:
    """Wait for the success message and the CLI's card numbers for this upload."""
    report = cli_report("--cohort", str(path), *args, *DEFAULT_GROUP)
    shown = f"{report['n']} patients"

    def loaded() -> bool:
        text = explorer.visible_text("#upload-ok") or ""
        return path.name in text and shown in text

    explorer.wait_until(loaded, f"{path.name} to load with {shown}")
    wanted = expected_cards(report)
    explorer.wait_until(lambda: explorer.cards() == wanted, f"the cards of {path.name}")
    explorer.wait_settled()
    explorer.assert_no_errors()
    return wanted


def test_good_files_load_and_bad_patients_files_keep_the_cohort(explorer):
    explorer.open()
    explorer.open_tab("Data")
    kept: dict[str, str] = {}
    for path in _good_patients_files():
        explorer.upload("upload-patients", path)
        kept = _expect_loaded(explorer, path)
    for case in _bad_cases():
        if not case["patients"]:
            explorer.upload("upload-patients", BAD / case["file"])
            _expect_problem(explorer, case, kept)


@pytest.mark.parametrize(
    "companion", sorted({case["patients"] for case in _bad_cases() if case["patients"]})
)
def test_bad_relapses_files_keep_the_cohort(explorer, companion):
    patients = DATA / companion
    explorer.open()
    explorer.open_tab("Data")
    explorer.upload("upload-patients", patients)
    explorer.upload("upload-relapses", GOOD_RELAPSES)
    kept = _expect_loaded(explorer, patients, "--relapses", str(GOOD_RELAPSES))
    for case in _bad_cases():
        if case["patients"] == companion:
            explorer.upload("upload-relapses", BAD / case["file"])
            _expect_problem(explorer, case, kept)
