"""A MANCOVA design the user chose that cannot be fitted says why in clinical words (en + es),
not numpy's or statsmodels' wording ("Covariance of x singular!")."""

from dataclasses import replace

from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from i18n.language import translate_message, using_language


def test_collinear_covariates_are_named_as_such_in_both_languages(demo):
    patients = demo.patients.copy()
    patients["age_in_half_years"] = patients["age_at_rtx"] * 2  # collinear with age
    cohort = replace(demo, patients=patients)
    report = build_report(cohort, Filters(), mancova_covariates=["age_at_rtx", "age_in_half_years"])
    assert report.mancova is None
    [note] = [w for w in report.warnings if w.startswith("MANCOVA not computed")]
    assert "collinear or constant" in note
    assert "singular!" not in note
    with using_language("es"):
        spanish = translate_message(note)
    assert spanish.startswith("MANCOVA no calculado: el factor y las covariables son colineales")
