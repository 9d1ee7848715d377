"""Uploads (per browser session), the paper panel, and exports."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update, set_props

from analytics.data.cohort import analysis_frame
from analytics.data.dictionary import infusions_template_frame, template_frame
from analytics.data.io import write_csv
from analytics.data.privacy import identifying_columns
from analytics.data.schema import CohortValidationError
from analytics.reports.paper import compare_with_paper
from app.callbacks.common import (
    AGE_BOUNDS,
    CONTROL_STATES,
    LANGUAGE_STATE,
    in_page_language,
    report_for,
    resolve_view,
)
from app.callbacks.declarations import Declarations
from app.callbacks.relapses import relapse_report_for
from app.callbacks.safety import guarded
from app.layout import ids
from app.server.audit import audit
from app.state.cohort_store import files_from_contents
from app.state.session import app_config, current_cohort, store_for_upload
from components.export.html_report import report_html
from components.panels import analyses as panels
from components.panels.privacy import privacy_banner
from components.panels.problems import problem_text
from i18n.language import N_, integer, ngettext, t, translate_message

declared = Declarations()


def _problems_alert(error: CohortValidationError) -> dbc.Alert:
    return dbc.Alert(
        [
            html.Div(
                ngettext(
                    "The file was not loaded: {n} problem. The previous cohort is still in use.",
                    "The file was not loaded: {n} problems. The previous cohort is still in use.",
                    len(error.problems),
                ).format(n=len(error.problems)),
                className="fw-semibold",
            ),
            html.Ul(
                [html.Li(problem_text(p)) for p in error.problems[:200]],
                className="mb-0 small",
            ),
            html.Div(t("… and {n} more").format(n=len(error.problems) - 200), className="small")
            if len(error.problems) > 200
            else None,
        ],
        color="danger",
        id="upload-problems",
    )


def _upload_failed(message: str) -> tuple:
    return no_update, dbc.Alert(translate_message(message), color="danger")


def _export_failed(message: str) -> object:
    """No file; the message where the data panel reports (next to the export buttons)."""
    set_props(
        ids.UPLOAD_STATUS, {"children": dbc.Alert(translate_message(message), color="danger")}
    )
    return no_update


@declared.callback(
    Output(ids.COHORT_STORE, "data"),
    Output(ids.UPLOAD_STATUS, "children"),
    Input(ids.UPLOAD_PATIENTS, "contents"),
    Input(ids.UPLOAD_RELAPSES, "contents"),
    Input(ids.UPLOAD_INFUSIONS, "contents"),
    Input(ids.USE_DEMO, "n_clicks"),
    State(ids.UPLOAD_PATIENTS, "filename"),
    State(ids.UPLOAD_RELAPSES, "filename"),
    State(ids.UPLOAD_INFUSIONS, "filename"),
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(_upload_failed)
def load_upload(patients, relapses, infusions, _demo, patients_name, relapses_name, infusions_name):
    """Validate the uploaded files; on any problem keep the current cohort and list them all."""
    if ctx.triggered_id == ids.USE_DEMO:
        return None, dbc.Alert(t("Back to the server's cohort."), color="info")
    config = app_config()
    if not config.allow_uploads:  # the upload area is hidden, but a request can still come
        return no_update, dbc.Alert(t("Uploads are turned off on this server."), color="warning")
    if patients is None:
        return no_update, dbc.Alert(
            t("Upload the patients file first, then the relapses or infusions file."),
            color="warning",
        )
    try:
        files = files_from_contents(
            (patients, relapses, infusions), (patients_name, relapses_name, infusions_name)
        )
        assert files is not None  # the patients file is there (checked above)
        store, cohort = store_for_upload(files)
    except CohortValidationError as error:
        return no_update, _problems_alert(error)
    audit("upload", cohort, "upload")
    extras = [
        t(what).format(name=name)
        for what, contents, name in (
            (N_("relapses from {name}"), relapses, relapses_name),
            (N_("infusions from {name}"), infusions, infusions_name),
        )
        if contents is not None
    ]
    with_extras = " " + t("with {files}").format(files=t(" and ").join(extras)) if extras else ""
    loaded = dbc.Alert(
        t("Loaded {file}{extras}: {n} patients.").format(
            file=patients_name, extras=with_extras, n=integer(len(cohort.patients))
        ),
        color="success",
        id="upload-ok",
    )
    banner = privacy_banner(identifying_columns(list(cohort.patients.columns), cohort.patients))
    return store, [loaded, banner] if banner is not None else loaded


@declared.callback(Output(ids.PAPER, "children"), Input(ids.COHORT_STORE, "data"), LANGUAGE_STATE)
@in_page_language
@guarded(lambda message: panels.warnings_list([message]))
def update_paper(store):
    return panels.paper_panel(compare_with_paper(current_cohort(store)))


@declared.callback(
    Output(ids.DOWNLOAD_CSV, "data"),
    Input(ids.DOWNLOAD_CSV_BUTTON, "n_clicks"),
    State(ids.COHORT_STORE, "data"),
    *CONTROL_STATES,
    *AGE_BOUNDS,
    prevent_initial_call=True,
)
@guarded(_export_failed)
def download_csv(_clicks, store, *rest):
    *values, age_min, age_max = rest
    cohort, state, _ = resolve_view(store, values, age_min, age_max)
    frame = analysis_frame(cohort, state.filters())
    audit("export_csv", cohort, "upload" if store else None)
    name = "synthetic-demo" if cohort.synthetic else "cohort"
    return dcc.send_string(write_csv(frame), f"{name}-filtered.csv")


@declared.callback(
    Output(ids.DOWNLOAD_REPORT, "data"),
    Input(ids.DOWNLOAD_REPORT_BUTTON, "n_clicks"),
    State(ids.COHORT_STORE, "data"),
    *CONTROL_STATES,
    *AGE_BOUNDS,
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(_export_failed)
def download_report(_clicks, store, *rest):
    *values, age_min, age_max = rest
    cohort, state, _ = resolve_view(store, values, age_min, age_max)
    audit("export_report", cohort, "upload" if store else None)
    html_text = report_html(
        report_for(cohort, state),
        horizon=state.horizon,
        # The Relapses tab's report of this view (its cache): the same numbers as the tab.
        relapses=relapse_report_for(cohort, state),
    )
    return dcc.send_string(html_text, "nmosd-cohort-report.html")


@declared.callback(
    Output(ids.DOWNLOAD_TEMPLATE, "data"),
    Input(ids.DOWNLOAD_TEMPLATE_BUTTON, "n_clicks"),
    prevent_initial_call=True,
)
def download_template(_clicks):
    return dcc.send_string(write_csv(template_frame()), "nmosd-patients-template.csv")


@declared.callback(
    Output(ids.DOWNLOAD_INFUSIONS_TEMPLATE, "data"),
    Input(ids.DOWNLOAD_INFUSIONS_TEMPLATE_BUTTON, "n_clicks"),
    prevent_initial_call=True,
)
def download_infusions_template(_clicks):
    return dcc.send_string(write_csv(infusions_template_frame()), "nmosd-infusions-template.csv")


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
