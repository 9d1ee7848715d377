"""The warning shown when an uploaded file has columns that look identifying."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

from analytics.data.privacy import IdentifyingColumn
from i18n.language import t, translate_message

PRIVACY_BANNER_ID = "privacy-banner"


def privacy_banner(
    flags: Sequence[IdentifyingColumn], banner_id: str = PRIVACY_BANNER_ID
) -> dbc.Alert | None:
    """A warning listing the columns that look identifying, or None when there are none.

    The banner names each column and why it was flagged (never a cell value), says that
    the explorer needs only pseudonymous codes, and that nothing was stored on the server.

    Parameters
    ----------
    flags : sequence of IdentifyingColumn
        From :func:`analytics.data.privacy.identifying_columns`.
    banner_id : str
        The Alert's component id.

    Examples
    --------
    In the upload callback, after the cohort loaded::

        banner = privacy_banner(identifying_columns(cohort.patients.columns, cohort.patients))
    """
    if not flags:
        return None
    headline = (
        t("This file seems to contain identifying data: 1 column looks identifying.")
        if len(flags) == 1
        else t("This file seems to contain identifying data: {n} columns look identifying.").format(
            n=len(flags)
        )
    )
    return dbc.Alert(
        [
            html.Div(headline, className="fw-semibold"),
            html.Ul(
                [
                    html.Li(
                        [
                            html.Code(flag.column),
                            f" ({translate_message(flag.kind)}): {translate_message(flag.reason)}",
                        ]
                    )
                    for flag in flags
                ],
                className="mb-2 small",
            ),
            html.Div(
                t(
                    "The explorer needs only pseudonymous codes (such as P01) and clinical "
                    "variables: please remove these columns, or replace them with codes, and "
                    "upload the file again."
                ),
                className="small",
            ),
            html.Div(
                t(
                    "Nothing was stored on the server: the file was read in memory, never "
                    "written to disk, and stays with this browser session."
                ),
                className="small",
            ),
        ],
        color="warning",
        id=banner_id,
    )
