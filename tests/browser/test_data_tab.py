"""The Data tab: uploads (bad files keep the cohort, good ones replace it) and exports."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from explorer_page import DEFAULT_GROUP, cli_report

from analytics.data.cohort import Filters, analysis_frame
from analytics.data.io import export_notes, load_cohort, write_csv

pytestmark = pytest.mark.browser
DATA = Path(__file__).resolve().parents[1] / "data"
GOOD_PATIENTS = DATA / "good" / "patients.csv"
GOOD_RELAPSES = DATA / "good" / "relapses.csv"
FORMULA_PATIENTS = DATA / "browser" / "patients_formula.csv"
# Tags that would make the browser fetch something from the network when the report is opened.
EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//"
    r"|@import\s+(?:url\()?[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//",
    re.IGNORECASE,
)


def _expected_problem(file_name: str) -> str:
    """The message tests/data/bad/expected.csv records for ``file_name`` (first problem)."""
    with (DATA / "bad" / "expected.csv").open(newline="", encoding="utf-8") as table:
        rows = [row for row in csv.reader(table) if row and row[0] == file_name]
    assert rows, f"{file_name} is not in expected.csv"
    return rows[0][-1]


def test_bad_upload_lists_problems_and_keeps_cohort_then_good_upload_replaces_it(explorer):
    explorer.open()
    explorer.open_tab("Data")
    demo = cli_report(*DEFAULT_GROUP)
    explorer.expect(demo)

    explorer.upload("upload-patients", DATA / "bad" / "edss_out_of_range.csv")

    problems = explorer.wait_until(
        lambda: explorer.visible_text("#upload-problems"), "the upload problems to be listed"
    )
    assert _expected_problem("edss_out_of_range.csv") in problems
    assert "previous cohort is still in use" in problems
    explorer.expect(demo)
    assert "Synthetic demo cohort" in explorer.text("#cohort-label")

    explorer.upload("upload-patients", GOOD_PATIENTS)

    explorer.wait_until(lambda: explorer.visible_text("#upload-ok"), "the upload to succeed")
    explorer.expect(cli_report("--cohort", str(GOOD_PATIENTS), *DEFAULT_GROUP))
    label = explorer.text("#cohort-label")
    assert "patients.csv" in label
    assert "Synthetic" not in label

    explorer.upload("upload-relapses", GOOD_RELAPSES)

    explorer.wait_until(
        lambda: "relapses.csv" in (explorer.visible_text("#upload-ok") or ""),
        "the relapses upload to succeed",
    )
    explorer.expect(
        cli_report("--cohort", str(GOOD_PATIENTS), "--relapses", str(GOOD_RELAPSES), *DEFAULT_GROUP)
    )
    explorer.assert_no_errors()


def test_csv_export_has_the_filtered_patients_with_formulas_neutralised(explorer):
    explorer.open()
    explorer.open_tab("Data")
    explorer.upload("upload-patients", FORMULA_PATIENTS)
    explorer.wait_until(lambda: explorer.visible_text("#upload-ok"), "the upload to succeed")
    explorer.click_radio("filter-sex", "F")
    explorer.expect(cli_report("--cohort", str(FORMULA_PATIENTS), "--sex", "F", *DEFAULT_GROUP))

    # Bytes, not read_text(): the export's CRLF line ends are part of what is checked.
    text = explorer.download("download-csv-button", "cohort-filtered.csv").read_bytes().decode()

    cohort = load_cohort(FORMULA_PATIENTS)
    frame = analysis_frame(cohort, Filters(sex="F"))
    # The file starts with notes saying what it is and which filters made it.
    notes = export_notes(cohort, Filters(sex="F"), len(frame))
    assert text == write_csv(frame, comments=notes)
    assert "# filters: sex=F; grace_months=6\r\n" in text
    lines = io.StringIO(text, newline="").readlines()
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    assert [row["patient_id"] for row in rows] == ["B01", "B02", "B04", "B05", "B06"]
    assert [row["note"] for row in rows] == [
        '\'=HYPERLINK("http://example.invalid","click")',
        "'+1+2",
        "'-2+3",
        "-5",
        "'@SUM(A1:A9)",
    ]
    explorer.assert_no_errors()


def test_html_report_is_self_contained_with_the_views_numbers(explorer):
    explorer.open("?sex=F&lesions=1")
    explorer.open_tab("Data")
    report = cli_report("--sex", "F", "--lesions", "1", *DEFAULT_GROUP)
    explorer.expect(report)

    html = explorer.download("download-report-button", "nmosd-cohort-report.html").read_text(
        "utf-8"
    )

    assert "Synthetic demo cohort" in html
    proportion = f"{report['failure_rate']['estimate']:.1%}"
    for number in (f">{report['n']}<", f">{report['events']}<", proportion):
        assert number in html, f"{number!r} not in the report"
    assert EXTERNAL_RESOURCE.findall(html) == []
    explorer.assert_no_errors()


def test_an_upload_with_a_wider_age_range_is_not_filtered_by_the_old_slider(explorer, tmp_path):
    """The age slider follows the uploaded cohort's extent: the demo's range (its youngest to
    oldest patient) must not stay behind as an active filter that drops the new cohort's
    youngest and oldest patients."""
    wide = tmp_path / "wide_ages.csv"
    rows = ["patient_id,followup_months,failure,failure_months,age_at_rtx,asymptomatic_lesions"]
    for i, age in enumerate([6, 15, 30, 45, 60, 75, 90, 99, 40, 50]):
        failed = i % 3 == 0
        rows.append(f"W{i:02d},{24 + i},{int(failed)},{12 if failed else ''},{age},{i % 2}")
    wide.write_text("\n".join(rows) + "\n", encoding="utf-8")
    explorer.open()
    explorer.open_tab("Data")
    explorer.upload("upload-patients", wide)
    explorer.wait_until(lambda: explorer.visible_text("#upload-ok"), "the upload to succeed")
    explorer.expect(cli_report("--cohort", str(wide), *DEFAULT_GROUP))
    # The next filter change recomputes with the slider's value: it must span the new ages.
    explorer.click_radio("filter-lesions", "1")
    explorer.expect(cli_report("--cohort", str(wide), "--lesions", "1", *DEFAULT_GROUP))
    assert "age=" not in explorer.query()
    explorer.assert_no_errors()
