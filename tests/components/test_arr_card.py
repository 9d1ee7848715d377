"""The summary card's annualized relapse rates are the Relapses tab's and the CLI's numbers:
the card printed "0.80 → 0.07" while the tab and ``--format text`` printed the same pooled
rate on rituximab (23 relapses / 346.7 patient-years) as "0.066"."""

from __future__ import annotations

import re

from analytics.__main__ import main
from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from components.panels import cards
from i18n.language import using_language
from tests.dash_text import component_texts

NUMBER = re.compile(r"\d+[.,]\d+")


def _card_value(report) -> str:
    texts = component_texts(cards.summary_cards(report, total=report.n))
    (title,) = [i for i, text in enumerate(texts) if text == "Annualized relapse rate"] or [
        i for i, text in enumerate(texts) if text == "Tasa anualizada de brotes"
    ]
    return texts[title + 1]


def test_the_arr_card_rounds_as_the_relapses_tab_and_the_cli(demo, capsys):
    assert main(["report", "--cohort", "demo", "--format", "text"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("  All patients: n 54")
    cli = [NUMBER.findall(lines[at + k].split(":", 1)[1])[0] for k in (1, 2)]

    report = build_report(demo, Filters(), group_by="asymptomatic_lesions")
    assert NUMBER.findall(_card_value(report)) == cli
    with using_language("es"):
        spanish = _card_value(report)
    assert NUMBER.findall(spanish) == [number.replace(".", ",") for number in cli]
