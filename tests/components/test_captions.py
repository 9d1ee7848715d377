"""The plots' text alternatives carry the CLI's numbers, rounded as the page rounds them."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from analytics.__main__ import main
from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from components.figures.forest import report_sections
from components.panels import analyses
from components.text.captions import forest_caption, km_caption, mcf_caption, rates_caption
from i18n.language import using_language
from tests.dash_text import component_texts
from tests.survival_words import assert_reads

GROUP = "asymptomatic_lesions"
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _cli(*args: str, text: bool = False):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["report", "--cohort", "demo", "--format", "text" if text else "json", *args])
    assert code == 0
    return out.getvalue() if text else json.loads(out.getvalue())


@pytest.fixture(scope="module")
def grouped(demo):
    return build_report(demo, Filters(), group_by=GROUP, covariates=("age_at_rtx", "sex"))


def test_km_caption_reads_the_clis_survival_at_each_horizon(grouped):
    cli = _cli("--group-by", GROUP)
    caption = km_caption(grouped)
    assert caption.startswith("Kaplan–Meier curves of time to treatment failure by ")
    for months in (12, 24, 60):
        sentence = re.search(rf"Failure-free at {months} months: ([^.]*)\.", caption)
        assert sentence is not None, caption
        assert_reads(sentence.group(1), cli["survival_at"], months)
    # The CLI's text writes the log-rank test as "Log-rank: chi-square 11.83 on 1 df, p < 0.001".
    text = _cli("--group-by", GROUP, text=True)
    (logrank,) = [line for line in text.splitlines() if "Log-rank: chi-square" in line]
    assert "χ² = " + logrank.split("chi-square ", 1)[1] + "." in caption


def test_km_caption_has_the_summary_tables_cells(grouped):
    """Every 'failure-free at' cell of the KM summary table is in the caption, as written."""
    caption = km_caption(grouped)
    texts = component_texts(analyses.km_summary(grouped))
    cells = [text for text in texts if re.fullmatch(r"\d+% \((?:95% CI|no failures).*\)", text)]
    followed = [at for rows in grouped.survival_at.values() for at in rows if at.at_risk > 0]
    assert len(cells) == len(followed)
    for cell in cells:
        assert cell in caption


def test_km_caption_follows_the_view(demo):
    women = build_report(demo, Filters(sex="F"))
    assert km_caption(women).startswith("Kaplan–Meier curve of time to treatment failure, all")
    assert km_caption(build_report(demo, Filters(edss_min=10))) == (
        "Kaplan–Meier plot: no patients match these filters."
    )


CLI_MODELS = {"Univariable Cox": "Univariable", "Multivariable Cox": "Multivariable"}
CLI_MODELS["Firth-penalized Cox"] = "Firth"


def test_forest_caption_has_the_clis_hazard_ratios(grouped):
    """The CLI's "  sex=M (M vs F): HR 0.81 (95% CI 0.17-3.91), p = 0.79" lines, model by
    model, are the caption's "Multivariable: … sex=M (M vs F) 0.81 (0.17–3.91), p = 0.79"."""
    text = _cli("--group-by", GROUP, "--covariates", "age_at_rtx,sex", text=True)
    caption = forest_caption(report_sections(grouped))
    models: dict[str, list[str]] = {}
    model = None
    for line in text.splitlines():
        heading = next((name for cli, name in CLI_MODELS.items() if line.startswith(cli)), None)
        if heading or not line.startswith("  "):
            model = heading
        elif model and ": HR " in line:
            term, numbers = line.strip().split(": HR ", 1)
            numbers = numbers.replace("95% CI ", "").replace("-", "–")
            models.setdefault(model, []).append(f"{term} {numbers}")
    assert list(models) == ["Univariable", "Multivariable", "Firth"]
    for name, terms in models.items():
        assert f"{name}: {'; '.join(terms)}." in caption


def test_rates_caption_has_the_tables_proportions(demo, grouped):
    from analytics.reports.sections import core_section, rates_section

    core = core_section(demo, Filters(), group_by=GROUP)
    rates = rates_section(core)
    caption = rates_caption(core.failure_rate, rates)
    table = component_texts(analyses.rates_panel(rates, core))
    proportions = [text for text in table if re.fullmatch(r"\d+\.\d%", text)]
    assert proportions
    for proportion in proportions:
        assert proportion in caption
    cli = _cli("--group-by", GROUP)["failure_rate"]
    assert f"all patients {cli['estimate']:.1%} (95% CI {cli['ci_low']:.1%}" in caption


def test_captions_are_in_spanish_with_decimal_commas(grouped):
    with using_language("es"):
        caption = km_caption(grouped)
    assert caption.startswith("Curvas de Kaplan–Meier del tiempo hasta el fracaso terapéutico")
    assert "IC 95 %" in caption
    assert re.search(r"χ² = \d+,\d\d con 1 gl, p [<=] 0,\d", caption)


def test_mcf_caption_names_each_group(demo):
    from analytics.reports.relapse_report import build_relapse_report

    report = build_relapse_report(demo, Filters(), group_by=GROUP)
    caption = mcf_caption(report.mcf)
    assert caption.startswith("Mean cumulative number of relapses per patient on rituximab by ")
    for curve in report.mcf.curves:
        assert f"({curve.n} patients, {curve.events} relapses)" in caption
        assert f": {curve.mcf[-1]:.2f} by " in caption
