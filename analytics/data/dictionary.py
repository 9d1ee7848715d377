"""The data dictionary: every contract column in a clinician's words, and template files.

One source for the in-app dictionary page, the downloadable template and the README; a test
checks it covers every column the validator knows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class ColumnDoc:
    """One column of the contract."""

    file: str
    column: str
    kind: str
    required: str
    rule: str
    meaning: str


DICTIONARY: tuple[ColumnDoc, ...] = (
    ColumnDoc(
        "patients",
        "patient_id",
        "text",
        "yes",
        "unique, not empty",
        "Pseudonymous patient code (never a name or record number).",
    ),
    ColumnDoc(
        "patients",
        "followup_months",
        "number",
        "yes",
        "> 0",
        "Months from the first rituximab infusion to the last follow-up.",
    ),
    ColumnDoc(
        "patients",
        "failure",
        "0/1",
        "unless a relapses file is given",
        "0 or 1",
        "1 = relapse more than 6 months after the first infusion (treatment failure).",
    ),
    ColumnDoc(
        "patients",
        "failure_months",
        "number",
        "when failure = 1",
        "0 < value ≤ followup_months",
        "Months from the first infusion to that relapse.",
    ),
    ColumnDoc("patients", "sex", "F/M", "no", "F or M (female/male accepted)", "Sex."),
    ColumnDoc("patients", "age_at_rtx", "years", "no", "0–120", "Age at the first infusion."),
    ColumnDoc(
        "patients",
        "edss_baseline",
        "0–10",
        "no",
        "steps of 0.5",
        "Expanded Disability Status Scale at the first infusion.",
    ),
    ColumnDoc(
        "patients",
        "asymptomatic_lesions",
        "0/1",
        "no",
        "0 or 1",
        "New asymptomatic MRI lesion(s) during follow-up.",
    ),
    ColumnDoc(
        "patients",
        "asymptomatic_lesion_months",
        "number",
        "no",
        "0 < value ≤ followup_months; only when asymptomatic_lesions = 1",
        "Months to the first such lesion (for the time-dependent analysis).",
    ),
    ColumnDoc(
        "patients", "gd_persistent", "0/1", "no", "0 or 1", "Persistent gadolinium enhancement."
    ),
    ColumnDoc(
        "patients", "fcgr3a_v158f", "VV/VF/FF", "no", "VV, VF or FF", "FCGR3A-V158F genotype."
    ),
    ColumnDoc(
        "relapses",
        "patient_id",
        "text",
        "yes",
        "must exist in the patients file",
        "Patient code, as in the patients file; one row per relapse.",
    ),
    ColumnDoc(
        "relapses",
        "months_from_rtx",
        "number",
        "yes",
        "≤ that patient's followup_months; negative = before rituximab",
        "Months from the first infusion to the relapse.",
    ),
    ColumnDoc(
        "infusions",
        "patient_id",
        "text",
        "yes",
        "must exist in the patients file",
        "Patient code, as in the patients file; one row per rituximab infusion (optional file, "
        "for the patient timeline).",
    ),
    ColumnDoc(
        "infusions",
        "months_from_rtx",
        "number",
        "yes",
        "0 ≤ value ≤ that patient's followup_months; once per patient and time",
        "Months from the first infusion to this one (the first infusion is at 0).",
    ),
)


def template_frame() -> pd.DataFrame:
    """A patients template with every contract column and two example rows (invented)."""
    return pd.DataFrame(
        {
            "patient_id": ["EX-001", "EX-002"],
            "followup_months": [48.0, 30.5],
            "failure": [1, 0],
            "failure_months": [14.0, None],
            "sex": ["F", "M"],
            "age_at_rtx": [41, 57],
            "edss_baseline": [3.5, 2.0],
            "asymptomatic_lesions": [1, 0],
            "asymptomatic_lesion_months": [9.0, None],
            "gd_persistent": [0, 0],
            "fcgr3a_v158f": ["VF", "FF"],
        }
    )


def infusions_template_frame() -> pd.DataFrame:
    """An infusions template for the two patients of :func:`template_frame` (invented).

    Induction 1000 mg twice two weeks apart, then re-dosing about every 6 months; extra
    columns such as ``dose_mg`` are kept.
    """
    return pd.DataFrame(
        {
            "patient_id": ["EX-001"] * 4 + ["EX-002"] * 3,
            "months_from_rtx": [0.0, 0.5, 6.0, 12.5, 0.0, 0.5, 6.5],
            "dose_mg": [1000] * 7,
        }
    )
