"""The column contract of the patients, relapses and infusions files, and their validation.

Validation reads the raw string frame that :func:`analytics.data.io.read_table` returns and
either gives back a clean, typed frame (the dtypes of ``docs/analytics-api.md``) or raises
one :class:`CohortValidationError` carrying every problem found, so a clinician can fix
the whole spreadsheet in one pass instead of one error per upload.

Row numbers are spreadsheet rows *including the header row* (the first data row is row 2),
as the clinician sees them in Excel. ``read_table`` puts them in the raw frame's index; a
frame with a default ``RangeIndex`` (0, 1, ...) is taken to start at row 2.

What is accepted beyond the strict contract, because clinicians' spreadsheets look so
(see :mod:`analytics.data.rules` for the value-level details):

- header names in any case, with surrounding spaces, and with spaces or hyphens for
  underscores ("Patient ID" is ``patient_id``);
- empty cells, ``NA``, ``N/A``, ``NaN``, ``null`` and ``none`` (any case) mean missing;
- 0/1 columns also take ``yes``/``no`` and ``true``/``false`` in any case (and 0.0/1.0);
- sex takes ``F``/``M`` and ``female``/``male`` in any case (nothing else: ``W`` or ``1``
  would be ambiguous across languages and codings);
- genotypes take ``VV``/``VF``/``FF`` in any case, ``FV`` as ``VF``, and an optional ``/``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.data import rules
from i18n.language import Message, as_message

MAX_VALUE_CHARS = 40
MAX_MESSAGE_PROBLEMS = 100

PATIENT_COLUMNS: tuple[str, ...] = tuple(rules.PATIENT_RULES)
REQUIRED_PATIENT_COLUMNS: tuple[str, ...] = ("patient_id", "followup_months")
RELAPSE_COLUMNS: tuple[str, ...] = ("patient_id", "months_from_rtx")
INFUSION_COLUMNS: tuple[str, ...] = ("patient_id", "months_from_rtx")

# The source study's definition of treatment failure: a relapse more than 6 months after
# the first infusion. Both outcome forms must agree under this definition; the user may
# later change the grace period in the app, which re-derives from the relapses file.
AGREEMENT_GRACE_MONTHS = 6.0
AGREEMENT_TOLERANCE = 1e-6

# Spellings of contract names that the normalising alone does not reach.
COLUMN_ALIASES = {"follow_up_months": "followup_months"}

# Line breaks, and characters that print as nothing (controls, zero-width and direction
# marks, BOM), shown escaped so the user can see what is in the cell.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as possible.

    ``value`` is truncated to 40 characters (and line breaks and invisible characters
    escaped) on construction so that a huge or multi-line cell never floods the message
    the user reads.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str

    def __post_init__(self) -> None:
        if self.value is not None:
            shown = _CONTROL.sub(lambda m: repr(m.group())[1:-1], self.value)
            if len(shown) > MAX_VALUE_CHARS:
                shown = shown[: MAX_VALUE_CHARS - 1] + "…"
            object.__setattr__(self, "value", shown)

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.value is not None:
            parts.append(f'value "{self.value}"')
        return f"{', '.join(parts)}: {self.rule}"


class CohortValidationError(ValueError):
    """Invalid user data: carries every :class:`Problem` found, in file and row order.

    ``str(error)`` is one paragraph: the count, then each problem on its own line (the
    first 100; the full list stays in ``problems`` for the UI).
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} found in the input data:"]
        lines += [f"- {problem}" for problem in self.problems[:MAX_MESSAGE_PROBLEMS]]
        if count > MAX_MESSAGE_PROBLEMS:
            lines.append(f"- ... and {count - MAX_MESSAGE_PROBLEMS} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._message()


def normalise_column_name(name: str) -> str:
    """Lower-case, strip, and turn runs of spaces/hyphens into one underscore.

    ``follow_up_months`` (from "Follow-up months") is read as ``followup_months``.

    Examples
    --------
    >>> normalise_column_name("  Patient ID ")
    'patient_id'
    >>> normalise_column_name("FCGR3A-V158F")
    'fcgr3a_v158f'
    """
    name = re.sub(r"[\s\-]+", "_", str(name).strip().lower())
    return COLUMN_ALIASES.get(name, name)


def sort_problems(problems: Iterable[Problem], columns: Iterable[str] = ()) -> list[Problem]:
    """File-level problems (no row) first, then by row, then in ``columns`` order."""
    position = {name: index for index, name in enumerate(columns)}

    def key(problem: Problem) -> tuple[int, int]:
        row = -1 if problem.row is None else problem.row
        return row, position.get(problem.column or "", len(position))

    return sorted(problems, key=key)


def spreadsheet_rows(raw: pd.DataFrame) -> np.ndarray:
    """Spreadsheet row numbers of the data rows (header is row 1)."""
    if isinstance(raw.index, pd.RangeIndex) and raw.index.start == 0:
        return np.arange(2, len(raw) + 2)
    return np.asarray(raw.index, dtype=int)


# Embeddings, overrides and isolates reorder how text is shown: "age\u202e" can display as
# another column's name in the page, the report and a spreadsheet (as patient codes, where
# rules.invisible_character refuses them with every other invisible character).
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _direction_control(name: str) -> str | None:
    found = _DIRECTION_CONTROLS.search(name)
    if found is None:
        return None
    char = found.group()
    shown = f"{ord(char):04X} {unicodedata.name(char)}"
    return Message(
        "column name contains a text-direction control (U+{code}); retype the name without it",
        code=shown,
    )


def normalise_headers(raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Rename columns to contract names; flag names that collide after normalising."""
    names = [normalise_column_name(c) for c in raw.columns]
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for original, name in zip(raw.columns, names, strict=True):
        direction = _direction_control(str(original))
        if direction is not None:
            header_row = int(raw.attrs.get("header_row", 1))
            problems.append(Problem(file, header_row, None, str(original), direction))
        if name in seen:
            problems.append(
                Problem(
                    file,
                    int(raw.attrs.get("header_row", 1)),
                    name,
                    str(original),
                    Message(
                        'column name appears twice (also as "{other}"); keep one', other=seen[name]
                    ),
                )
            )
        else:
            seen[name] = str(original)
    # A shallow copy: validation only reads the cells, and a deep one would hold a second
    # copy of every cell pointer of a 10^5-row file while it runs.
    frame = raw.copy(deep=False)
    frame.columns = names
    duplicated = frame.columns.duplicated()
    if duplicated.any():
        frame = frame.loc[:, ~duplicated]
    return frame, problems


def missing_columns(
    frame: pd.DataFrame,
    file: str,
    required: Iterable[str],
    why: str = "required",
    note: str = "",
) -> list[Problem]:
    """One problem per missing column, naming the columns found (and a close match).

    ``note`` is appended to each (a workbook's sheets, when only the first was read).
    """
    found = list(frame.columns)
    problems: list[Problem] = []
    for column in required:
        if column in frame.columns:
            continue
        close = difflib.get_close_matches(column, found, n=1)
        listing = ", ".join(found) if found else "none"
        rule = _missing(why, listing, close[0] if close else None)
        if note:
            rule = Message("{rule}; {note}", rule=rule, note=as_message(note))
        problems.append(Problem(file, None, column, None, rule))
    return problems


def _missing(why: str, listing: str, close: str | None) -> Message:
    if why == "required":
        if close is None:
            return Message("missing required column (found: {found})", found=listing)
        return Message(
            'missing required column (found: {found}); did you mean "{close}"?',
            found=listing,
            close=close,
        )
    if close is None:
        return Message("missing (with failure) column (found: {found})", found=listing)
    return Message(
        'missing (with failure) column (found: {found}); did you mean "{close}"?',
        found=listing,
        close=close,
    )


def _problems(file: str, findings: Iterable[rules.Finding]) -> list[Problem]:
    return [Problem(file, *finding) for finding in findings]


def _valid(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    if problems:
        raise CohortValidationError(problems)
    return frame


def _outcome_columns(frame: pd.DataFrame, file: str, has_relapses: bool) -> list[Problem]:
    """The outcome must come from a failure column or a relapses file."""
    if "failure" in frame.columns:
        return missing_columns(frame, file, ["failure_months"], "(with failure)")
    if has_relapses:
        return []
    rule = (
        "no outcome given: add a failure column (0/1, with failure_months) "
        "or upload a relapses file"
    )
    return [Problem(file, None, "failure", None, rule)]


# The columns a cross-check between the columns of one row reads.
_CROSS_CHECKED = (
    "followup_months",
    "failure",
    "failure_months",
    "asymptomatic_lesions",
    "asymptomatic_lesion_months",
)


def _not_already_reported(
    findings: Iterable[rules.Finding], bad_cells: set[tuple[int | None, str | None]]
) -> list[rules.Finding]:
    """Cross-checks of rows whose cross-checked cells all parsed: one bad cell is one
    problem, not a second "is required when failure = 1" for the value it lost."""
    return [
        finding
        for finding in findings
        if not any((finding.row, column) in bad_cells for column in _CROSS_CHECKED)
    ]


def check_patients(
    raw: pd.DataFrame, file: str, *, has_relapses: bool, decimal_comma: bool | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Best-effort typed patients frame plus every problem found.

    Invalid cells become missing in the returned frame so the relapses file can still be
    checked against the patients that did parse; callers must not use the frame when the
    problem list is non-empty.
    """
    if decimal_comma is None:
        decimal_comma = bool(raw.attrs.get("decimal_comma", False))
    context = rules.CellContext(file, spreadsheet_rows(raw), decimal_comma)
    frame, problems = normalise_headers(raw, file)
    problems += missing_columns(
        frame, file, REQUIRED_PATIENT_COLUMNS, note=raw.attrs.get("sheet_note", "")
    )
    problems += _outcome_columns(frame, file, has_relapses)
    clean: dict[str, pd.Series] = {}
    bad_cells: set[tuple[int | None, str | None]] = set()
    for column in frame.columns:
        clean[column], findings = rules.parse_column(frame[column], column, context)
        problems += _problems(file, findings)
        bad_cells |= {(finding.row, finding.column) for finding in findings}
    problems += _problems(
        file, _not_already_reported(rules.cross_checks(clean, context), bad_cells)
    )
    patients = pd.DataFrame(clean, index=pd.RangeIndex(len(frame)))
    return patients, sort_problems(problems, frame.columns)


def validate_patients(
    raw: pd.DataFrame, file: str, *, has_relapses: bool = False, decimal_comma: bool | None = None
) -> pd.DataFrame:
    """Validate a raw patients frame and return the clean one.

    Parameters
    ----------
    raw : pandas.DataFrame
        All-string frame as returned by :func:`analytics.data.io.read_table`.
    file : str
        File name used in problem messages.
    has_relapses : bool
        Whether a relapses file gives the outcome (then ``failure`` is optional).
    decimal_comma : bool, optional
        Accept ``12,5`` as 12.5; by default taken from ``raw.attrs["decimal_comma"]``
        (set by ``read_table`` for semicolon- and tab-separated text and for XLSX).

    Returns
    -------
    pandas.DataFrame
        The clean patients frame, index 0..n-1.

    Raises
    ------
    CohortValidationError
        With every problem found.
    """
    return _valid(
        *check_patients(raw, file, has_relapses=has_relapses, decimal_comma=decimal_comma)
    )


@dataclass(frozen=True)
class EventsFile:
    """A per-patient events file: one row per event at ``months_from_rtx`` of a known patient.

    The relapses and the infusions file are read and checked alike; they differ in the rule
    for the time, whether a patient may have two events at the same time, and whether
    extra columns are kept.
    """

    event: str  # one row, as problem messages name it
    columns: tuple[str, ...]
    months: rules.NumberRule
    distinct_times: bool
    keep_extra: bool


# Two relapses of one patient may share a month (the file's resolution); extra columns are
# dropped because no analysis reads them.
RELAPSES_FILE = EventsFile(
    "relapse", RELAPSE_COLUMNS, rules.MONTHS_FROM_RTX, distinct_times=False, keep_extra=False
)
# An infusion is at or after the first one (time 0) and is given once at a time: the same
# patient and time twice is a copied row. Extra columns (dose, B-cell counts) are kept for
# the patient timeline.
INFUSIONS_FILE = EventsFile(
    "infusion", INFUSION_COLUMNS, rules.INFUSION_MONTHS, distinct_times=True, keep_extra=True
)


def check_events(
    raw: pd.DataFrame,
    file: str,
    patients: pd.DataFrame,
    patients_file: str,
    spec: EventsFile,
    *,
    decimal_comma: bool | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed events frame (sorted by patient, then time) plus every problem found."""
    if decimal_comma is None:
        decimal_comma = bool(raw.attrs.get("decimal_comma", False))
    rows = spreadsheet_rows(raw)
    frame, problems = normalise_headers(raw, file)
    problems += missing_columns(frame, file, spec.columns, note=raw.attrs.get("sheet_note", ""))
    if problems:
        return _empty_events(), sort_problems(problems)
    context = rules.CellContext(file, rows, decimal_comma)
    ids, findings = rules.parse_column(frame["patient_id"], "event_patient_id", context)
    months, month_findings = rules.parse_column(
        frame["months_from_rtx"], "months_from_rtx", context, spec.months
    )
    findings += month_findings
    findings += rules.events_against_patients(ids, months, patients, patients_file, rows)
    if spec.distinct_times:
        findings += rules.repeated_events(ids, months, rows, spec.event)
    events = pd.DataFrame({"patient_id": ids, "months_from_rtx": months})
    if spec.keep_extra:
        for column in frame.columns.drop(list(spec.columns)):
            events[column] = rules.parse_extra(rules.cell_texts(frame[column]), context)
    events = events.sort_values(["patient_id", "months_from_rtx"], kind="stable")
    return events.reset_index(drop=True), sort_problems(problems + _problems(file, findings))


def check_relapses(
    raw: pd.DataFrame,
    file: str,
    patients: pd.DataFrame,
    patients_file: str,
    *,
    decimal_comma: bool | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed relapses frame (sorted by patient, then time) plus every problem found."""
    return check_events(
        raw, file, patients, patients_file, RELAPSES_FILE, decimal_comma=decimal_comma
    )


def validate_relapses(
    raw: pd.DataFrame,
    file: str,
    patients: pd.DataFrame,
    patients_file: str = "the patients file",
    *,
    decimal_comma: bool | None = None,
) -> pd.DataFrame:
    """Validate a raw relapses frame against the clean patients frame.

    Every ``patient_id`` must be a patient of ``patients``; ``months_from_rtx`` must be a
    finite number (negative = before rituximab) no later than that patient's
    ``followup_months``. Extra columns are dropped. See :func:`outcome_agreement` for the
    check that runs when the patients file has its own ``failure`` column.

    Raises
    ------
    CohortValidationError
        With every problem found.
    """
    return _valid(*check_relapses(raw, file, patients, patients_file, decimal_comma=decimal_comma))


def validate_infusions(
    raw: pd.DataFrame,
    file: str,
    patients: pd.DataFrame,
    patients_file: str = "the patients file",
    *,
    decimal_comma: bool | None = None,
) -> pd.DataFrame:
    """Validate a raw rituximab infusions frame against the clean patients frame.

    Every ``patient_id`` must be a patient of ``patients``; ``months_from_rtx`` is the time
    from the patient's *first* infusion (so the first one is at 0): a finite number, at
    least 0, no later than that patient's ``followup_months``, and not repeated for the
    same patient. Extra columns (dose, B-cell counts) are kept, typed as in the patients
    file. A patient may have no rows (infusion record not available).

    Returns
    -------
    pandas.DataFrame
        ``patient_id`` (str), ``months_from_rtx`` (float64), then the extra columns;
        sorted by patient then time, index 0..n-1.

    Raises
    ------
    CohortValidationError
        With every problem found.
    """
    return _valid(
        *check_events(
            raw, file, patients, patients_file, INFUSIONS_FILE, decimal_comma=decimal_comma
        )
    )


def outcome_agreement(
    patients: pd.DataFrame,
    relapses: pd.DataFrame,
    patients_file: str,
    relapses_file: str,
    patient_rows: np.ndarray | None = None,
) -> list[Problem]:
    """Problems where the patients file's failure columns disagree with the relapses.

    Failure is the first relapse later than 6 months after the first infusion (the source
    study's definition); failure_months must equal its time within 1e-6 months. Patient
    rows with a missing/invalid ``failure`` are skipped (already reported).
    """
    if "failure" not in patients.columns:
        return []
    if patient_rows is None:
        patient_rows = np.arange(2, len(patients) + 2)
    later = relapses[relapses["months_from_rtx"] > AGREEMENT_GRACE_MONTHS]
    first = later.groupby("patient_id")["months_from_rtx"].min()
    first_failure = patients["patient_id"].map(first).astype(float).to_numpy()
    months = patients["failure_months"] if "failure_months" in patients.columns else np.nan
    problems: list[Problem] = []
    for position, (failure, failure_months) in enumerate(
        zip(patients["failure"], np.broadcast_to(months, len(patients)), strict=True)
    ):
        finding = rules.disagreement(
            failure,
            failure_months,
            first_failure[position],
            relapses_file,
            AGREEMENT_GRACE_MONTHS,
            AGREEMENT_TOLERANCE,
        )
        if finding is not None:
            row = int(patient_rows[position])
            problems.append(Problem(patients_file, row, *finding[1:]))
    return problems


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": pd.Series([], dtype=object),
            "months_from_rtx": pd.Series([], dtype=float),
        }
    )
