"""The Spanish catalog against the code (Babel's extraction), CLDR's number formats and
plural rules as the pages show them."""

from __future__ import annotations

import ast
import json
import pickle
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from i18n.catalog import read_catalog
from i18n.locale_context import using_language
from i18n.message import Message, PluralMessage, fixed
from i18n.numbers import fixed as fixed_text
from i18n.numbers import percent

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("analytics", "app", "components")
# Babel's keyword specs: the positions of msgid (and msgid_plural) in each call.
KEYWORDS = {
    "t": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "Message": None,
    "PluralMessage": (1, 2),
}


def _extracted() -> dict[str | tuple[str, str], str]:
    """msgid (or (singular, plural)) -> where the code writes it."""
    found: dict[str | tuple[str, str], str] = {}
    for folder in SOURCES:
        for filename, lineno, message, _, _ in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.setdefault(message, f"{folder}/{filename}:{lineno}")
    for message, where in _in_f_strings().items():
        found.setdefault(message, where)
    return found


def _in_f_strings() -> dict[str, str]:
    """``t("...")`` inside an f-string: Python 3.11 tokenizes an f-string as one token, so
    Babel's extractor does not see the calls in it (the report's HTML is written that way)."""
    found: dict[str, str] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for f_string in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
                for node in ast.walk(f_string):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Name)
                        and node.func.id in ("t", "N_")
                        and node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)
                    ):
                        where = f"{path.relative_to(ROOT)}:{node.lineno}"
                        found.setdefault(node.args[0].value, where)
    return found


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", text))


@pytest.fixture(scope="module")
def spanish():
    return read_catalog("es")


def test_extraction_sees_the_code(spanish):
    # A broken keyword list would extract nothing, and every check below would pass.
    extracted = _extracted()
    assert "Filters" in extracted
    assert any(isinstance(m, tuple) for m in extracted)
    assert "Summary" in extracted  # t("Summary") inside the HTML report's f-string


def test_every_extracted_message_has_spanish(spanish):
    entries = {m.id: m for m in spanish if m.id}
    missing = {}
    for message, where in _extracted().items():
        entry = entries.get(message)
        if entry is None or not all(entry.string if entry.pluralizable else [entry.string]):
            missing[message] = where
    assert missing == {}


def test_every_template_in_the_catalog_is_written_by_the_code(spanish):
    # A message whose English wording changed leaves its old template behind. (Plain ids are
    # not all marked yet: analytics passes many as constants, so only templates are checked.)
    extracted = set(_extracted())
    stale = [
        entry.id
        for entry in spanish
        if entry.id
        and (entry.pluralizable or _placeholders(entry.id))
        and (tuple(entry.id) if entry.pluralizable else entry.id) not in extracted
    ]
    assert stale == []


def test_the_catalog_has_no_fuzzy_or_empty_entries(spanish):
    bad = []
    for entry in spanish:
        if not entry.id:
            continue
        forms = entry.string if entry.pluralizable else (entry.string,)
        if entry.fuzzy or not all(forms):
            bad.append(entry.id)
    assert bad == []


def test_translations_keep_the_placeholders(spanish):
    wrong = []
    for entry in spanish:
        if not entry.id:
            continue
        if entry.pluralizable:
            expected = _placeholders(entry.id[1])
            forms = entry.string
        else:
            expected = _placeholders(entry.id)
            forms = (entry.string,)
        if any(_placeholders(form) != expected for form in forms):
            wrong.append(entry.id)
    assert wrong == []


@pytest.mark.parametrize(
    ("language", "thousands", "share"),
    [("en", "1,234.5", "25.9%"), ("es", "1.234,5", "25,9\u00a0%"), ("es-MX", "1,234.5", "25.9%")],
)
def test_numbers_follow_cldr_for_the_locale(language, thousands, share):
    with using_language(language):
        assert (fixed_text(1234.5, 1, grouping=True), percent(0.259, 1)) == (thousands, share)


LEFT_OUT = (
    "{n} patient with no {column} is left out of the grouped curves.",
    "{n} patients with no {column} are left out of the grouped curves.",
)


@pytest.mark.parametrize(
    ("language", "n", "text"),
    [
        ("en", 1, "1 patient with no sex is left out of the grouped curves."),
        ("en", 2, "2 patients with no sex are left out of the grouped curves."),
        ("es", 1, "1 paciente sin sex queda fuera de las curvas por grupo."),
        ("es", 2, "2 pacientes sin sex quedan fuera de las curvas por grupo."),
        ("es-MX", 2, "2 pacientes sin sex quedan fuera de las curvas por grupo."),
    ],
)
def test_plurals_follow_the_count(language, n, text):
    message = PluralMessage(*LEFT_OUT, n=n, column="sex")
    assert message.render(language) == text


def test_a_message_is_its_english_text_in_json_and_pickles():
    message = PluralMessage(*LEFT_OUT, n=3, column="sex")
    english = "3 patients with no sex are left out of the grouped curves."
    assert json.dumps({"note": message}) == json.dumps({"note": english})
    copy = pickle.loads(pickle.dumps(message))
    assert copy == english
    assert copy.render("es") == "3 pacientes sin sex quedan fuera de las curvas por grupo."


def test_numbers_and_nested_messages_are_rendered_in_the_language():
    reason = Message("it needs at least two dependent variables")
    message = Message("MANCOVA not computed: {reason}", reason=reason)
    assert message == "MANCOVA not computed: it needs at least two dependent variables"
    assert message.render("es") == (
        "MANCOVA no calculado: necesita al menos dos variables dependientes"
    )
    hazards = Message(
        "Proportional hazards may not hold for {term} (cox.zph score test p = {p}): its hazard "
        "ratio is an average over follow-up.",
        term="sex",
        p=fixed(0.0123, 3),
    )
    assert "p = 0.012)" in hazards
    assert "para sex (prueba de score de cox.zph p = 0,012)" in hazards.render("es")
    assert "p = 0.012)" in hazards.render("es-MX")


def test_a_float_value_is_refused():
    # How many decimals to show is the writer's choice, made with fixed() or general().
    with pytest.raises(TypeError):
        Message("p = {p}", p=0.0123)


def test_a_numpy_count_chooses_the_plural_form():
    import numpy as np

    message = PluralMessage(*LEFT_OUT, n=np.int64(1), column="sex")
    assert message.render("es") == "1 paciente sin sex queda fuera de las curvas por grupo."


def test_an_empty_message_is_empty_in_every_language():
    # gettext("") returns the catalog's header, which must never reach a page.
    assert Message("").render("es") == ""
