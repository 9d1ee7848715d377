"""Nothing lost: source files are never written, and an export re-imports to the same report.

Under the image's gunicorn on the loopback: the configured cohort is a read-only (0444) copy,
as a mounted data volume is; the uploads are files this test hashes before and after a
session of uploads, filter changes and both exports.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dash_requests import call, card_value, layout_props, request, upload_changes
from gunicorn_servers import GOOD, data_folder, digest, read_only_copy, start

from analytics.data.cohort import Filters
from analytics.data.io import load_cohort
from analytics.reports.report import build_report
from app.layout import ids

pytestmark = pytest.mark.slow

DEMO = Path(__file__).resolve().parents[2] / "analytics" / "data" / "demo"
# Every part of the report that the patients file determines. Left out: ``cohort`` (label
# and fingerprint name the file, which differs), ``filters`` (the export is already
# filtered) and ``relapse_rates`` (annualised relapse rates need the relapses file, which
# the filtered patients export does not carry).
SAME_AFTER_REIMPORT = (
    "n",
    "events",
    "person_years",
    "failure_rate",
    "incidence_per_100py",
    "km",
    "logrank",
    "univariable",
    "cox",
    "survival_at",
    "risk_table",
    "subgroup_rates",
    "firth",
    "ph_test",
    "median_followup",
    "lesion_timing",
    "table_one",
    "mancova",
    "group_by",
    "covariates",
)


@pytest.fixture(scope="module")
def configured_cohort(container_root) -> Path:
    return read_only_copy(GOOD / "patients.csv", data_folder(container_root))


@pytest.fixture(scope="module")
def server(container_root, configured_cohort):
    """One worker with two threads, serving the read-only configured cohort."""
    started = start(container_root, COHORT_PATH=str(configured_cohort), GUNICORN_WORKERS="1")
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def layout(server):
    return layout_props(server.port)


@pytest.fixture
def uploads(tmp_path) -> dict[str, Path]:
    """The files a user uploads: the demo cohort (with relapses) and the good test file."""
    files = {}
    for name, source in (
        ("demo", DEMO / "patients.csv"),
        ("demo_relapses", DEMO / "relapses.csv"),
        ("good", GOOD / "patients.csv"),
    ):
        files[name] = tmp_path / f"{name}.csv"
        shutil.copyfile(source, files[name])
    return files


def _upload(server, layout, patients: Path, relapses: Path | None = None) -> tuple[dict, dict]:
    """Upload; return the store and the controls' changes for that cohort's age range."""
    changes = upload_changes(patients)
    if relapses is not None:
        changes.update(
            {
                (ids.UPLOAD_RELAPSES, "contents"): upload_changes(relapses)[
                    (ids.UPLOAD_PATIENTS, "contents")
                ],
                (ids.UPLOAD_RELAPSES, "filename"): relapses.name,
            }
        )
    response, _ = call(server.port, "load_upload", layout, changes)
    store = response[ids.COHORT_STORE]["data"]
    response, _ = call(
        server.port, "adapt_controls", layout, {**changes, (ids.COHORT_STORE, "data"): store}
    )
    low, high = response[ids.AGE]["min"], response[ids.AGE]["max"]
    return store, {
        **changes,  # the page keeps the files: a worker that lacks the upload gets them
        (ids.COHORT_STORE, "data"): store,
        (ids.AGE, "min"): low,
        (ids.AGE, "max"): high,
        (ids.AGE, "value"): [low, high],
    }


def _export_csv(server, layout, changes: dict) -> dict:
    button = {(ids.DOWNLOAD_CSV_BUTTON, "n_clicks"): 1}
    response, _ = call(server.port, "download_csv", layout, {**changes, **button})
    return response[ids.DOWNLOAD_CSV]["data"]


def test_source_files_are_never_modified(server, layout, configured_cohort, uploads):
    files = [configured_cohort, *uploads.values()]
    before = {path: (digest(path), path.stat().st_mtime_ns) for path in files}
    assert configured_cohort.stat().st_mode & 0o777 == 0o444

    served, _ = call(server.port, "update_panels", layout, {(ids.SEX, "value"): "F"})
    _export_csv(server, layout, {(ids.SEX, "value"): "F"})
    sessions = ((uploads["demo"], uploads["demo_relapses"]), (uploads["good"], None))
    for patients, relapses in sessions:
        _, session = _upload(server, layout, patients, relapses)
        for filters in ({}, {(ids.SEX, "value"): "M"}, {(ids.GRACE, "value"): 12}):
            call(server.port, "update_panels", layout, {**session, **filters})
        _export_csv(server, layout, {**session, (ids.LESIONS, "value"): "1"})
        report_button = {(ids.DOWNLOAD_REPORT_BUTTON, "n_clicks"): 1}
        call(server.port, "download_report", layout, {**session, **report_button})

    assert {path: (digest(path), path.stat().st_mtime_ns) for path in files} == before
    health = request(server.port, "GET", "/healthz")
    assert json.loads(health.body) == {"status": "ok", "cohort_loaded": True, "cache": "local"}
    expected = build_report(load_cohort(configured_cohort), Filters(sex="F"))
    assert card_value(served, "card-n") == str(expected.n)
    assert "[ERROR]" not in server.logs()


@pytest.mark.parametrize(
    ("source", "controls", "filters", "group_by", "covariates"),
    [
        pytest.param(
            "configured",
            {ids.SEX: "F"},
            Filters(sex="F"),
            "asymptomatic_lesions",
            (),
            id="configured-good-cohort-women",
        ),
        pytest.param(
            "demo",
            {
                ids.GRACE: 3,
                ids.EDSS: [1, 6],
                ids.COVARIATES: ["asymptomatic_lesions", "age_at_rtx"],
            },
            Filters(grace_months=3, edss_min=1, edss_max=6),
            "asymptomatic_lesions",
            ("asymptomatic_lesions", "age_at_rtx"),
            id="uploaded-demo-with-relapses-grace-3-edss-1-6",
        ),
        pytest.param(
            "demo",
            {ids.SEX: "F", ids.GROUP_BY: "fcgr3a_v158f"},
            Filters(sex="F"),
            "fcgr3a_v158f",
            (),
            id="uploaded-demo-women-by-genotype",
        ),
    ],
)
def test_export_then_reimport_gives_the_same_report(
    server, layout, configured_cohort, uploads, source, controls, filters, group_by, covariates
):
    if source == "configured":
        original = load_cohort(configured_cohort)
        session: dict = {}
    else:
        original = load_cohort(uploads["demo"], uploads["demo_relapses"])
        _, session = _upload(server, layout, uploads["demo"], uploads["demo_relapses"])
    changes = {**session, **{(cid, "value"): value for cid, value in controls.items()}}
    sent = _export_csv(server, layout, changes)
    assert sent["filename"].endswith("-filtered.csv")
    exported = sent["content"].encode("utf-8")

    reimported = load_cohort(exported, patients_name=sent["filename"])
    options = {"group_by": group_by, "covariates": covariates}
    before = build_report(original, filters, **options).to_dict()
    # The export holds the outcome as derived for the grace period chosen when exporting.
    after = build_report(reimported, Filters(), **options).to_dict()
    assert before["n"] > 0
    assert {key: after[key] for key in SAME_AFTER_REIMPORT} == {
        key: before[key] for key in SAME_AFTER_REIMPORT
    }
    # Nothing a clinician reads differs either: the warnings are those of the same data.
    assert after["warnings"] == before["warnings"]
