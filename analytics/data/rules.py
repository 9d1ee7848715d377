"""Value-level rules of the data contract: parsing one cell, one column, and cross-column checks.

Functions here return :class:`Finding` tuples (row, column, value, rule) without a file
name; :mod:`analytics.data.schema` turns them into :class:`~analytics.data.schema.Problem` objects.

Accepted spellings (decided here, tested in ``tests/analytics/test_schema.py``):

- missing: empty, ``NA``, ``N/A``, ``NaN``, ``null``, ``none`` (any case);
- numbers: ``12``, ``12.5``, ``-3``, ``1e2``; ``12,5`` only where the file uses decimal
  commas (semicolon- or tab-separated text, XLSX text cells); a date such as
  ``2021-03-04`` or ``04.03.2021`` is rejected with "a number of months, not a date";
- 0/1 flags: ``0``/``1`` (also ``0.0``/``1.0``), ``yes``/``no``, ``true``/``false`` (any case);
- sex: ``F``/``M``/``female``/``male`` (any case), stored as ``"F"``/``"M"``;
- FCGR3A-V158F: ``VV``/``VF``/``FF`` (any case; ``FV`` = ``VF``; ``V/F`` allowed);
- patient codes: any text (accents, CJK, emoji) but control and zero-width/format
  characters, which make two identical-looking codes different patients.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from i18n.language import N_, Message, as_message, general

MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none"})

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_NON_FINITE = re.compile(r"[+-]?(inf|infinity)", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}([ T].*)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")

_FLAGS = {"0": 0.0, "1": 1.0, "no": 0.0, "yes": 1.0, "false": 0.0, "true": 1.0}
_SEXES = {"f": "F", "female": "F", "m": "M", "male": "M"}
_GENOTYPES = {"vv": "VV", "vf": "VF", "fv": "VF", "ff": "FF"}


class Finding(NamedTuple):
    """A problem without its file name: spreadsheet row, column, offending value, rule."""

    row: int | None
    column: str | None
    value: str | None
    rule: str


@dataclass(frozen=True)
class CellContext:
    """Where cells come from: spreadsheet row numbers and the file's decimal convention."""

    file: str
    rows: np.ndarray
    decimal_comma: bool = False


@dataclass(frozen=True)
class NumberRule:
    """A numeric column: optional bounds (``low_open`` makes the lower bound exclusive)."""

    unit: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    step: float | None = None
    required: bool = False

    def describe(self) -> str:
        if self.low is None:
            return Message("must be a number")
        low, step = general(self.low), general(self.step) if self.step else None
        if self.high is not None:
            high = general(self.high)
            if step is None:
                return Message("must be between {low} and {high}", low=low, high=high)
            return Message(
                "must be between {low} and {high} in steps of {step}", low=low, high=high, step=step
            )
        if self.low_open:
            if step is None:
                return Message("must be greater than {low}", low=low)
            return Message("must be greater than {low} in steps of {step}", low=low, step=step)
        if step is None:
            return Message("must be at least {low}", low=low)
        return Message("must be at least {low} in steps of {step}", low=low, step=step)

    def violates(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return True
        if self.high is not None and value > self.high:
            return True
        if not self.step:
            return False
        return not math.isclose(value / self.step, round(value / self.step), abs_tol=1e-9)


@dataclass(frozen=True)
class ChoiceRule:
    """A categorical column: lower-cased spelling -> stored value."""

    choices: Mapping[str, object] = field(default_factory=dict)
    allowed: str = ""
    required: bool = False
    missing_value: object = None


PATIENT_RULES: dict[str, NumberRule | ChoiceRule | None] = {
    "patient_id": None,  # parsed by parse_ids: required, unique, kept as text
    "followup_months": NumberRule(N_("months"), low=0, low_open=True, required=True),
    # failure is optional as a column (a relapses file may give the outcome) but, when the
    # column is there, every patient needs a 0/1: a blank would silently mean "censored".
    "failure": ChoiceRule(_FLAGS, N_("0 or 1"), required=True, missing_value=math.nan),
    "failure_months": NumberRule(N_("months"), low=0, low_open=True),
    "sex": ChoiceRule(_SEXES, N_("F or M")),
    "age_at_rtx": NumberRule(N_("years"), low=0, high=120),
    "edss_baseline": NumberRule(N_("EDSS points"), low=0, high=10, step=0.5),
    "asymptomatic_lesions": ChoiceRule(_FLAGS, N_("0 or 1"), missing_value=math.nan),
    "asymptomatic_lesion_months": NumberRule(N_("months"), low=0, low_open=True),
    "gd_persistent": ChoiceRule(_FLAGS, N_("0 or 1"), missing_value=math.nan),
    "fcgr3a_v158f": ChoiceRule(_GENOTYPES, N_("VV, VF or FF")),
}
# Relapse times may be negative (before rituximab: the pre-treatment relapse rate); an
# infusion is at or after the first one, which is time 0 by definition.
MONTHS_FROM_RTX = NumberRule(N_("months"), required=True)
INFUSION_MONTHS = NumberRule(N_("months"), low=0, required=True)


def is_missing(text: str) -> bool:
    """Whether a stripped cell means "no value"."""
    return text.strip().lower() in MISSING_MARKERS


def parse_number(text: str, unit: str, decimal_comma: bool) -> tuple[float, str | None]:
    """Parse one non-missing cell as a finite number; return (value, None) or (nan, rule)."""
    # U+2212 is the minus sign Word and some Excel locales substitute for the hyphen.
    text = text.strip().replace("\u2212", "-")
    if decimal_comma and _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    if _NUMBER.fullmatch(text):
        value = float(text)
        if math.isfinite(value):
            return value, None
        return math.nan, "must be a finite number"
    if _NON_FINITE.fullmatch(text):
        return math.nan, "must be a finite number"
    if _DATE.fullmatch(text):
        return math.nan, Message("must be a number of {unit}, not a date", unit=as_message(unit))
    if _DECIMAL_COMMA.fullmatch(text):
        return math.nan, Message(
            "must be a number of {unit} (decimal comma found: use a decimal point, or save the "
            "file with semicolons as separators)",
            unit=as_message(unit),
        )
    return math.nan, Message("must be a number of {unit}", unit=as_message(unit))


def _required_finding(row: int, column: str, text: str) -> Finding:
    return Finding(row, column, text or None, "is required and must not be empty")


def parse_numbers(
    cells: Sequence[str], column: str, rule: NumberRule, context: CellContext
) -> tuple[np.ndarray, list[Finding]]:
    """Parse a numeric contract column into float64 (NaN = missing or invalid)."""
    values = np.full(len(cells), math.nan)
    findings: list[Finding] = []
    for position, text in enumerate(cells):
        row = int(context.rows[position])
        if is_missing(text):
            if rule.required:
                findings.append(_required_finding(row, column, text))
            continue
        value, error = parse_number(text, rule.unit, context.decimal_comma)
        if error is None and rule.violates(value):
            error = rule.describe()
        if error is not None:
            findings.append(Finding(row, column, text, error))
        else:
            values[position] = value
    return values, findings


def parse_choices(
    cells: Sequence[str], column: str, rule: ChoiceRule, context: CellContext
) -> tuple[list[object], list[Finding]]:
    """Parse a categorical column (flags, sex, genotype) into the stored spellings."""
    values: list[object] = []
    findings: list[Finding] = []
    for position, text in enumerate(cells):
        row = int(context.rows[position])
        values.append(rule.missing_value)
        if is_missing(text):
            if rule.required:
                findings.append(_required_finding(row, column, text))
            continue
        key = text.strip().lower().replace("/", "")
        if re.fullmatch(r"[01]\.0*", key):
            key = key[0]
        if key in rule.choices:
            values[-1] = rule.choices[key]
        else:
            allowed = Message("must be {allowed}", allowed=as_message(rule.allowed))
            findings.append(Finding(row, column, text, allowed))
    return values, findings


def parse_ids(
    cells: Sequence[str], column: str, context: CellContext, *, unique: bool
) -> tuple[list[str | None], list[Finding]]:
    """Patient codes: required, non-empty, visible; unique in the patients file."""
    values: list[str | None] = []
    findings: list[Finding] = []
    first_row: dict[str, int] = {}
    for position, text in enumerate(cells):
        row = int(context.rows[position])
        code = text.strip()
        if is_missing(code):
            values.append(None)
            findings.append(_required_finding(row, column, code))
            continue
        hidden = invisible_character(code)
        if hidden is not None:
            values.append(None)
            findings.append(Finding(row, column, code, hidden))
            continue
        values.append(code)
        if unique and code in first_row:
            findings.append(
                Finding(
                    row,
                    column,
                    code,
                    Message("duplicate patient_id (first on row {row})", row=first_row[code]),
                )
            )
        first_row.setdefault(code, row)
    return values, findings


def invisible_character(code: str) -> str | None:
    """The rule a patient code breaks by holding a control or format character, or None.

    Unicode categories Cc (controls) and Cf (zero-width spaces and joiners, BOM, direction
    marks) print as nothing: "P01" and "P01" + U+200B look identical in a spreadsheet but
    would be two patients, and a relapse would silently miss its patient. Any other
    character (accents, CJK, emoji without joiners) is a valid pseudonymous code.
    """
    for char in code:
        if unicodedata.category(char) in ("Cc", "Cf"):
            name = unicodedata.name(char, "")  # controls have no name
            shown = f"{ord(char):04X}{' ' if name else ''}{name}"
            return Message(
                "contains an invisible character (U+{code}); retype the code without it",
                code=shown,
            )
    return None


def parse_extra(cells: Sequence[str], context: CellContext) -> pd.Series:
    """An unknown column: float64 if every non-empty value is a number, else text/None."""
    texts = [None if is_missing(t) else t.strip() for t in cells]
    numbers: list[float] = []
    for text in texts:
        if text is None:
            numbers.append(math.nan)
            continue
        value, error = parse_number(text, "", context.decimal_comma)
        if error is not None:
            return pd.Series(texts, dtype=object)
        numbers.append(value)
    return pd.Series(numbers, dtype=float)


def cell_texts(series: pd.Series) -> list[str]:
    """The raw column's cells as text ("" for an absent cell)."""
    return ["" if c is None else str(c) for c in series.tolist()]


def parse_column(
    series: pd.Series,
    column: str,
    context: CellContext,
    rule: NumberRule | ChoiceRule | None = None,
) -> tuple[pd.Series, list[Finding]]:
    """Parse one raw column by its contract rule (or as an extra column).

    ``column`` names the rule; ``"event_patient_id"`` is the patient code of a per-patient
    events file (relapses, infusions): required but repeated. ``rule``, when given, is
    used instead (the infusions file's ``months_from_rtx``).
    """
    cells = cell_texts(series)
    if column in ("patient_id", "event_patient_id"):
        ids, findings = parse_ids(cells, "patient_id", context, unique=column == "patient_id")
        return pd.Series(ids, dtype=object), findings
    if rule is None:
        rule = MONTHS_FROM_RTX if column == "months_from_rtx" else PATIENT_RULES.get(column)
    if isinstance(rule, NumberRule):
        numbers, findings = parse_numbers(cells, column, rule, context)
        return pd.Series(numbers, dtype=float), findings
    if isinstance(rule, ChoiceRule):
        choices, findings = parse_choices(cells, column, rule, context)
        dtype = float if isinstance(rule.missing_value, float) else object
        return pd.Series(choices, dtype=dtype), findings
    return parse_extra(cells, context), []


def _later_than_followup(
    times: pd.Series, followup: pd.Series, rows: np.ndarray, column: str
) -> list[Finding]:
    later = times > followup
    return [
        Finding(
            int(rows[i]),
            column,
            f"{times[i]:g}",
            Message(
                "must not be later than followup_months ({months})", months=general(followup[i])
            ),
        )
        for i in np.flatnonzero(later.to_numpy())
    ]


def check_failure_months(clean: Mapping[str, pd.Series], rows: np.ndarray) -> list[Finding]:
    """failure_months: required when failure = 1, empty when 0, within follow-up."""
    if "failure" not in clean or "failure_months" not in clean:
        return []
    failure, months = clean["failure"], clean["failure_months"]
    findings = [
        Finding(int(rows[i]), "failure_months", None, "is required when failure = 1")
        for i in np.flatnonzero(((failure == 1) & months.isna()).to_numpy())
    ]
    findings += [
        Finding(
            int(rows[i]),
            "failure_months",
            f"{months[i]:g}",
            "must be empty when failure = 0 (follow-up time is followup_months)",
        )
        for i in np.flatnonzero(((failure == 0) & months.notna()).to_numpy())
    ]
    return findings + _later_than_followup(months, clean["followup_months"], rows, "failure_months")


def check_lesion_months(clean: Mapping[str, pd.Series], rows: np.ndarray) -> list[Finding]:
    """asymptomatic_lesion_months: only with asymptomatic_lesions = 1, within follow-up."""
    if "asymptomatic_lesion_months" not in clean:
        return []
    months = clean["asymptomatic_lesion_months"]
    lesions = clean.get("asymptomatic_lesions", pd.Series(math.nan, index=months.index))
    findings = [
        Finding(
            int(rows[i]),
            "asymptomatic_lesion_months",
            f"{months[i]:g}",
            "is given but asymptomatic_lesions is not 1 (a time needs a lesion)",
        )
        for i in np.flatnonzero((months.notna() & (lesions != 1)).to_numpy())
    ]
    return findings + _later_than_followup(
        months, clean["followup_months"], rows, "asymptomatic_lesion_months"
    )


def cross_checks(clean: Mapping[str, pd.Series], context: CellContext) -> list[Finding]:
    """Rules that involve two columns of the same patient row."""
    if "followup_months" not in clean:
        return []
    return check_failure_months(clean, context.rows) + check_lesion_months(clean, context.rows)


def events_against_patients(
    ids: pd.Series, months: pd.Series, patients: pd.DataFrame, patients_file: str, rows: np.ndarray
) -> list[Finding]:
    """Each event (relapse, infusion) must belong to a known patient, within their follow-up."""
    if "patient_id" not in patients.columns:
        return []
    followup: dict[str, float] = {}
    if "followup_months" in patients.columns:
        followup = dict(zip(patients["patient_id"], patients["followup_months"], strict=True))
    known = set(patients["patient_id"].dropna())
    findings: list[Finding] = []
    for position, (code, time) in enumerate(zip(ids, months, strict=True)):
        row = int(rows[position])
        if code is None:
            continue
        if code not in known:
            findings.append(
                Finding(
                    row,
                    "patient_id",
                    code,
                    Message("unknown patient: not in {file}", file=as_message(patients_file)),
                )
            )
        elif time > followup.get(code, math.inf):
            findings.append(
                Finding(
                    row,
                    "months_from_rtx",
                    f"{time:g}",
                    Message(
                        "must not be later than that patient's followup_months ({months})",
                        months=general(followup[code]),
                    ),
                )
            )
    return findings


def repeated_events(
    ids: pd.Series, months: pd.Series, rows: np.ndarray, event: str
) -> list[Finding]:
    """Rows that repeat an earlier row's patient and time (one ``event`` per patient and time).

    Rows with a missing or invalid code or time are skipped (already reported).
    """
    first_row: dict[tuple[str, float], int] = {}
    findings: list[Finding] = []
    for position, (code, time) in enumerate(zip(ids, months, strict=True)):
        if code is None or math.isnan(time):
            continue
        row = int(rows[position])
        key = (code, float(time))
        if key in first_row:
            rule = Message(
                "duplicate {event}: {code} at {months} months is already on row {row}",
                event=as_message(event),
                code=code,
                months=general(time),
                row=first_row[key],
            )
            findings.append(Finding(row, "months_from_rtx", f"{time:g}", rule))
        else:
            first_row[key] = row
    return findings


def disagreement(
    failure: float,
    failure_months: float,
    first_failure: float,
    relapses_file: str,
    grace: float,
    tolerance: float,
) -> Finding | None:
    """Compare one patient's failure/failure_months with the first relapse after ``grace``.

    ``first_failure`` is NaN when the patient has no relapse later than ``grace``. The row of
    the returned finding is None; the caller knows the spreadsheet row.
    """
    derived = not math.isnan(first_failure)
    if failure == 1 and not derived:
        rule = Message(
            "failure = 1 but {file} has no relapse later than {months} months",
            file=as_message(relapses_file),
            months=general(grace),
        )
        return Finding(None, "failure", "1", rule)
    if failure == 0 and derived:
        rule = Message(
            "failure = 0 but {file} has a relapse at {months} months (later than the "
            "{grace}-month grace period)",
            file=as_message(relapses_file),
            months=general(first_failure),
            grace=general(grace),
        )
        return Finding(None, "failure", "0", rule)
    if failure == 1 and abs(failure_months - first_failure) > tolerance:
        rule = Message(
            "disagrees with {file}: the first relapse later than {grace} months is at {months} "
            "months",
            file=as_message(relapses_file),
            grace=general(grace),
            months=general(first_failure),
        )
        return Finding(None, "failure_months", f"{failure_months:g}", rule)
    return None
