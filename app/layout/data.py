"""The Data tab: uploads, templates, exports and the data dictionary.

Uploads are read by ``app.callbacks.data``, which also serves the downloads.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app.layout import ids
from app.layout.lazy import lazy
from app.server.config import Config
from components.panels.dictionary import dictionary_table
from i18n.language import integer, short, t


def _upload_box(component_id: str, what: str, config: Config) -> dcc.Upload:
    return dcc.Upload(
        id=component_id,
        max_size=config.max_upload_bytes,
        # The hidden file input is named by this text (assets/a11y.js: dcc.Upload passes no
        # aria attributes to its input).
        children=html.Div(
            [
                t("{what}: drag here or ").format(what=what),
                html.Span(t("choose a file"), className="link"),
            ],
            id=f"{component_id}-label",
            className="upload-label",
        ),
        className="upload-box",
    )


def mapping_step() -> html.Div:
    """How a clinic's file is read (filled by ``app.callbacks.data``), hidden until one is.

    The controls are always in the page (hidden) because the upload callback names them.
    """
    return html.Div(
        [
            html.H3(t("Check how the file is read, then confirm"), className="h6"),
            html.Div(id=ids.UPLOAD_MAPPING_TABLE),
            html.Div(
                [
                    html.Div(
                        t(
                            'The sex column has "M": in a Spanish file it may be Mujer (woman) '
                            "or Masculino (man). What does M mean in this file?"
                        ),
                        id="upload-sex-m-label",
                        className="fw-semibold",
                    ),
                    html.Div(
                        dbc.RadioItems(
                            id=ids.UPLOAD_SEX_M,
                            options=[
                                {"label": t("M = Mujer (woman, F)"), "value": "F"},
                                {"label": t("M = Masculino (man, M)"), "value": "M"},
                            ],
                            value=None,
                            inline=True,
                        ),
                        # Named for screen readers by the question above it.
                        role="radiogroup",
                        **{"aria-labelledby": "upload-sex-m-label"},
                    ),
                ],
                id=ids.UPLOAD_SEX_M_AREA,
                className="mb-2",
                style={"display": "none"},
            ),
            html.Div(
                dbc.Checklist(
                    id=ids.UPLOAD_DERIVE,
                    options=[
                        {"label": t("Derive the months from the dates as shown"), "value": "derive"}
                    ],
                    value=["derive"],
                ),
                id=ids.UPLOAD_DERIVE_AREA,
                className="mb-2",
                style={"display": "none"},
            ),
            dbc.Button(t("Confirm and load"), id=ids.UPLOAD_MAPPING_CONFIRM, color="primary"),
        ],
        id=ids.UPLOAD_MAPPING_AREA,
        className="border rounded p-2 mb-2",
        style={"display": "none"},
    )


def data_panel(config: Config) -> html.Div:
    patients, relapses, infusions = config.upload_row_limits
    limits = (
        t(
            "Up to {mb} MB per file; up to {patients} patients, {relapses} relapse rows and "
            "{infusions} infusion rows."
        ).format(
            mb=short(config.max_upload_mb),
            patients=integer(patients),
            relapses=integer(relapses),
            infusions=integer(infusions),
        )
        if config.allow_uploads
        else t("Uploads are turned off on this server: it shows its configured cohort only.")
    )
    return html.Div(
        [
            html.H2(t("Load a cohort"), className="h5"),
            html.P(
                t(
                    "Upload a patients file (CSV, XLSX or Parquet), optionally with a relapses "
                    "file and a rituximab infusions file (drawn on the patient timelines). "
                    "Uploads are never written to disk on the server: this browser tab and the "
                    "server's memory hold them while the page is open. If the file has "
                    "problems, every problem is listed and the current cohort stays loaded."
                )
                + " "
                + limits,
            ),
            dbc.Row(
                [
                    dbc.Col(_upload_box(ids.UPLOAD_PATIENTS, t("Patients file"), config), md=4),
                    dbc.Col(
                        _upload_box(ids.UPLOAD_RELAPSES, t("Relapses file (optional)"), config),
                        md=4,
                    ),
                    dbc.Col(
                        _upload_box(ids.UPLOAD_INFUSIONS, t("Infusions file (optional)"), config),
                        md=4,
                    ),
                ],
                className="g-2 mb-2",
                # Hidden, not removed, when uploads are off: the callbacks still name them.
                style=None if config.allow_uploads else {"display": "none"},
            ),
            html.Div(id=ids.UPLOAD_STATUS, role="status"),
            mapping_step(),
            html.Div(
                [
                    dbc.Button(
                        t("Back to the demo / server cohort"),
                        id=ids.USE_DEMO,
                        color="link",
                        className="ps-0",
                    ),
                    dbc.Button(
                        t("Download template"), id=ids.DOWNLOAD_TEMPLATE_BUTTON, color="link"
                    ),
                    dbc.Button(
                        t("Download infusions template"),
                        id=ids.DOWNLOAD_INFUSIONS_TEMPLATE_BUTTON,
                        color="link",
                    ),
                ]
            ),
            html.H2(t("Export"), className="h5 mt-4"),
            html.Div(
                [
                    dbc.Button(
                        t("Filtered cohort (CSV)"),
                        id=ids.DOWNLOAD_CSV_BUTTON,
                        color="primary",
                        outline=True,
                        className="me-2",
                    ),
                    dbc.Button(
                        t("Report of this view (HTML)"),
                        id=ids.DOWNLOAD_REPORT_BUTTON,
                        color="primary",
                        outline=True,
                    ),
                ]
            ),
            html.P(t("Figures: use the camera icon above each plot (SVG)."), className="form-text"),
            html.H2(t("Data dictionary"), className="h5 mt-4", id="data-dictionary"),
            # About 250 components: built when the Data tab is first opened.
            *lazy("dictionary", [dictionary_table()]),
            dcc.Download(id=ids.DOWNLOAD_CSV),
            dcc.Download(id=ids.DOWNLOAD_REPORT),
            dcc.Download(id=ids.DOWNLOAD_TEMPLATE),
            dcc.Download(id=ids.DOWNLOAD_INFUSIONS_TEMPLATE),
        ]
    )
