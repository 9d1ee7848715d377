"""A self-contained HTML report of the current view: opens offline, no external resources."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from html import escape

import plotly.io as pio

from analytics.reports.filters_text import filters_text
from analytics.reports.km_text import km_summary_cells
from analytics.reports.methods import methods_text
from analytics.reports.relapse_report import RelapseReport
from analytics.reports.report import Report
from analytics.stats.cox.results import term_label
from analytics.stats.levels import using_conf_level
from components.export.export_assets import REPORT_STYLE, font_data_url, inline_export_script
from components.export.menu import export_menu_html
from components.export.plotlyjs import inline_script
from components.figures.base import Figure
from components.figures.forest import forest_figure, report_sections
from components.figures.km import km_figure
from components.figures.mcf import mcf_figure, tail_caption
from components.text import exposure_text
from components.text.format import (
    ci_label,
    format_ci,
    format_hr,
    format_median,
    format_number,
    format_p,
)
from components.text.labels import column_label
from components.text.relapse_text import (
    THETA_SENTENCE,
    RateCell,
    TextTable,
    andersen_gill_tables,
    between_table,
    counting_sentence,
    group_notes,
    mcf_method_sentence,
    rates_table,
    regression_to_mean_caveat,
)
from components.text.table_one_text import mancova_cells, table_one_cells
from i18n.language import current_language, integer, percent, t
from i18n.language import translate_message as tm

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#1a1a1a;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #ccc;
padding:.3rem .6rem;text-align:left}th{background:#f3f4f6}
.synthetic{background:#fff3cd;border-left:4px solid #997404;padding:.5rem 1rem}
.warn{background:#fff8e1;padding:.5rem 1rem}code{font-size:.9em}
caption{caption-side:top;text-align:left;color:#444;font-size:.9em;padding:.3rem 0}
.note{color:#444;font-size:.95em}small{color:#555}
"""


def _table(header: list[str], rows: list[list[object]], caption: str | None = None) -> str:
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    top = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{top}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary(report: Report) -> str:
    fr, inc = report.failure_rate, report.incidence
    rows = [
        [t("Patients"), integer(report.n)],
        [t("Treatment failures"), integer(report.events)],
        [t("Person-years"), format_number(report.person_years)],
        [
            t("Failure proportion"),
            t("n/a")
            if report.n == 0
            else f"{percent(fr.estimate)} {format_ci(fr.ci_low, fr.ci_high, percent=True)}",
        ],
        [
            t("Failures per 100 person-years"),
            f"{format_number(inc.estimate, 2)} {format_ci(inc.ci_low, inc.ci_high, digits=2)}",
        ],
    ]
    follow = report.follow_up
    if follow is not None:
        # As the page's card: the median with its CI (R's limits, 'NR' where not reached).
        shown = format_median(follow.median, follow.median_ci_low, follow.median_ci_high)
        rows.append([t("Median follow-up (reverse KM), months"), shown])
    return _table([t("Quantity"), t("Value")], rows)


def _curves(report: Report) -> str:
    """The Survival tab's table: medians and failure-free percentages with their CIs."""
    if not report.km:
        return ""
    header, rows, caption = km_summary_cells(report)
    return _table(header, rows, caption)


def _hazards(report: Report) -> str:
    rows = []
    for section, model in (
        *[
            (t("Univariable ({name})").format(name=column_label(k)), m)
            for k, m in report.univariable_models.items()
        ],
        (t("Multivariable"), report.cox),
        (t("Firth-penalized"), report.firth),
    ):
        if model is None:
            continue
        rows += [
            [section, term_label(term), format_hr(term.hr, term.ci_low, term.ci_high)]
            + [format_p(term.p), model.n, model.events]
            for term in model.terms
        ]
    header = [t("Model"), t("Term"), t("HR ({ci})").format(ci=ci_label()), "p", "n"]
    header.append(t("Failures"))
    return _table(header, rows) if rows else f"<p>{escape(t('No Cox model.'))}</p>"


def _lesions(report: Report) -> str:
    timing = report.lesion_timing
    if timing is None:
        return f"<p>{escape(t('No asymptomatic-lesion data.'))}</p>"
    rows = []
    models = (timing.naive, timing.time_dependent, timing.landmark)
    for name, model in zip(exposure_text.model_names(timing), models, strict=True):
        if model is not None and model.terms:
            term = model.terms[0]
            hr = format_hr(term.hr, term.ci_low, term.ci_high)
            rows.append([name, term_label(term), hr, format_p(term.p), model.n, model.events])
        elif model is None:
            rows.append([name, "", exposure_text.needs_onset(timing), "", "", ""])
        else:
            rows.append([name, "", t("not estimable"), "", model.n, model.events])
    header = [t("Model"), t("Term"), t("HR ({ci})").format(ci=ci_label()), "p", "n"]
    header.append(t("Failures"))
    adjusted = exposure_text.adjusted_for(timing)
    extra = f"<p>{escape(adjusted)}</p>" if adjusted else ""
    return _table(header, rows) + extra + f"<p>{escape(tm(timing.explanation))}</p>"


def _table_one(report: Report) -> str:
    """Table 1 and MANCOVA of the view, as the page's tab shows them."""
    parts = []
    if report.table_one is not None:
        header, rows = table_one_cells(report.table_one)
        parts.append(f"<h2>{escape(t('Table 1'))}</h2>" + _table(header, rows))
        parts.append(f"<p>{escape(t('Median (IQR) or n (%).'))}</p>")
    if report.mancova is not None and report.mancova.terms:
        header, rows, caption = mancova_cells(report.mancova)
        parts.append(f"<h2>MANCOVA</h2><p>{escape(caption)}</p>" + _table(header, rows))
    return "".join(parts)


# Height of plotly's mode bar (its buttons and padding) at the top right of a figure.
TOOLBAR_PX = 36


def clear_of_toolbar(figure: Figure) -> Figure:
    """``figure`` with a strip above its plot area for the mode bar: a legend above the plot
    (the forest plot's) or to its right (the mean cumulative function's) starts below the
    strip, so the toolbar, shown while the pointer is over the figure, never covers it."""
    layout = dict(figure.get("layout", {}))
    margin = dict(layout.get("margin", {}))
    margin["t"] = margin.get("t", 100) + TOOLBAR_PX  # plotly.js's default top margin is 100
    layout["margin"] = margin
    if "height" in layout:
        layout["height"] = layout["height"] + TOOLBAR_PX  # the plot area keeps its height
    return {**figure, "layout": layout}


def _figure_html(figure: Figure, kind: str) -> str:
    """The figure, and under it the page's "Export figure" menu (PNG 300/600 dpi, SVG)."""
    div_id = f"report-{kind}-figure"
    # validate=False: the builders write plotly.js's JSON (components.figures.base).
    plot = pio.to_html(
        clear_of_toolbar(figure),
        include_plotlyjs=False,
        full_html=False,
        config={"displaylogo": False},
        validate=False,
        div_id=div_id,
    )
    return str(plot) + export_menu_html(div_id, kind)


def _text_table(table: TextTable) -> str:
    """A table of :mod:`components.text.relapse_text`, as the Relapses tab shows it."""

    def cell(value: object) -> str:
        if isinstance(value, RateCell):
            return f"{escape(value.rate)}<br><small>{escape(value.counts)}</small>"
        return escape(str(value))

    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in table.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>" for row in table.rows
    )
    return (
        f"<table><caption>{escape(table.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _paragraph(text: str, css: str = "note") -> str:
    return f"<p class='{css}'>{escape(text)}</p>"


def _relapses(relapses: RelapseReport, synthetic: bool) -> tuple[str, bool]:
    """The Relapses tab's content as HTML, and whether it holds a figure."""
    if not relapses.available:
        return f"<p>{escape(t('No relapses file: the relapse analyses need one.'))}</p>", False
    if relapses.n == 0:
        return f"<p>{escape(t('No patients match.'))}</p>", False
    parts = [
        _paragraph(counting_sentence(relapses)),
        _text_table(rates_table(relapses)),
        _paragraph(regression_to_mean_caveat(relapses)),
        _paragraph(t(THETA_SENTENCE)),
    ]
    between = between_table(relapses)
    if between is not None:
        parts.append(f"<h3>{escape(t('Between groups'))}</h3>" + _text_table(between))
    mcf = relapses.mcf
    if mcf is not None and mcf.curves:
        suffix = " · " + t("synthetic demo cohort") if synthetic else ""
        title = t("Mean cumulative number of relapses on rituximab") + suffix
        parts += [
            _figure_html(mcf_figure(mcf, title=title), "mcf"),
            _paragraph(mcf_method_sentence()),
        ]
        faded = tail_caption(mcf)
        if faded is not None:
            parts.append(_paragraph(faded))
    ag = andersen_gill_tables(relapses)
    if ag is not None:
        robust, naive = ag
        parts.append(
            f"<h3>{escape(t('All post-rituximab relapses: Andersen–Gill'))}</h3>"
            + _text_table(robust)
            + f"<details><summary>{escape(t('Model-based (naive) standard errors'))}</summary>"
            + _text_table(naive)
            + "</details>"
        )
    notes = list(dict.fromkeys([*group_notes(relapses), *relapses.notes]))
    if notes:
        items = "".join(f"<li>{escape(tm(n))}</li>" for n in notes)
        heading = escape(t("Read with care"))
        parts.append(f"<p><strong>{heading}</strong></p><ul class='warn'>{items}</ul>")
    return "".join(parts), mcf is not None and bool(mcf.curves)


def report_html(
    report: Report, *, horizon: float | None = None, relapses: RelapseReport | None = None
) -> str:
    """The whole report as one HTML string (plotly.js inlined once, so it works offline).

    ``relapses``, the Relapses tab's report of the same view, adds its section; without it the
    report has none. Interval labels name the report's confidence level.
    """
    with using_conf_level(report.conf_level):
        return _report_html(report, horizon, relapses)


def _report_html(report: Report, horizon: float | None, relapses: RelapseReport | None) -> str:
    figures = []
    if report.n:
        km = km_figure(
            report.km,
            report.risk_table,
            horizon=horizon,
            group_by=report.group_by,
            logrank_p=None if report.logrank is None else report.logrank.p,
        )
        figures.append(_figure_html(km, "km"))
    sections = report_sections(report)
    if any(terms for _, terms in sections):
        figures.append(_figure_html(forest_figure(sections), "forest"))
    # The relapse report carries its own level (the view's, when the page made it).
    with using_conf_level(report.conf_level if relapses is None else relapses.conf_level):
        relapse_section, relapse_figure = (
            ("", False) if relapses is None else _relapses(relapses, report.synthetic)
        )
    if relapse_section:
        heading = escape(t("Relapses before and after rituximab"))
        relapse_section = f"<h2>{heading}</h2>{relapse_section}"
    return with_policy(_page(report, figures, relapse_section, relapse_figure))


_SCRIPT = re.compile(r"<script[^>]*>(.*?)</script>", re.DOTALL)
_CHARSET = '<meta charset="utf-8">'


def with_policy(page: str) -> str:
    """The page with a Content-Security-Policy that runs only its own inline scripts (by
    SHA-256 hash: plotly.js and each figure's call), loads nothing from anywhere and sends
    nothing anywhere, so a label that slipped through as markup cannot run or phone home.
    Styles stay 'unsafe-inline': plotly.js sets element styles at run time (no script runs
    by it). A meta policy, since a downloaded file has no response headers."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode() + "'"
        for m in _SCRIPT.finditer(page)
    )
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {hashes or chr(39) + 'none' + chr(39)}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "font-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    meta = f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">'
    return page.replace(_CHARSET, _CHARSET + meta, 1)


def _scripts(with_figures: object) -> str:
    """plotly.js and the export script, and the font the export embeds (in a template the
    script reads: the report must export offline), when the report holds a figure."""
    if not with_figures:
        return ""
    font = f'<template data-export-font="{font_data_url()}"></template>'
    return inline_script() + inline_export_script() + font


def _page(report: Report, figures: list[str], relapse_section: str, relapse_figure: bool) -> str:
    synthetic = (
        f"<p class='synthetic'><strong>{escape(t('Synthetic demo cohort'))}</strong>: "
        f"{escape(t('invented patients, not real data.'))}</p>"
        if report.synthetic
        else ""
    )
    # Without grace period when the outcome is the recorded failure column (see Methods).
    filters = filters_text(report.filters, report.grace_applied)
    warnings = "".join(f"<li>{escape(tm(w))}</li>" for w in report.warnings)
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    none = t("none")
    context = t("Filters: {filters}; grouping: {group}; covariates: {covariates}.").format(
        filters=filters,
        group=none if report.group_by is None else column_label(report.group_by),
        covariates=", ".join(column_label(c) for c in report.covariates) or none,
    )
    cohort = t("Cohort: {label} · data fingerprint (SHA-256) {fingerprint} · generated {when}")
    no_patients = f"<p>{escape(t('No patients match.'))}</p>"
    return f"""<!DOCTYPE html>
<html lang="{current_language()}"><head><meta charset="utf-8">
<title>{escape(t("NMOSD rituximab cohort report"))}</title>
<style>{STYLE}{REPORT_STYLE}</style>{_scripts(figures or relapse_figure)}</head><body>
<h1>{escape(t("RTX-Refractory NMOSD Cohort Explorer — report"))}</h1>
{synthetic}
<p>{
        escape(cohort).format(
            label=escape(report.cohort_label),
            fingerprint=f"<code>{escape(report.fingerprint)}</code>",
            when=generated,
        )
    }</p>
<p>{escape(context)}</p>
<h2>{escape(t("Summary"))}</h2>{_summary(report)}
<h2>Kaplan–Meier</h2>{figures[0] if report.n else no_patients}{_curves(report)}
<h2>{escape(t("Hazard ratios"))}</h2>{figures[1] if len(figures) > 1 else ""}{_hazards(report)}
<h2>{escape(exposure_text.report_heading(report.lesion_timing))}</h2>{_lesions(report)}
{_table_one(report)}
{relapse_section}
{f"<h2>{escape(t('Warnings'))}</h2><ul class='warn'>{warnings}</ul>" if warnings else ""}
<h2>{escape(t("Methods"))}</h2><p>{escape(methods_text(report))}</p>
</body></html>"""
