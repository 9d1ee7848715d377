"""Summary cards and the live count: the numbers a neurologist reads first."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from analytics.reports.report import Report
from components.text.format import format_ci, format_median_ci, format_number, median_value
from components.text.relapse_text import number as rate_number
from i18n.language import integer, percent, t


def _card(title: str, value: str, detail: str, card_id: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="card-title-small"),
                    html.Div(value, className="card-value", id=f"{card_id}-value"),
                    html.Div(detail, className="card-detail"),
                ]
            ),
            className="h-100 summary-card",
            id=card_id,
        ),
        xs=6,
        md=4,
        xl=2,
    )


def summary_cards(report: Report, total: int) -> dbc.Row:
    """n, failures, failure proportion, incidence, median follow-up, relapse rates."""
    fr, inc = report.failure_rate, report.incidence
    cards = [
        _card(
            t("Patients"),
            integer(report.n),
            t("of {total} in the cohort").format(total=integer(total)),
            "card-n",
        ),
        _card(
            t("Treatment failures"),
            integer(report.events),
            t("relapse after the grace period")
            if report.grace_applied
            else t("as recorded in the failure column"),
            "card-events",
        ),
        _card(
            t("Failure proportion"),
            t("n/a") if report.n == 0 else percent(fr.estimate),
            t("{ci}, exact").format(ci=format_ci(fr.ci_low, fr.ci_high, percent=True)),
            "card-proportion",
        ),
        _card(
            t("Failures / 100 person-years"),
            format_number(inc.estimate, 2),
            t("{ci}, exact Poisson").format(ci=format_ci(inc.ci_low, inc.ci_high, digits=2)),
            "card-incidence",
        ),
    ]
    follow = report.follow_up
    cards.append(
        _card(
            t("Median follow-up (months)"),
            t("n/a") if follow is None else median_value(follow.median),
            t("reverse Kaplan–Meier")
            if follow is None
            else t("{ci}, reverse KM").format(
                ci=format_median_ci(follow.median_ci_low, follow.median_ci_high)
            ),
            "card-followup",
        )
    )
    rates = report.relapse_rates
    if rates is not None:
        cards.append(
            _card(
                t("Annualized relapse rate"),
                # The Relapses tab's and the CLI's rounding (0.066, not 0.07): one number.
                f"{rate_number(rates.pooled_pre.estimate)} → "
                f"{rate_number(rates.pooled_post.estimate)}",
                t("before → after rituximab (pooled)"),
                "card-arr",
            )
        )
    return dbc.Row(cards, className="g-2")


def live_count(n: int, events: int, total: int) -> list[object]:
    """Always-visible n and failures beside the filters."""
    return [
        html.Span(integer(n), className="fw-bold"),
        " " + t("of {total} patients,").format(total=integer(total)) + " ",
        html.Span(integer(events), className="fw-bold"),
        " " + t("failures"),
    ]


def cohort_badge(label: str, synthetic: bool, fingerprint: str) -> list[object]:
    """Where the data come from; the demo is always called synthetic."""
    if synthetic:
        return [
            dbc.Badge(
                t("Synthetic demo cohort"),
                color="warning",
                text_color="dark",
                className="me-2 synthetic-badge",
            ),
            html.Span(
                t("invented patients calibrated to the published study — not real data"),
                className="small",
            ),
        ]
    return [
        html.Span(t("Cohort:") + " ", className="small"),
        html.Span(label, className="fw-semibold"),
        html.Span(
            " · " + t("fingerprint {code}").format(code=fingerprint[:12]), className="small ms-1"
        ),
    ]
