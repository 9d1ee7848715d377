"""Uploads (per browser session), the paper panel, and exports."""

from __future__ import annotations

from dataclasses import replace

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update, set_props

from analytics.data.cohort import Cohort, analysis_frame
from analytics.data.dictionary import infusions_template_frame, template_frame
from analytics.data.io import export_notes, read_table, write_csv
from analytics.data.mapping import (
    MappingChoice,
    Proposal,
    cli_flags,
    describe,
    examples,
    propose,
)
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
from app.state.cohort_store import UploadFiles, files_from_contents
from app.state.session import app_config, current_cohort, store_for_upload, upload_limits
from components.export.html_report import report_html
from components.panels import analyses as panels
from components.panels.mapping import mapping_table
from components.panels.privacy import privacy_banner
from components.panels.problems import problems_summary
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
            *problems_summary(error.problems),
        ],
        color="danger",
        id="upload-problems",
    )


HIDDEN = {"display": "none"}
SHOWN: dict[str, str] = {}


def _upload_failed(message: str) -> tuple:
    return no_update, dbc.Alert(translate_message(message), color="danger")


def _export_failed(message: str) -> object:
    """No file; the message where the data panel reports (next to the export buttons)."""
    set_props(
        ids.UPLOAD_STATUS, {"children": dbc.Alert(translate_message(message), color="danger")}
    )
    return no_update


def _read_patients(files: UploadFiles) -> pd.DataFrame:
    """The patients file's raw frame under the upload limits (CohortValidationError)."""
    limits = upload_limits()
    return read_table(
        files.patients,
        files.patients_name,
        max_bytes=limits.max_bytes,
        max_rows=limits.rows[0],
    )


def _loaded(
    files: UploadFiles, cohort: Cohort, choice: MappingChoice | None, from_date: bool = False
) -> object:
    extras = [
        t(what).format(name=name)
        for what, name, data in (
            (N_("relapses from {name}"), files.relapses_name, files.relapses),
            (N_("infusions from {name}"), files.infusions_name, files.infusions),
        )
        if data is not None
    ]
    with_extras = " " + t("with {files}").format(files=t(" and ").join(extras)) if extras else ""
    message: list = [
        t("Loaded {file}{extras}: {n} patients.").format(
            file=files.patients_name, extras=with_extras, n=integer(len(cohort.patients))
        )
    ]
    if choice is not None:
        lines = [translate_message(line) for line in describe(choice, from_date)]
        # The same reading on the command line, so that page and CLI give the same numbers.
        lines.append(t("Command line: {flags}").format(flags=cli_flags(choice)))
        message.append(html.Ul([html.Li(line) for line in lines], className="mb-0"))
    loaded = dbc.Alert(message, color="success", id="upload-ok")
    banner = privacy_banner(identifying_columns(list(cohort.patients.columns), cohort.patients))
    return [loaded, banner] if banner is not None else loaded


_NEEDS_MAPPING = N_(
    "This file's columns or values are not the data dictionary's: check how they will be "
    "read below, then confirm. Nothing is loaded until you do."
)


@declared.callback(
    Output(ids.COHORT_STORE, "data"),
    Output(ids.UPLOAD_STATUS, "children"),
    Input(ids.UPLOAD_PATIENTS, "contents"),
    Input(ids.UPLOAD_RELAPSES, "contents"),
    Input(ids.UPLOAD_INFUSIONS, "contents"),
    Input(ids.USE_DEMO, "n_clicks"),
    Input(ids.UPLOAD_MAPPING_CONFIRM, "n_clicks"),
    State(ids.UPLOAD_PATIENTS, "filename"),
    State(ids.UPLOAD_RELAPSES, "filename"),
    State(ids.UPLOAD_INFUSIONS, "filename"),
    State(ids.UPLOAD_SEX_M, "value"),
    State(ids.UPLOAD_DERIVE, "value"),
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(_upload_failed)
def load_upload(
    patients,
    relapses,
    infusions,
    _demo,
    _confirm,
    patients_name,
    relapses_name,
    infusions_name,
    m_means=None,
    derive=None,
):
    """Validate the uploaded files; on any problem keep the current cohort and list them all.

    A file whose headers or values are not the contract's (Spanish, dates) waits for the
    mapping step (``mapping_step``): it is loaded once the user confirms how it is read.
    """
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
        try:
            raw = _read_patients(files)
        except CohortValidationError:
            # Unreadable: the full validation lists its problems with the other files'.
            raw = None
        proposal = propose(raw) if raw is not None else Proposal(headers=())
        choice = None
        if proposal.needs_confirmation and raw is not None:
            if ctx.triggered_id != ids.UPLOAD_MAPPING_CONFIRM:
                _open_mapping_step(proposal, raw)
                alert = dbc.Alert(t(_NEEDS_MAPPING), color="info", id="upload-mapping-needed")
                return no_update, alert
            if proposal.m_ambiguous and m_means not in ("F", "M"):
                alert = dbc.Alert(t('Say what "M" means in this file first.'), color="warning")
                return no_update, alert
            choice = proposal.choice(m_means, derive_dates="derive" in (derive or []))
            files = replace(files, mapping=choice.to_json())
        store, cohort = store_for_upload(files, raw)
    except CohortValidationError as error:
        return no_update, _problems_alert(error)
    audit("upload", cohort, "upload")
    return store, _loaded(files, cohort, choice, proposal.failure_from_date)


def _open_mapping_step(proposal: Proposal, raw: pd.DataFrame) -> None:
    """Show what would be read how and the months that would be derived (the patients file
    is parsed once, here; the step is closed by ``close_mapping_step``)."""
    steps = {
        ids.UPLOAD_MAPPING_AREA: {"style": SHOWN},
        ids.UPLOAD_MAPPING_TABLE: {"children": mapping_table(proposal, examples(raw, proposal))},
        ids.UPLOAD_SEX_M_AREA: {"style": SHOWN if proposal.m_ambiguous else HIDDEN},
        ids.UPLOAD_DERIVE_AREA: {"style": SHOWN if proposal.derivations else HIDDEN},
        ids.UPLOAD_SEX_M: {"value": None},  # a new file: what M means is asked again
    }
    for component, props in steps.items():
        set_props(component, props)


@declared.callback(
    Output(ids.UPLOAD_MAPPING_AREA, "style"),
    Output(ids.UPLOAD_MAPPING_TABLE, "children"),
    Input(ids.COHORT_STORE, "data"),
    Input(ids.USE_DEMO, "n_clicks"),
    prevent_initial_call=True,
)
def close_mapping_step(_store, _demo):
    """A cohort loaded (or the server's chosen) ends the mapping step."""
    return HIDDEN, None


@declared.callback(
    Output(ids.PAPER, "children"),
    # Written in the browser when the Paper tab is shown and the cohort is new to it
    # (app.callbacks.visible): never while the tab is hidden.
    Input(ids.PAPER_GATE, "data"),
    State(ids.COHORT_STORE, "data"),
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(lambda message: panels.warnings_list([message]))
def update_paper(_gate, store):
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
    filters = state.filters()
    frame = analysis_frame(cohort, filters)
    audit("export_csv", cohort, "upload" if store else None)
    name = "synthetic-demo" if cohort.synthetic else "cohort"
    # The file says where it comes from and which filters made it (comment lines).
    notes = export_notes(cohort, filters, len(frame))
    return dcc.send_string(write_csv(frame, comments=notes), f"{name}-filtered.csv")


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
