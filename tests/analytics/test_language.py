"""The interface language: number formats, the scoped language, message translation (the
catalog itself: tests/i18n/test_catalog.py)."""

from __future__ import annotations

import threading

import pytest

from analytics.data.cohort import Filters
from analytics.data.demo import load_demo
from analytics.reports.relapse_report import build_relapse_report
from analytics.reports.report import build_report
from i18n.language import (
    Message,
    current_language,
    fixed,
    integer,
    localize_decimals,
    number,
    parse_language,
    percent,
    short,
    t,
    translate_message,
    using_language,
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ("3.49", "22.2%", "1,234", "0.5", "n/a")),
        ("es", ("3,49", "22,2\u00a0%", "1.234", "0,5", "n/d")),
        # Spanish words, Mexican numbers (CLDR es_MX: decimal point, no space before %).
        ("es-MX", ("3.49", "22.2%", "1,234", "0.5", "n/d")),
    ],
)
def test_numbers_in_each_language(language, expected):
    with using_language(language):
        assert (number(3.4867, 2), percent(0.2222), integer(1234), short(0.5), number(None)) == (
            expected
        )


def test_the_language_is_scoped_to_the_block_and_to_the_thread():
    seen = []
    with using_language("es"):
        assert current_language() == "es"
        # Another thread (a gunicorn thread serving another page) keeps its own language.
        worker = threading.Thread(target=lambda: seen.append(current_language()))
        worker.start()
        worker.join()
    assert current_language() == "en"
    assert seen == ["en"]


def test_the_language_is_restored_after_an_error():
    with pytest.raises(RuntimeError), using_language("es"):
        raise RuntimeError
    assert current_language() == "en"


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("es", "es"),
        ("ES-es", "es"),
        ("ES-mx", "es-MX"),
        ("es_MX", "es-MX"),
        ("es-AR", "es"),
        ("fr", "en"),
        (None, "en"),
    ],
)
def test_parse_language(code, language):
    assert parse_language(code) == language


def test_english_text_is_unchanged_in_english():
    assert t("Filters") == "Filters"
    note = Message(
        "Only {n} patients match these filters (fewer than {minimum}): estimates are "
        "very imprecise.",
        n=7,
        minimum=10,
    )
    assert translate_message(note) == (
        "Only 7 patients match these filters (fewer than 10): estimates are very imprecise."
    )


def test_a_message_with_values_is_translated_with_the_locale_decimal_mark():
    message = Message(
        "Proportional hazards may not hold for {term} (cox.zph score test p = {p}): its hazard "
        "ratio is an average over follow-up.",
        term="sex",
        p=fixed(0.012, 3),
    )
    with using_language("es"):
        spanish = translate_message(message)
    with using_language("es-MX"):
        mexican = translate_message(message)
    assert spanish.startswith("Puede que no se cumplan los riesgos proporcionales para sex")
    assert "p = 0,012" in spanish
    assert "p = 0.012" in mexican


def test_a_plain_catalog_id_is_translated():
    with using_language("es"):
        assert translate_message("No patients match these filters.") == (
            "Ningún paciente cumple estos filtros."
        )


def test_an_unknown_message_stays_english():
    with using_language("es"):
        assert translate_message("A message nobody wrote a translation for.") == (
            "A message nobody wrote a translation for."
        )


VIEWS = [
    {"group_by": "asymptomatic_lesions"},
    {"group_by": "sex", "covariates": ("edss_baseline", "age_at_rtx")},
    {"group_by": "gd_persistent", "covariates": ("asymptomatic_lesions",)},
    {"group_by": "fcgr3a_v158f"},
    {"group_by": None, "filters": Filters(sex="M", edss_min=4.0)},
    {"group_by": "asymptomatic_lesions", "filters": Filters(age_min=60.0)},
    {"group_by": "sex", "filters": Filters(lesions=0)},
]


@pytest.mark.parametrize("view", VIEWS)
def test_every_warning_of_the_demo_views_is_translated(view):
    report = build_report(
        load_demo(),
        view.get("filters", Filters()),
        group_by=view["group_by"],
        covariates=view.get("covariates", ()),
    )
    messages = list(report.warnings)
    for model in [*report.univariable_models.values(), report.cox, report.firth]:
        if model is not None:
            messages += list(model.warnings)
    with using_language("es"):
        untranslated = [m for m in messages if translate_message(m) == m]
    assert untranslated == []


@pytest.mark.parametrize(
    ("group_by", "filters"),
    [
        (None, Filters()),
        ("asymptomatic_lesions", Filters()),
        ("sex", Filters(edss_min=5.0)),
        ("fcgr3a_v158f", Filters(lesions=0)),
    ],
)
def test_every_note_of_the_relapse_analyses_is_translated(group_by, filters):
    report = build_relapse_report(load_demo(), filters, group_by)
    messages = [*report.notes, *(note for entry in report.groups for note in entry.notes)]
    with using_language("es"):
        untranslated = [m for m in messages if translate_message(m) == m]
    assert untranslated == []


def test_decimals_in_a_text_of_numbers():
    with using_language("es"):
        assert (
            localize_decimals("45.0 (34.2–54.5), p = 0.018, v1.2")
            == "45,0 (34,2–54,5), p = 0,018, v1,2"
        )
    assert localize_decimals("45.0 (34.2–54.5)") == "45.0 (34.2–54.5)"
