"""Columns of an uploaded cohort that look identifying: names, birth dates, IDs, contact.

The explorer needs only a pseudonymous ``patient_id`` and clinical variables. A clinician
exporting from a hospital system may bring along the name, the date of birth or the
national ID; :func:`identifying_columns` finds such columns from their headers (English
and Spanish, with a few other European spellings) and, given the data, from values that
look like e-mail addresses, full calendar dates or national ID numbers with a valid check
character.

The result never contains a cell value: it is shown in the page and may be logged, so it
names the column and the rule only (and counts).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from i18n.language import Message, as_message

# Values examined per column: enough to see a pattern, cheap on any upload.
SAMPLE_SIZE = 500
# A pattern must fit this share of a column's non-empty values (IDs, dates), so that one
# odd value in a free-text column does not flag it; e-mail addresses count from the first.
PATTERN_SHARE = 0.5
# Full dates whose median is at least this many years back are taken for dates of birth
# (the cohort is adults with NMOSD; infusion and visit dates are recent).
BIRTH_YEARS_BACK = 16

NAME = "name"
BIRTH = "date of birth"
ID = "national or hospital ID"
CONTACT = "contact details"
DATE = "calendar date"
_LOOKS_LIKE = {
    NAME: "a person's name",
    BIRTH: "a date of birth",
    ID: "a national or hospital ID",
    CONTACT: "contact details",
}


@dataclass(frozen=True)
class IdentifyingColumn:
    """A column that looks identifying: its header, the kind of identifier, and why.

    ``reason`` is built from this module's own vocabulary and counts, never from cell
    values, so it is safe to show to the user and to log.
    """

    column: str
    kind: str
    reason: str


# Header words (after lower-casing, accent folding and splitting on non-letters).
_SURNAME_WORDS = frozenset(
    {"surname", "surnames", "lastname", "firstname", "forename", "givenname", "familyname"}
    | {"apellido", "apellidos", "vorname", "nachname", "prenom", "cognome", "fullname"}
)
_NAME_WORDS = frozenset({"name", "names", "nombre", "nombres", "nom", "nome"})
# Words that may stand beside "name" in a person's-name header ("patient_name",
# "nombre_y_apellidos"); any other word ("centre_name", "drug_name") makes it not a person.
_PERSON_WORDS = frozenset(
    {"patient", "paciente", "pt", "first", "last", "full", "given", "family", "middle"}
    | {"sur", "completo", "y", "and", "de", "del", "the", "of", "1", "2"}
)
_BIRTH_WORDS = frozenset(
    {"dob", "birth", "birthdate", "birthday", "nacimiento", "fnac", "fechanac", "fnacimiento"}
    | {"geburtsdatum", "naissance", "nascita", "dateofbirth"}
)
_PLACE_WORDS = frozenset({"country", "pais", "place", "lugar", "city", "ciudad", "provincia"})
_ID_WORDS = frozenset(
    {"nhc", "mrn", "dni", "nie", "nif", "ssn", "cip", "tis", "nuss", "nss", "sip", "passport"}
    | {"pasaporte", "curp", "insee", "nir", "ahv", "avs", "svnr", "kvnr", "bsn", "pesel", "cpf"}
    | {"nhsnumber", "chi", "ihi", "pasaport"}
)
# Multi-word identifiers: every word must be in the header.
_ID_PHRASES = (
    ("nhs", "number"),
    ("nhs", "no"),
    ("historia", "clinica"),
    ("medical", "record"),
    ("record", "number"),
    ("health", "card"),
    ("tarjeta", "sanitaria"),
    ("social", "security"),
    ("seguridad", "social"),
    ("national", "id"),
    ("id", "card"),
    ("hospital", "number"),
)
_CONTACT_WORDS = frozenset(
    {"address", "addr", "direccion", "domicilio", "calle", "street", "phone", "telephone"}
    | {"telefono", "tel", "movil", "mobile", "email", "mail", "correo", "postcode"}
    | {"postal", "zip", "zipcode", "codigopostal", "telf", "fax"}
)
_CONTACT_PHRASES = (("codigo", "postal"), ("e", "mail"), ("post", "code"))

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_DNI = re.compile(r"(\d{8})-?([A-Z])")
_NIE = re.compile(r"([XYZ])-?(\d{7})-?([A-Z])")
_NHS = re.compile(r"(\d{3}) ?(\d{3}) ?(\d{4})")
_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _words(header: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode()
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", folded)  # camelCase: firstName
    return [word for word in re.split(r"[^a-z0-9]+", spaced.lower()) if word]


def _header_match(header: str) -> tuple[str, str] | None:
    """(kind, reason) when the header itself names an identifier."""
    words = _words(header)
    found = set(words)
    joined = "".join(words)
    checks: list[tuple[str, set[str]]] = [
        (NAME, found & _SURNAME_WORDS),
        (NAME, found & _NAME_WORDS if found <= _NAME_WORDS | _PERSON_WORDS else set()),
        (BIRTH, (found | {joined}) & _BIRTH_WORDS if not found & _PLACE_WORDS else set()),
        (ID, (found | {joined}) & _ID_WORDS),
        (ID, {" ".join(p) for p in _ID_PHRASES if set(p) <= found}),
        (CONTACT, found & _CONTACT_WORDS),
        (CONTACT, {"".join(p) for p in _CONTACT_PHRASES if set(p) <= found}),
    ]
    for kind, matched in checks:
        if matched:
            return kind, Message(
                'header has "{word}": looks like {kind}',
                word=sorted(matched)[0],
                kind=as_message(_LOOKS_LIKE[kind]),
            )
    return None


def _dni_valid(text: str) -> bool:
    match = _DNI.fullmatch(text)
    return match is not None and _DNI_LETTERS[int(match.group(1)) % 23] == match.group(2)


def _nie_valid(text: str) -> bool:
    match = _NIE.fullmatch(text)
    if not match:
        return False
    number = int(str("XYZ".index(match.group(1))) + match.group(2))
    return _DNI_LETTERS[number % 23] == match.group(3)


def _nhs_valid(text: str) -> bool:
    """NHS number: 10 digits, the last a modulus-11 check digit (NHS Data Dictionary)."""
    match = _NHS.fullmatch(text)
    if not match:
        return False
    digits = [int(d) for d in "".join(match.groups())]
    check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    return (0 if check == 11 else check) == digits[9]


_ID_PATTERNS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("Spanish DNI numbers (with a valid check letter)", _dni_valid),
    ("Spanish NIE numbers (with a valid check letter)", _nie_valid),
    ("NHS numbers (with a valid check digit)", _nhs_valid),
    ("US social security numbers", lambda text: bool(_SSN.fullmatch(text))),
)


def _year_of(text: str) -> int | None:
    """The year of a full calendar date (day, month and year), else None."""
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        dmy = _DMY_DATE.fullmatch(text)
        if not dmy:
            return None
        day, month, year = (int(part) for part in dmy.groups())
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return year


def _date_match(texts: list[str], today: dt.date) -> tuple[str, str] | None:
    years = sorted(year for year in map(_year_of, texts) if year is not None)
    if not years or len(years) < PATTERN_SHARE * len(texts):
        return None
    median = years[len(years) // 2]
    count = Message("{n} of {total} values", n=len(years), total=len(texts))
    if 1900 <= median <= today.year - BIRTH_YEARS_BACK:
        reason = Message(
            "{count} are full dates, mostly {years}+ years ago: dates of birth?",
            count=count,
            years=BIRTH_YEARS_BACK,
        )
        return BIRTH, reason
    reason = Message(
        "{count} are full calendar dates, which can identify a patient; the explorer needs "
        "months from the first infusion instead",
        count=count,
    )
    return DATE, reason


def _value_match(texts: list[str], today: dt.date) -> tuple[str, str] | None:
    """(kind, reason) when a column's values look identifying; reasons hold only counts."""
    if not texts:
        return None
    emails = sum(1 for text in texts if _EMAIL.fullmatch(text))
    if emails:
        return CONTACT, Message(
            "{n} of {total} values are e-mail addresses", n=emails, total=len(texts)
        )
    for label, valid in _ID_PATTERNS:
        hits = sum(1 for text in texts if valid(text.upper()))
        if hits >= PATTERN_SHARE * len(texts):
            return ID, Message(
                "{n} of {total} values look like {kind}",
                n=hits,
                total=len(texts),
                kind=as_message(label),
            )
    return _date_match(texts, today)


def _sample_texts(values: pd.Series) -> list[str]:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return []
    texts = (str(v).strip() for v in values.dropna().head(SAMPLE_SIZE * 2))
    return [text for text in texts if text][:SAMPLE_SIZE]


def identifying_columns(
    columns: Sequence[str], sample: pd.DataFrame | None = None, *, today: dt.date | None = None
) -> list[IdentifyingColumn]:
    """Columns that look like names, dates of birth, national/hospital IDs or contact details.

    Parameters
    ----------
    columns : sequence of str
        Column headers, as uploaded or normalised (``"Fecha de nacimiento"`` and
        ``fecha_de_nacimiento`` are both recognised).
    sample : pandas.DataFrame, optional
        The data (raw or validated); its text columns are checked for e-mail addresses,
        full calendar dates and national ID numbers (Spanish DNI/NIE with a valid check
        letter, NHS numbers with a valid check digit, US SSNs). Only the first
        :data:`SAMPLE_SIZE` non-empty values of a column are read.
    today : datetime.date, optional
        Reference date for telling birth dates from recent dates (default: today).

    Returns
    -------
    list of IdentifyingColumn
        In column order, one per flagged column; a header match takes precedence over a
        value match. Reasons never contain cell values.

    Examples
    --------
    >>> [c.kind for c in identifying_columns(["patient_id", "Apellidos", "dob", "edss"])]
    ['name', 'date of birth']
    """
    today = today or dt.date.today()
    flagged: list[IdentifyingColumn] = []
    for column in columns:
        match = _header_match(str(column))
        if match is None and sample is not None and column in sample.columns:
            values = sample[column]
            if isinstance(values, pd.Series):  # a duplicated header gives a frame: skip
                match = _value_match(_sample_texts(values), today)
        if match is not None:
            flagged.append(IdentifyingColumn(str(column), *match))
    return flagged
