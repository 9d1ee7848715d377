"""A Spanish clinic's files of invented patients: headers, Sí/No, Mujer/Hombre/M, dates.

The same twelve invented patients three ways: a ``;``-separated CSV with decimal commas and
day-first dates, an XLSX whose dates are real date cells, and the contract's own CSV. The
contract file is written here from the dates with the definition the data contract states
(days / (365.25 / 12)) using only the standard library, so that a test compares the
explorer's mapping and derivation with an independent conversion, not with itself.
"""

from __future__ import annotations

import datetime as dt
import io

DAYS_PER_MONTH = 365.25 / 12

# (id, sexo, edad, edss, first infusion, last visit, failure date or None, lesion Sí/No,
#  persistent Gd Sí/No). "M" is Mujer in this clinic: the mapping step must ask.
PATIENTS = [
    ("HV-01", "Mujer", "41", "3,5", "2015-03-10", "2022-06-01", "2016-02-15", "Sí", "No"),
    ("HV-02", "M", "37", "2,0", "2016-01-20", "2023-01-15", None, "No", "No"),
    ("HV-03", "Hombre", "52", "4,5", "2014-09-05", "2021-11-30", "2015-08-01", "Sí", "Sí"),
    ("HV-04", "Mujer", "29", "1,5", "2017-05-12", "2022-12-01", None, "No", "No"),
    ("HV-05", "M", "45", "3,0", "2015-11-03", "2020-10-20", "2017-01-10", "Sí", "No"),
    ("HV-06", "Mujer", "60", "6,0", "2013-02-28", "2019-07-02", None, "No", "Sí"),
    ("HV-07", "Hombre", "33", "2,5", "2018-04-16", "2023-03-01", None, "No", "No"),
    ("HV-08", "Mujer", "48", "4,0", "2016-08-22", "2022-02-14", "2017-06-30", "Sí", "No"),
    ("HV-09", "M", "55", "5,5", "2014-06-30", "2021-05-05", None, "Sí", "No"),
    ("HV-10", "Mujer", "39", "2,0", "2019-01-07", "2023-06-30", None, "No", "No"),
    ("HV-11", "Mujer", "44", "3,5", "2015-07-19", "2022-09-09", "2016-10-03", "No", "Sí"),
    ("HV-12", "Hombre", "50", "3,0", "2017-10-01", "2022-11-11", None, "No", "No"),
]
HEADERS = [
    "ID paciente",
    "Sexo",
    "Edad",
    "EDSS basal",
    "Fecha primera infusión",
    "Fecha última visita",
    "Fecha fracaso",
    "Lesiones asintomáticas",
    "Gd persistente",
]
N_PATIENTS = len(PATIENTS)
N_FAILURES = sum(1 for p in PATIENTS if p[6] is not None)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _day_first(text: str) -> str:
    return _date(text).strftime("%d/%m/%Y")


def spanish_csv() -> bytes:
    """The clinic's export: ``;``, decimal commas, day-first dates, UTF-8 with BOM."""
    lines = [";".join(HEADERS)]
    for pid, sex, age, edss, start, last, failure, lesion, gd in PATIENTS:
        cells = [pid, sex, age, edss, _day_first(start), _day_first(last)]
        cells += [_day_first(failure) if failure else "", lesion, gd]
        lines.append(";".join(cells))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def spanish_xlsx() -> bytes:
    """The same patients in a workbook: dates are date cells, EDSS a number cell."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for pid, sex, age, edss, start, last, failure, lesion, gd in PATIENTS:
        sheet.append(
            [
                pid,
                sex,
                int(age),
                float(edss.replace(",", ".")),
                dt.datetime.combine(_date(start), dt.time()),
                dt.datetime.combine(_date(last), dt.time()),
                dt.datetime.combine(_date(failure), dt.time()) if failure else None,
                lesion,
                gd,
            ]
        )
    for column in "EFG":
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _months(start: str, end: str) -> float:
    return (_date(end) - _date(start)).days / DAYS_PER_MONTH


def contract_csv(m_means: str = "F") -> bytes:
    """The same cohort in the data contract's own columns, converted independently."""
    sexes = {"Mujer": "F", "Hombre": "M", "M": m_means}
    flags = {"Sí": "1", "No": "0"}
    lines = [
        "patient_id,followup_months,failure,failure_months,sex,age_at_rtx,edss_baseline,"
        "asymptomatic_lesions,gd_persistent"
    ]
    for pid, sex, age, edss, start, last, failure, lesion, gd in PATIENTS:
        cells = [
            pid,
            repr(_months(start, last)),
            "1" if failure else "0",
            repr(_months(start, failure)) if failure else "",
            sexes[sex],
            age,
            edss.replace(",", "."),
            flags[lesion],
            flags[gd],
        ]
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()
