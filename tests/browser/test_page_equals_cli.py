"""Page = HTML report = CLI for the same view, read from real Chromium (issue 12's "Done when").

For views opened by URL, the page's Kaplan–Meier medians with their limits, its hazard-ratio
rows (term with reference level or unit, HR with CI, p), its log-rank line and its methods
paragraph are read from the DOM, and compared with ``python -m analytics report`` run as a
subprocess for the same options: the numbers of ``--format text`` must be the page's, digit
for digit (the same rounding), and each printed number must be the ``--format json`` value
rounded to the digits shown. The HTML report downloaded from the same page must hold the same
strings. The CLI writes hyphens and decimal points; the page en dashes and, in Spanish, decimal
commas: numbers are compared, not punctuation.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analytics.data.labels import column_label
from i18n.language import using_language

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
REPORT_FILE = "nmosd-cohort-report.html"
COVARIATES = "age_at_rtx,asymptomatic_lesions"


@dataclass(frozen=True)
class View:
    query: str
    cli: tuple[str, ...]
    language: str = "en"
    level: int = 95


VIEWS = {
    "two-levels": View(
        f"?group=gd_persistent&cov={COVARIATES}",
        ("--group-by", "gd_persistent", "--covariates", COVARIATES),
    ),
    "two-levels-90": View(
        f"?group=gd_persistent&cov={COVARIATES}&conf=90",
        ("--group-by", "gd_persistent", "--covariates", COVARIATES, "--conf-level", "90"),
        level=90,
    ),
    "three-levels-99": View(
        f"?group=fcgr3a_v158f&cov={COVARIATES}&conf=99",
        ("--group-by", "fcgr3a_v158f", "--covariates", COVARIATES, "--conf-level", "99"),
        level=99,
    ),
    "spanish-90": View(
        f"?group=gd_persistent&cov={COVARIATES}&conf=90&lang=es",
        ("--group-by", "gd_persistent", "--covariates", COVARIATES, "--conf-level", "90"),
        language="es",
        level=90,
    ),
}

# A printed number: "< 0.001" (p) and "> 1000" (HR under separation) keep their sign; "NR"
# (English) and "NA" (Spanish, "no alcanzada") are a median or limit the curve never reaches.
NUMBER = re.compile(r"[<>]\s?\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|\bN[RA]\b")
# "95% CI", "IC 95 %" (non-breaking space), "95 %": labels, not numbers.
CI_LABEL = re.compile(r"\d+\s?%\s?CI|IC\s\d+\s?%")
LOGRANK = re.compile(r"Log-rank χ² = .*?\.(?=\s|$)")

# What the page shows, read in one go (callbacks re-render the tables, so no element handles).
_READ_JS = """
const rows = sel => Array.from(document.querySelectorAll(sel),
    tr => Array.from(tr.cells, cell => cell.textContent.trim()));
const text = sel => { const el = document.querySelector(sel); return el ? el.textContent : ''; };
return {
    km_header: rows('#km-summary thead tr')[0] || [],
    km: rows('#km-summary tbody tr'),
    km_caption: text('#km-summary caption'),
    hr_header: rows('#hazard-notes thead tr')[0] || [],
    hr: rows('#hazard-notes tbody tr'),
    methods: text('#methods-paragraph'),
    arr_card: text('#card-arr-value'),
};
"""


def numbers(text: str, language: str = "en") -> list[str]:
    """The numbers in ``text`` in the CLI's notation (decimal point, "NR", no spaces)."""
    found = []
    for token in NUMBER.findall(CI_LABEL.sub(" ", text)):
        token = re.sub(r"\s", "", token)
        if language == "es":
            token = token.replace(",", ".")
        found.append("NR" if token == "NA" else token)
    return found


def shows(printed: str, value: float | None) -> bool:
    """Whether ``printed`` is ``value`` rounded to the digits shown ("NR" for None)."""
    if printed == "NR" or value is None:
        return printed == "NR" and value is None
    if printed[0] in "<>":
        bound = float(printed[1:])
        return value < bound if printed[0] == "<" else value > bound
    decimals = len(printed.partition(".")[2])
    return abs(float(printed) - value) <= 0.5 * 10**-decimals + 1e-12


def start_cli(view: View) -> dict[str, subprocess.Popen]:
    """``python -m analytics report`` for the view, JSON and text, as two subprocesses (they
    run while the browser loads the page)."""
    base = [sys.executable, "-m", "analytics", "report", "--cohort", "demo", *view.cli]
    return {
        fmt: subprocess.Popen(
            [*base, "--format", fmt], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for fmt in ("json", "text")
    }


def cli_output(runs: dict[str, subprocess.Popen]) -> tuple[dict, list[str]]:
    """The JSON report and the text lines, once both runs have exited 0."""
    out = {}
    for fmt, run in runs.items():
        stdout, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, f"CLI --format {fmt} exited {run.returncode}: {stderr!r}"
        out[fmt] = stdout.decode("utf-8")
    return json.loads(out["json"]), out["text"].splitlines()


_KM_LINE = re.compile(
    r"^  (?P<label>\S.*): n (?P<n>\d+), failures (?P<events>\d+), median (?P<m>.+)$"
)
_TERM_LINE = re.compile(r"^  (?P<term>\S.*): HR (?P<hr>.+), (?P<p>p [=<] \S+)$")
_COX_SECTIONS = {"Univariable": "univariable", "Multivariable": "cox", "Firth-penalized": "firth"}


def cli_text_parts(lines: list[str]) -> dict:
    """The CLI text's KM lines, log-rank line and Cox terms per model (in printed order)."""
    cox: dict[str, list[re.Match]] = {}
    current = None
    for line in lines:
        first = line.split(" ", 1)[0]
        if first in _COX_SECTIONS and line.startswith(f"{first} Cox ("):
            current = cox.setdefault(_COX_SECTIONS[first], [])
        elif not line.strip():
            current = None
        elif current is not None and (term := _TERM_LINE.match(line)):
            current.append(term)
    (logrank,) = [line for line in lines if line.startswith("  Log-rank:")]
    return {
        "km": [m for line in lines if (m := _KM_LINE.match(line))],
        "logrank": logrank,
        "terms": cox.get("univariable", []) + cox.get("cox", []) + cox.get("firth", []),
    }


def json_terms(report: dict) -> list[dict]:
    """Every Cox term of the JSON report, in the page's order: univariable, multivariable, Firth."""
    return [
        *report["univariable"],
        *(report["cox"] or {}).get("terms", []),
        *(report["firth"] or {}).get("terms", []),
    ]


class _Tables(HTMLParser):
    """The HTML report's tables (cell texts) and paragraphs (with tables' captions, where the
    Kaplan–Meier table says its method and log-rank test, as on the page), in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.paragraphs: list[str] = []
        self._cell: list[str] | None = None
        self._paragraph: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("p", "caption"):
            self._paragraph = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag in ("p", "caption") and self._paragraph is not None:
            self.paragraphs.append("".join(self._paragraph).strip())
            self._paragraph = None

    def handle_data(self, data):
        for part in (self._cell, self._paragraph):
            if part is not None:
                part.append(data)


def read_page(explorer, report: dict, terms: int, view: View) -> dict:
    """The page's tables once they show this view (rows and the CI level), all callbacks done."""
    spanish = rf"IC\s{view.level}\s?%"  # a non-breaking space before "%"
    label = re.compile(spanish if view.language == "es" else rf"\b{view.level}% CI")
    groups = len(report["km"]["groups"])

    def ready():
        page = explorer.driver.execute_script(_READ_JS)
        complete = (
            len(page["km"]) == groups
            and len(page["hr"]) == terms
            and any(label.search(cell) for cell in page["km_header"])
            and any(label.search(cell) for cell in page["hr_header"])
            and page["methods"].strip()
        )
        return page if complete else None

    explorer.wait_until(ready, f"the KM and HR tables of {view.query}", 30)
    explorer.wait_settled()
    return explorer.wait_until(ready, "the tables after the callbacks settled")


def download_report(explorer) -> str:
    """The HTML report of the current view, downloaded from the Data tab's button."""
    target = explorer.downloads / REPORT_FILE
    target.unlink(missing_ok=True)
    explorer.click("tab-data")
    explorer.click("download-report-button")
    # Chrome writes to a .crdownload and renames it when complete: the name means finished.
    explorer.wait_until(target.exists, f"the download of {REPORT_FILE}", 30)
    return target.read_text("utf-8")


@pytest.mark.parametrize("name", list(VIEWS))
def test_page_report_and_cli_show_the_same_numbers(explorer, name):
    view = VIEWS[name]
    runs = start_cli(view)
    explorer.open(view.query)
    # The hazard ratios and the methods are computed when shown: open both.
    explorer.click("methods-toggle")
    explorer.click("tab-hr")
    report, text = cli_output(runs)
    cli = cli_text_parts(text)
    page = read_page(explorer, report, len(json_terms(report)), view)
    lang = view.language
    compared = 0

    # Kaplan–Meier table: n, failures and the median with its limits, group by group.
    groups = list(report["km"]["groups"].values())
    for row, group, line in zip(page["km"], groups, cli["km"], strict=True):
        assert [row[1], row[2]] == [str(group["n"]), str(group["events"])], row
        assert [line["n"], line["events"]] == [row[1], row[2]], (line.group(0), row)
        median = numbers(row[3], lang)
        assert median == numbers(line["m"]), (row[3], line.group(0))
        limits = [group["median"], group["median_ci_low"], group["median_ci_high"]]
        assert len(median) == 3, row[3]
        assert all(map(shows, median, limits)), (row[3], limits)
        compared += 1

    # Log-rank: the table's caption, the CLI's line and the JSON test.
    logrank = numbers(LOGRANK.search(page["km_caption"]).group(0), lang)
    assert logrank == numbers(cli["logrank"]), (page["km_caption"], cli["logrank"])
    lr = report["logrank"]
    chisq, df, p = logrank
    assert df == str(lr["df"]), (logrank, lr)
    assert shows(chisq, lr["chisq"]), (logrank, lr)
    assert shows(p, lr["p"]), (logrank, lr)
    compared += 1

    # Hazard ratios: every model's rows, with the reference level or unit in the term label.
    for row, term, line in zip(page["hr"], json_terms(report), cli["terms"], strict=True):
        if lang == "en":
            assert row[1] == line["term"], (row, line.group(0))
        # The page names the JSON's column code by its label (in the page's language) and says
        # the unit of a numeric term.
        with using_language(lang):
            column = term["term"].partition("=")[0]  # "fcgr3a_v158f=VF": a level's column
            assert column_label(column) in row[1], (row, term)
        assert lang == "es" or not term["unit"] or term["unit"] in row[1], (row, term)
        shown = numbers(f"{row[2]} {row[3]}", lang)
        assert shown == numbers(f"{line['hr']} {line['p']}"), (row, line.group(0))
        expected = [term["hr"], term["ci_low"], term["ci_high"], term["p"]]
        assert len(shown) == 4, row
        assert all(map(shows, shown, expected)), (row, expected)
        compared += 1
    for row in page["hr"]:
        if row[0] == "Multivariable":  # the same word in Spanish
            assert [row[4], row[5]] == [str(report["cox"]["n"]), str(report["cox"]["events"])]

    # The relapse-rate card: the pooled ARRs before and on rituximab as the CLI rounds them
    # (the card printed 0.07 for the CLI's and the Relapses tab's 0.066).
    at = next(i for i, line in enumerate(text) if line.startswith("  All patients: n "))
    rates = [numbers(text[at + k].split(":", 1)[1])[0] for k in (1, 2)]
    assert numbers(page["arr_card"], lang) == rates, (page["arr_card"], rates)

    # Methods paragraph: this view's patients, failures, level, grouping and covariates.
    methods = page["methods"]
    assert numbers(methods, lang)[:2] == [str(report["n"]), str(report["events"])], methods
    level = re.compile(r"\b(\d+)\s?%")
    assert set(level.findall(methods)) == {str(view.level)}, methods
    # ... named by their labels in the page's language.
    with using_language(lang):
        assert column_label(report["group_by"]) in methods, methods
        assert all(column_label(c) in methods for c in report["covariates"]), methods

    # The HTML report of the same view holds the same strings.
    document = _Tables()
    document.feed(download_report(explorer))
    rows = [row for table in document.tables for row in table]
    # Whole rows: the report has the page's failure-free columns and each model's n and failures.
    for row in page["km"]:
        assert row in rows, (row, "not in the HTML report's Kaplan–Meier table")
    for row in page["hr"]:
        assert row in rows, (row, "not in the HTML report's hazard table")
    assert page["km_caption"] in document.paragraphs, "the report's Kaplan–Meier caption"
    assert methods.strip() in document.paragraphs
    assert compared >= 1 + len(groups) + len(json_terms(report))
    explorer.assert_no_errors()
