"""The "Export figure" menu next to each figure: PNG at 300 and 600 dpi and SVG, each at a
single- and a double-column journal width (components/export/print_spec.py).

A ``<details>`` disclosure of plain buttons: reachable and opened with the keyboard (Tab,
Enter or Space) without any script, named for screen readers by its group label, and the
same markup on the page (``export_menu``, Dash components) and in the offline HTML report
(``export_menu_html``). The buttons only carry their request (``data-export``, JSON);
``assets/figure_export.js`` writes the file in the browser, so exporting needs no server
round trip and works from a report opened without network.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from dash import html

from components.export.print_spec import CHOICES, COLUMN_WIDTH_MM, ExportChoice, export_request
from i18n.language import N_, integer, t

FIGURE_NAMES = {
    "km": N_("Kaplan–Meier plot"),
    "forest": N_("Forest plot of hazard ratios"),
    "rates": N_("Failure proportions by subgroup"),
    "timelines": N_("Patient timelines"),
    "mcf": N_("Mean cumulative number of relapses"),
}


@dataclass(frozen=True)
class MenuEntry:
    label: str
    request: str


@dataclass(frozen=True)
class MenuText:
    """Every word of one figure's menu, in the current language."""

    summary: str
    group_label: str
    working: str
    done: str
    failed: str
    entries: tuple[MenuEntry, ...]


def _choice_label(choice: ExportChoice) -> str:
    if choice.format == "png":
        kind = t("PNG, {dpi} dpi").format(dpi=choice.dpi)
    else:
        kind = t("SVG, vector with embedded font")
    width = integer(int(COLUMN_WIDTH_MM[choice.column]))
    if choice.column == "single":
        column = t("single column, {mm} mm").format(mm=width)
    else:
        column = t("double column, {mm} mm").format(mm=width)
    return f"{kind} · {column}"


def menu_text(kind: str) -> MenuText:
    return MenuText(
        summary=t("Export figure"),
        group_label=t("Export figure: {name}").format(name=t(FIGURE_NAMES[kind])),
        # {file} is filled in by the browser.
        working=t("Preparing {file}…"),
        done=t("Saved {file}."),
        failed=t("The figure could not be exported; try again or choose another format."),
        entries=tuple(
            MenuEntry(_choice_label(choice), export_request(kind, choice)) for choice in CHOICES
        ),
    )


def _messages(text: MenuText) -> dict[str, str]:
    return {
        "data-msg-working": text.working,
        "data-msg-done": text.done,
        "data-msg-failed": text.failed,
    }


def export_menu(graph_id: str, kind: str) -> html.Details:
    """The menu exporting the plotly figure of the ``dcc.Graph`` with id ``graph_id``."""
    text = menu_text(kind)
    buttons = [
        html.Button(
            entry.label,
            type="button",
            className="btn btn-sm btn-outline-secondary",
            **{"data-export": entry.request},
        )
        for entry in text.entries
    ]
    return html.Details(
        [
            html.Summary(text.summary),
            html.Div(
                buttons,
                role="group",
                className="export-choices",
                **{"aria-label": text.group_label},
            ),
            html.P(className="export-status", role="status", **{"aria-live": "polite"}),
        ],
        className="export-menu",
        **{"data-export-graph": graph_id, **_messages(text)},
    )


def export_menu_html(graph_id: str, kind: str) -> str:
    """The same menu as HTML, for the report (the graph's ``div`` has id ``graph_id``)."""
    text = menu_text(kind)
    buttons = "".join(
        f'<button type="button" class="export-button" data-export="{escape(entry.request)}">'
        f"{escape(entry.label)}</button>"
        for entry in text.entries
    )
    messages = "".join(f' {name}="{escape(value)}"' for name, value in _messages(text).items())
    return (
        f'<details class="export-menu" data-export-graph="{escape(graph_id)}"{messages}>'
        f"<summary>{escape(text.summary)}</summary>"
        f'<div role="group" class="export-choices" aria-label="{escape(text.group_label)}">'
        f'{buttons}</div><p class="export-status" role="status" aria-live="polite"></p>'
        "</details>"
    )
