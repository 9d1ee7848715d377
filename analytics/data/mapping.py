"""Reading a clinic's own spreadsheet: Spanish headers and values, and months from dates.

A clinic's file rarely uses the contract's names: "Sexo" with "Mujer"/"Hombre", "Fracaso"
with "Sí"/"No", and dates (first infusion, failure, last visit) instead of months. This
module *proposes* how such a file maps onto the contract (:func:`propose`); the user confirms
it (the page's mapping step, or the CLI's ``--map``, ``--sex-m`` and ``--derive-dates``), and
the confirmed :class:`MappingChoice` rewrites the raw string frame (:func:`apply_choice`)
before the ordinary validation runs. Nothing is guessed silently: a mapping is a user
decision, and it is part of what is validated and keyed (the same file with another mapping
is another cohort).

Dates become months as ``(date - first infusion date) in days / (365.25 / 12)``. Dates are
read as ISO ``2019-07-02`` (what a workbook's date cells give) or day first, as written in
Spain and most of Europe: ``02/07/2019``, ``2-7-2019``, ``02.07.2019``; a two-digit year is
refused (1919 or 2019?). The date columns used are dropped from the cohort once turned into
months: a date is more identifying than a time since treatment.

"M" is ambiguous in a Spanish file (Mujer = woman, Masculino = male): when a file reads as
Spanish and its sex column holds "M", the choice must say what M means, or the file is
refused with a message that asks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analytics.data import rules
from analytics.data.schema import Problem, normalise_column_name, spreadsheet_rows
from i18n.language import Message

DAYS_PER_MONTH = 365.25 / 12

# Header spellings (accents dropped, lower case, words joined by "_") -> contract column.
SPANISH_HEADERS: dict[str, str] = {
    **dict.fromkeys(
        ("id", "id_paciente", "paciente", "paciente_id", "codigo", "codigo_paciente"),
        "patient_id",
    ),
    **dict.fromkeys(
        (
            "seguimiento",
            "seguimiento_meses",
            "meses_seguimiento",
            "meses_de_seguimiento",
            "tiempo_seguimiento",
            "tiempo_de_seguimiento",
        ),
        "followup_months",
    ),
    **dict.fromkeys(
        ("fracaso", "fallo", "fracaso_terapeutico", "fracaso_tratamiento", "fallo_tratamiento"),
        "failure",
    ),
    **dict.fromkeys(
        (
            "meses_fracaso",
            "meses_hasta_fracaso",
            "meses_al_fracaso",
            "fracaso_meses",
            "tiempo_fracaso",
            "tiempo_hasta_fracaso",
        ),
        "failure_months",
    ),
    **dict.fromkeys(("sexo", "genero"), "sex"),
    **dict.fromkeys(
        ("edad", "edad_rtx", "edad_inicio_rtx", "edad_al_rtx", "edad_primera_infusion"),
        "age_at_rtx",
    ),
    **dict.fromkeys(("edss", "edss_basal", "edss_inicial"), "edss_baseline"),
    **dict.fromkeys(
        ("lesiones_asintomaticas", "lesion_asintomatica", "nuevas_lesiones_asintomaticas"),
        "asymptomatic_lesions",
    ),
    **dict.fromkeys(
        ("meses_lesion_asintomatica", "meses_lesiones_asintomaticas", "meses_hasta_lesion"),
        "asymptomatic_lesion_months",
    ),
    **dict.fromkeys(
        ("gd_persistente", "realce_gd_persistente", "captacion_gd_persistente"), "gd_persistent"
    ),
    **dict.fromkeys(("fcgr3a", "genotipo_fcgr3a"), "fcgr3a_v158f"),
}

# Date columns, in either language: header spelling -> the event the date is of.
FIRST_INFUSION, LAST_VISIT, FAILURE, LESION = "first_infusion", "last_visit", "failure", "lesion"
DATE_HEADERS: dict[str, str] = {
    **dict.fromkeys(
        (
            "fecha_primera_infusion",
            "fecha_infusion",
            "fecha_primera_dosis",
            "fecha_inicio_rtx",
            "fecha_rtx",
            "fecha_inicio_rituximab",
            "first_infusion_date",
            "date_first_infusion",
            "first_infusion",
            "rtx_start_date",
        ),
        FIRST_INFUSION,
    ),
    **dict.fromkeys(
        (
            "fecha_ultima_visita",
            "fecha_ultimo_seguimiento",
            "fecha_ultima_consulta",
            "fecha_fin_seguimiento",
            "last_visit_date",
            "last_follow_up_date",
            "last_followup_date",
            "date_last_visit",
            "last_visit",
        ),
        LAST_VISIT,
    ),
    **dict.fromkeys(
        (
            "fecha_fracaso",
            "fecha_fallo",
            "fecha_recaida",
            "fecha_brote",
            "failure_date",
            "relapse_date",
            "date_of_failure",
        ),
        FAILURE,
    ),
    **dict.fromkeys(
        ("fecha_lesion_asintomatica", "fecha_lesion", "asymptomatic_lesion_date", "lesion_date"),
        LESION,
    ),
}
# The months column each event's date gives (from the first infusion), and the reverse:
# a months column holding dates is read as the date of its event.
TARGETS = {
    LAST_VISIT: "followup_months",
    FAILURE: "failure_months",
    LESION: "asymptomatic_lesion_months",
}
EVENT_OF_TARGET = {target: event for event, target in TARGETS.items()}

_SPANISH_FLAGS = {"si": "1", "sí": "1", "no": "0"}
_SPANISH_SEXES = {
    "femenino": "F",
    "mujer": "F",
    "fem": "F",
    "masculino": "M",
    "hombre": "M",
    "varon": "M",
    "varón": "M",
    "masc": "M",
}
_FLAG_COLUMNS = ("failure", "asymptomatic_lesions", "gd_persistent")

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")


def header_key(name: str) -> str:
    """A header as looked up here: no accents, lower case, words joined by "_".

    >>> header_key("Fecha última visita")
    'fecha_ultima_visita'
    """
    plain = unicodedata.normalize("NFKD", str(name))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "_", plain.lower()).strip("_")


def parse_date(text: str) -> dt.date | None:
    """A cell as a calendar date (ISO, or day first with a four-digit year), else None."""
    text = text.strip()
    match = _ISO.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DAY_FIRST.fullmatch(text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def months_between(start: dt.date, end: dt.date) -> float:
    """Months from ``start`` to ``end``: days / (365.25 / 12)."""
    return (end - start).days / DAYS_PER_MONTH


@dataclass(frozen=True)
class MappingChoice:
    """What the user confirmed for one patients file.

    ``headers`` renames columns (as written -> contract name); ``spanish_values`` reads
    Sí/No and Femenino/Masculino/Mujer/Hombre; ``m_means`` says what a bare "M" in the sex
    column is ("F" or "M"; None: the contract's male); ``derive_dates`` turns the date
    columns into months from the first infusion (``dates``: header -> event).
    """

    headers: tuple[tuple[str, str], ...] = ()
    spanish_values: bool = False
    m_means: str | None = None
    derive_dates: bool = False
    dates: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> str:
        """Canonical text of the choice (part of the upload's digest and the CLI's echo)."""
        return json.dumps(
            {
                "headers": [list(pair) for pair in self.headers],
                "spanish_values": self.spanish_values,
                "m_means": self.m_means,
                "derive_dates": self.derive_dates,
                "dates": [list(pair) for pair in self.dates],
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> MappingChoice:
        """The inverse of :meth:`to_json`; ValueError on anything else."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a mapping choice")
        m_means = data.get("m_means")
        if m_means not in (None, "F", "M"):
            raise ValueError("m_means must be F, M or null")

        def pairs(key: str) -> tuple[tuple[str, str], ...]:
            value = data.get(key, [])
            if not isinstance(value, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
                for p in value
            ):
                raise ValueError(f"{key} must be a list of pairs")
            return tuple((a, b) for a, b in value)

        return cls(
            headers=pairs("headers"),
            spanish_values=bool(data.get("spanish_values", False)),
            m_means=m_means,
            derive_dates=bool(data.get("derive_dates", False)),
            dates=pairs("dates"),
        )


@dataclass(frozen=True)
class Derivation:
    """One months column derived from dates: from which columns, for how many patients."""

    target: str
    start: str  # header of the first-infusion date
    end: str  # header of the event's date
    derived: int  # patients with both dates


@dataclass(frozen=True)
class Proposal:
    """How a file would map onto the contract, for the user to confirm."""

    headers: tuple[tuple[str, str], ...]
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> words found
    spanish: bool = False
    m_ambiguous: bool = False
    dates: tuple[tuple[str, str], ...] = ()
    derivations: tuple[Derivation, ...] = ()
    # The file has a failure date but no failure column: failure = 1 where there is a date.
    failure_from_date: bool = False

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.headers or self.values or self.m_ambiguous or self.derivations)

    def choice(self, m_means: str | None = None, derive_dates: bool = True) -> MappingChoice:
        """The choice that accepts this proposal (with the user's answers)."""
        return MappingChoice(
            headers=self.headers,
            spanish_values=bool(self.values),
            m_means=m_means,
            derive_dates=derive_dates and bool(self.derivations),
            dates=self.dates if derive_dates and self.derivations else (),
        )


def _texts(raw: pd.DataFrame, column: str) -> list[str]:
    return rules.cell_texts(raw[column])


def _spanish_words(cells: list[str], column: str) -> tuple[str, ...]:
    vocabulary = _SPANISH_SEXES if column == "sex" else _SPANISH_FLAGS
    if column == "sex":
        found = {c for c in cells if c.strip().lower() in vocabulary}
    else:
        # "no" alone is English too: only "Sí"/"Si" make a flag column Spanish.
        found = {c for c in cells if c.strip().lower() in ("si", "sí")}
        if found:
            found |= {c for c in cells if c.strip().lower() == "no"}
    return tuple(sorted(found, key=str.lower))


def _all_dates(cells: list[str]) -> bool:
    present = [c for c in cells if not rules.is_missing(c)]
    return bool(present) and all(parse_date(c) is not None for c in present)


def propose(raw: pd.DataFrame) -> Proposal:
    """What the mapping step shows for a raw patients frame (see :func:`apply_choice`)."""
    headers: list[tuple[str, str]] = []
    names: dict[str, str] = {}  # contract name -> header as written
    dates: list[tuple[str, str]] = []
    for header in raw.columns:
        contract = normalise_column_name(str(header))
        if contract in rules.PATIENT_RULES:
            names.setdefault(contract, str(header))
            continue
        key = header_key(str(header))
        if key in SPANISH_HEADERS and SPANISH_HEADERS[key] not in names:
            names[SPANISH_HEADERS[key]] = str(header)
            headers.append((str(header), SPANISH_HEADERS[key]))
        elif key in DATE_HEADERS:
            dates.append((str(header), DATE_HEADERS[key]))
    events = {event: header for header, event in dates}
    # A months column that holds dates is the date of its event (the last visit for
    # followup_months), when no date column of that event is there.
    for target, event in EVENT_OF_TARGET.items():
        held = names.get(target)
        if held is not None and event not in events and _all_dates(_texts(raw, held)):
            dates.append((held, event))
            events[event] = held
    values = {
        contract: words
        for contract in ("sex", *_FLAG_COLUMNS)
        if contract in names and (words := _spanish_words(_texts(raw, names[contract]), contract))
    }
    spanish = bool(values) or any(header_key(h) in SPANISH_HEADERS for h, _ in headers)
    spanish = spanish or any(header_key(h).startswith("fecha") for h, _ in dates)
    m_ambiguous = (
        spanish
        and "sex" in names
        and any(c.strip().lower() == "m" for c in _texts(raw, names["sex"]))
    )
    derivations = _derivations(raw, events)
    used = {derivation.start for derivation in derivations} | {d.end for d in derivations}
    return Proposal(
        headers=tuple(headers),
        values=values,
        spanish=spanish,
        m_ambiguous=m_ambiguous,
        dates=tuple(pair for pair in dates if pair[0] in used),
        derivations=derivations,
        failure_from_date="failure" not in names
        and any(d.target == "failure_months" for d in derivations),
    )


def _derivations(raw: pd.DataFrame, events: Mapping[str, str]) -> tuple[Derivation, ...]:
    start = events.get(FIRST_INFUSION)
    if start is None:
        return ()
    first = [parse_date(c) for c in _texts(raw, start)]
    found = []
    for event, target in TARGETS.items():
        end = events.get(event)
        if end is None:
            continue
        ends = [parse_date(c) for c in _texts(raw, end)]
        derived = sum(1 for a, b in zip(first, ends, strict=True) if a and b)
        found.append(Derivation(target, start, end, derived))
    return tuple(found)


def _months_text(value: float) -> str:
    # Full precision: rounding here would change the analyses; the page rounds for display.
    return repr(value)


@dataclass(frozen=True)
class _Starts:
    """The first-infusion dates of a file's rows (None: empty or not a date)."""

    header: str
    dates: list[dt.date | None]
    empty: list[bool]


def _starts(
    frame: pd.DataFrame, start: str, file: str, rows: list[int]
) -> tuple[_Starts, list[Problem]]:
    texts = _texts(frame, start)
    dates = [parse_date(text) for text in texts]
    problems = [
        Problem(file, row, start, text, _NOT_A_DATE)
        for row, text, date in zip(rows, texts, dates, strict=True)
        if date is None and not rules.is_missing(text)
    ]
    return _Starts(start, dates, [rules.is_missing(text) for text in texts]), problems


def _months_to(
    frame: pd.DataFrame, end: str, starts: _Starts, file: str, rows: list[int]
) -> tuple[list[str], list[Problem]]:
    """Months from the first infusion to each date of column ``end`` ("" where none)."""
    months: list[str] = []
    problems: list[Problem] = []
    cells = zip(rows, starts.dates, starts.empty, _texts(frame, end), strict=True)
    for row, first, no_start, text in cells:
        date = None if rules.is_missing(text) else parse_date(text)
        if date is not None and first is not None:
            months.append(_months_text(months_between(first, date)))
            continue
        months.append("")
        if rules.is_missing(text):
            continue
        if date is None:
            problems.append(Problem(file, row, end, text, _NOT_A_DATE))
        elif no_start:  # a start that is not a date is reported once, on its own cell
            rule = Message(
                "has a date but {start} is empty: months cannot be derived", start=starts.header
            )
            problems.append(Problem(file, row, end, text, rule))
    return months, problems


def _derive(
    frame: pd.DataFrame, choice: MappingChoice, file: str, rows: list[int]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Months columns from the confirmed date columns; the date columns dropped."""
    events = {event: header for header, event in choice.dates}
    start = events.get(FIRST_INFUSION)
    if start is None or start not in frame.columns:
        return frame, []
    starts, problems = _starts(frame, start, file, rows)
    derived: dict[str, list[str]] = {}
    for event, target in TARGETS.items():
        end = events.get(event)
        if end is None or end not in frame.columns:
            continue
        derived[target], found = _months_to(frame, end, starts, file, rows)
        problems += found
        if target == "failure_months" and "failure" not in frame.columns:
            # A failure date is the failure: 1 where there is one, else 0.
            derived["failure"] = ["0" if rules.is_missing(t) else "1" for t in _texts(frame, end)]
    dropped = [header for header, _ in choice.dates if header in frame.columns]
    frame = frame.drop(columns=dropped)
    for target, months in derived.items():
        frame[target] = pd.Series(months, index=frame.index, dtype=object)
    return frame, problems


_NOT_A_DATE = Message("is not a date (write 2019-07-02 or 02/07/2019)")


def _values(frame: pd.DataFrame, choice: MappingChoice) -> pd.DataFrame:
    def sex(text: str) -> str:
        lower = text.strip().lower()
        if lower == "m" and choice.m_means is not None:
            return choice.m_means
        return _SPANISH_SEXES.get(lower, text)

    def flag(text: str) -> str:
        return _SPANISH_FLAGS.get(text.strip().lower(), text)

    for column in frame.columns:
        contract = normalise_column_name(str(column))
        if contract == "sex":
            frame[column] = pd.Series([sex(t) for t in _texts(frame, column)], index=frame.index)
        elif contract in _FLAG_COLUMNS and choice.spanish_values:
            frame[column] = pd.Series([flag(t) for t in _texts(frame, column)], index=frame.index)
    return frame


def apply_choice(
    raw: pd.DataFrame, choice: MappingChoice, file: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """The raw patients frame as the contract reads it under the user's ``choice``.

    Returns the rewritten all-string frame (attrs and row index kept) and the problems of
    the mapping itself (cells of date columns that are not dates, a date without a first
    infusion date, an "M" whose meaning was not chosen); the ordinary validation then runs
    on the frame.
    """
    rows = [int(r) for r in spreadsheet_rows(raw)]
    frame = raw.copy()
    problems: list[Problem] = []
    if choice.m_means is None and (choice.spanish_values or choice.headers):
        sexes = [h for h in frame.columns if _renamed(h, choice) == "sex"]
        for header in sexes:
            for row, text in zip(rows, _texts(frame, header), strict=True):
                if text.strip().lower() == "m":
                    problems.append(Problem(file, row, str(header), text, _M_AMBIGUOUS))
    renames = dict(choice.headers)
    frame = frame.rename(columns=lambda h: renames.get(str(h), h))
    if choice.spanish_values or choice.m_means is not None:
        frame = _values(frame, choice)
    if choice.derive_dates:
        frame, date_problems = _derive(frame, choice, file, rows)
        problems += date_problems
    frame.attrs = dict(raw.attrs)
    return frame, problems


def _renamed(header: object, choice: MappingChoice) -> str:
    return normalise_column_name(dict(choice.headers).get(str(header), str(header)))


_M_AMBIGUOUS = Message(
    'is ambiguous in a Spanish file (Mujer or Masculino?): say what "M" means in the '
    "mapping step (--sex-m F or --sex-m M on the command line)"
)


def describe(choice: MappingChoice, failure_from_date: bool = False) -> list[Message]:
    """The mapping in words, for the page's confirmation (``failure_from_date``: the file's
    failure column is made from its failure dates)."""
    lines = [
        Message("column {header} read as {column}", header=header, column=column)
        for header, column in choice.headers
    ]
    if choice.spanish_values:
        lines.append(Message("Sí/No read as 1/0; Femenino/Mujer as F, Masculino/Hombre as M"))
    if choice.m_means == "F":
        lines.append(Message('"M" in the sex column read as F (Mujer)'))
    elif choice.m_means == "M":
        lines.append(Message('"M" in the sex column read as M (Masculino)'))
    events = {event: header for header, event in choice.dates}
    start = events.get(FIRST_INFUSION)
    for event, target in TARGETS.items():
        if start is not None and event in events:
            lines.append(
                Message(
                    "{target} derived as ({end} − {start}) in days / (365.25 / 12)",
                    target=target,
                    end=events[event],
                    start=start,
                )
            )
    if failure_from_date and start is not None and FAILURE in events:
        lines.append(failure_line(events[FAILURE]))
    return lines


def failure_line(end: str) -> Message:
    """How the failure column is made from a failure date column."""
    return Message("failure = 1 where {end} has a date, else 0", end=end)


@dataclass(frozen=True)
class Example:
    """One patient's derived months, as the mapping step shows it."""

    patient: str
    start: str
    end: str
    months: float


def examples(raw: pd.DataFrame, proposal: Proposal, count: int = 3) -> dict[str, list[Example]]:
    """The first ``count`` patients of each derivation, for the user to check the sums."""
    frame, _ = apply_choice(raw, proposal.choice(), "")
    ids = next((h for h in frame.columns if normalise_column_name(str(h)) == "patient_id"), None)
    shown: dict[str, list[Example]] = {}
    for derivation in proposal.derivations:
        found: list[Example] = []
        starts, ends = _texts(raw, derivation.start), _texts(raw, derivation.end)
        months = _texts(frame, derivation.target)
        patients = _texts(frame, ids) if ids is not None else [""] * len(months)
        for patient, start, end, value in zip(patients, starts, ends, months, strict=True):
            first, last = parse_date(start), parse_date(end)
            if value and first and last:
                found.append(Example(patient, first.isoformat(), last.isoformat(), float(value)))
            if len(found) == count:
                break
        shown[derivation.target] = found
    return shown


def cli_flags(choice: MappingChoice) -> str:
    """The command-line options that read a file as ``choice`` does (the page shows them)."""
    flags = []
    if choice.headers or choice.spanish_values:
        flags.append("--map")
    if choice.derive_dates:
        flags.append("--derive-dates")
    if choice.m_means is not None:
        flags.append(f"--sex-m {choice.m_means}")
    return " ".join(flags)


def cli_choice(
    proposal: Proposal, *, map_names: bool, derive_dates: bool, m_means: str | None
) -> MappingChoice:
    """The choice of the CLI's ``--map``, ``--derive-dates`` and ``--sex-m``: the page's
    proposal, taken in the parts the options name."""
    accepted = proposal.choice(m_means, derive_dates=derive_dates)
    if map_names:
        return accepted
    return MappingChoice(m_means=m_means, derive_dates=accepted.derive_dates, dates=accepted.dates)


def derived_columns(choice: MappingChoice | None) -> tuple[str, ...]:
    """The months columns ``choice`` derives from dates (for the methods paragraph)."""
    if choice is None or not choice.derive_dates:
        return ()
    events = {event for _, event in choice.dates}
    if FIRST_INFUSION not in events:
        return ()
    return tuple(target for event, target in TARGETS.items() if event in events)
