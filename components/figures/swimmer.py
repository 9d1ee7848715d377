"""Swimmer plot of patient timelines (its caption and the KM-step panel: timeline_panels).

Pure rendering of :class:`analytics.stats.timelines.Timelines` and :class:`KmStep`. Only scatter
traces (the page ships plotly's basic bundle): a row's bar is a thick line from month 0 to
last follow-up; events are markers on it, infusions small ticks just under it.
"""

from __future__ import annotations

from collections.abc import Sequence

from analytics.stats.timelines import (
    ROLE_CENSORED,
    ROLE_FAILED,
    KmStep,
    PatientTimeline,
    Timelines,
)
from components.figures.base import (
    FONT,
    Figure,
    Trace,
    fast_figure,
    heading,
    scatter,
    under_toolbar,
)
from components.figures.empty import empty_figure
from components.figures.palette import GROUP_COLOURS, TAIL_ALPHA, rgba
from components.text.labels import figure_column_label, figure_level_label, markup_free
from i18n.language import number, short, t, translate_message

NO_GROUP_COLOUR = "#6c757d"
GRACE_FILL = "rgba(108,117,125,0.18)"
MARK_COLOUR = "#000000"
# Between groups' rows: light, yet a 3:1 mark on white (Bootstrap's grey 600).
DIVIDER_COLOUR = "#868e96"
INFUSION_COLOUR = "#495057"
# Okabe–Ito yellow: a band behind the rows of a selected KM step, visible behind every
# group colour and distinct from them under colour-vision deficiencies.
STEP_BAND = "rgba(240,228,66,0.55)"
# Row labels are readable up to about this many rows; beyond, hover names the patient.
MAX_LABELLED_ROWS = 80
# A legend of up to four lines (a 1024-px figure wraps it) above the rows, under the title.
LEGEND_PIXELS = 100


def _row_pixels(n: int) -> int:
    return 20 if n <= MAX_LABELLED_ROWS else 8


def _group_name(timelines: Timelines, group: str | None) -> str:
    if group is None:
        return f"{figure_column_label(timelines.group_by)}: " + t("not recorded")
    return figure_level_label(timelines.group_by, group)


def _colour(timelines: Timelines, group: str | None) -> str:
    if group is None or group not in timelines.groups:
        return NO_GROUP_COLOUR
    return GROUP_COLOURS[timelines.groups.index(group) % len(GROUP_COLOURS)]


def _months(values: Sequence[float]) -> str:
    return ", ".join(number(v) for v in values) if values else t("none")


def _summary(row: PatientTimeline, group: str) -> str:
    outcome = (
        t("treatment failure at month {month}").format(month=number(row.failure_months))
        if row.failure_months is not None
        else t("no failure (censored)")
    )
    lesion = (
        ""
        if row.lesion_months is None
        else "<br>"
        + t("New asymptomatic lesion: month {month}").format(month=number(row.lesion_months))
    )
    step = (
        ""
        if row.step_role is None
        else "<br>" + t("Selected KM step: {role}").format(role=translate_message(row.step_role))
    )
    return (
        f"<b>{markup_free(row.patient_id)}</b> · {group}<br>"
        + t("Follow-up: {months} months, {outcome}").format(
            months=number(row.followup_months), outcome=outcome
        )
        + lesion
        + "<br>"
        + t("Relapses (month): {months}").format(months=_months(row.relapse_months))
        + "<br>"
        + t("Infusions: {n}").format(n=len(row.infusion_months))
        + step
    )


def _bar_traces(timelines: Timelines, width: float) -> list[Trace]:
    selecting = any(row.step_role is not None for row in timelines.rows)
    keys: list[str | None] = [*timelines.groups, None]
    traces = []
    for group in keys:
        members = [(i, r) for i, r in enumerate(timelines.rows) if r.group == group]
        if not members:
            continue
        name = _group_name(timelines, group)
        colour = _colour(timelines, group)
        legend_shown = False
        for emphasised in (True, False):
            part = [(i, r) for i, r in members if (r.step_role is not None) == emphasised]
            if not part or (emphasised and not selecting):
                continue
            faded = selecting and not emphasised
            x: list[float | None] = []
            y: list[float | None] = []
            text: list[str | None] = []
            for i, row in part:
                summary = _summary(row, name)
                x += [0.0, row.followup_months, None]
                y += [i, i, None]
                text += [summary, summary, None]
            total = timelines.group_totals.get(group, len(members)) if group else len(members)
            shown = "" if total == len(members) else ", " + t("{n} shown").format(n=len(members))
            traces.append(
                scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    # Rows away from the step: thinner and lighter, still a 3:1 mark.
                    line={
                        "color": rgba(colour, TAIL_ALPHA) if faded else colour,
                        "width": width * 0.5 if faded else width,
                    },
                    name=f"{name} (n={total}{shown})",
                    legendgroup=name,
                    # One legend entry per group, whichever of its parts is drawn first.
                    showlegend=not legend_shown,
                    hovertext=text,
                    hoverinfo="text",
                )
            )
            legend_shown = True
    return traces


def _marks(
    name: str,
    points: list[tuple[float, float, str]],
    marker: dict[str, object],
) -> Trace:
    return scatter(
        x=[p[0] for p in points],
        y=[p[1] for p in points],
        mode="markers",
        marker=marker,
        name=name,
        hovertext=[p[2] for p in points],
        hoverinfo="text",
    )


Point = tuple[float, float, str]  # x (month), y (row), hover text


def _relapse_points(row: PatientTimeline, i: int, grace_months: float) -> list[Point]:
    points = []
    for month in row.relapse_months:
        # The failing relapse has its own mark.
        if row.failure_months is not None and abs(month - row.failure_months) < 1e-9:
            continue
        when = t("before rituximab") if month < 0 else t("within the grace period")
        if month > grace_months:
            when = t("after the grace period")
        text = t("relapse at month {month} ({when})").format(month=number(month), when=when)
        points.append((month, i, f"{markup_free(row.patient_id)}: {text}"))
    return points


def _mark_points(timelines: Timelines) -> dict[str, list[Point]]:
    marks: dict[str, list[Point]] = {
        "relapse": [],
        "failure": [],
        "censored": [],
        "lesion": [],
        "infusion": [],
    }
    for i, row in enumerate(timelines.rows):
        pid = markup_free(row.patient_id)
        marks["relapse"] += _relapse_points(row, i, timelines.grace_months)
        if row.failure_months is not None:
            text = f"{pid}: " + t("treatment failure at month {month}").format(
                month=number(row.failure_months)
            )
            marks["failure"].append((row.failure_months, i, text))
        else:
            text = f"{pid}: " + t("censored at month {month}").format(
                month=number(row.followup_months)
            )
            marks["censored"].append((row.followup_months, i, text))
        if row.lesion_months is not None:
            text = f"{pid}: " + t("new asymptomatic lesion, month {month}").format(
                month=number(row.lesion_months)
            )
            marks["lesion"].append((row.lesion_months, i, text))
        # Just under the bar: re-dosing every ~6 months would crowd the events on it.
        marks["infusion"] += [
            (
                month,
                i + 0.38,
                f"{pid}: " + t("rituximab infusion at month {month}").format(month=number(month)),
            )
            for month in row.infusion_months
        ]
    return marks


def _mark_traces(timelines: Timelines, pitch: int) -> list[Trace]:
    points = _mark_points(timelines)
    relapses, failures, censored = points["relapse"], points["failure"], points["censored"]
    lesions, infusions = points["lesion"], points["infusion"]
    small = pitch < 12
    traces = []
    if timelines.has_infusions:
        traces.append(
            _marks(
                t("Rituximab infusion"),
                infusions,
                {"symbol": "triangle-up", "size": 4 if small else 6, "color": INFUSION_COLOUR},
            )
        )
    if timelines.has_relapses:
        traces.append(
            _marks(
                t("Relapse (not a failure)"),
                relapses,
                {
                    "symbol": "circle",
                    "size": 5 if small else 8,
                    "color": "white",
                    "line": {"color": MARK_COLOUR, "width": 1.5},
                },
            )
        )
    if timelines.has_lesion_times:
        traces.append(
            _marks(
                t("New asymptomatic MRI lesion"),
                lesions,
                {
                    "symbol": "diamond",
                    "size": 6 if small else 10,
                    "color": "#E69F00",
                    "line": {"color": MARK_COLOUR, "width": 1},
                },
            )
        )
    traces.append(
        _marks(
            t("Treatment failure (first relapse after the grace period)"),
            failures,
            {"symbol": "x", "size": 7 if small else 12, "color": MARK_COLOUR},
        )
    )
    traces.append(
        _marks(
            t("Censored at last follow-up"),
            censored,
            {
                "symbol": "line-ns-open",
                "size": 8 if small else 14,
                "color": MARK_COLOUR,
                "line": {"width": 2},
            },
        )
    )
    return traces


def _grace_legend(grace_months: float) -> Trace:
    # A legend entry for the shaded band (a shape has none); no points of its own.
    return scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={"symbol": "square", "size": 12, "color": GRACE_FILL},
        name=t("Grace period ({months} months): relapses here are not failures").format(
            months=short(grace_months)
        ),
        hoverinfo="skip",
    )


def _step_traces(timelines: Timelines, step: KmStep | None, pitch: int) -> list[Trace]:
    rows = [
        (i, r) for i, r in enumerate(timelines.rows) if r.step_role in (ROLE_FAILED, ROLE_CENSORED)
    ]
    if not rows or step is None:
        return []
    left = _x_range(timelines)[0]
    x: list[float | None] = []
    y: list[float | None] = []
    for i, row in rows:
        x += [left, row.followup_months, None]
        y += [i, i, None]
    return [
        scatter(
            x=x,
            y=y,
            mode="lines",
            line={"color": STEP_BAND, "width": pitch},
            name=t("Failed or censored at the selected KM step (month {month})").format(
                month=number(step.time_months)
            ),
            hoverinfo="skip",
            legendrank=2000,  # after the groups and marks it refers to
        )
    ]


def _x_range(timelines: Timelines) -> tuple[float, float]:
    earliest = min((min(r.relapse_months, default=0.0) for r in timelines.rows), default=0.0)
    latest = max((r.followup_months for r in timelines.rows), default=12.0)
    span = max(latest - min(earliest, 0.0), 1.0)
    return min(earliest, 0.0) - 0.02 * span, latest + 0.02 * span


def _tick_labels(timelines: Timelines) -> list[str]:
    return [
        f"<b>{markup_free(row.patient_id)}</b>"
        if row.step_role is not None
        else markup_free(row.patient_id)
        for row in timelines.rows
    ]


def _group_dividers(timelines: Timelines) -> list[dict[str, object]]:
    shapes: list[dict[str, object]] = []
    for i in range(1, len(timelines.rows)):
        if timelines.rows[i].group != timelines.rows[i - 1].group:
            shapes.append(
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": i - 0.5,
                    "y1": i - 0.5,
                    "line": {"color": DIVIDER_COLOUR, "width": 1, "dash": "dot"},
                }
            )
    return shapes


def swimmer_figure(
    timelines: Timelines, *, title: str | None = None, step: KmStep | None = None
) -> Figure:
    """One row per patient (sorted and coloured by group) from month 0 to last follow-up.

    Relapses before rituximab lie left of 0. The grace period is shaded: relapses inside it
    are not failures. With a selected KM ``step`` its time is a dashed line, the rows at
    risk there keep full colour and the rest fade; those failing or censored there are
    banded in yellow and their codes set in bold.
    """
    title = t("Patient timelines") if title is None else title
    n = len(timelines.rows)
    if n == 0:
        return empty_figure(t("No patients match these filters: widen them or press Reset."))
    pitch = _row_pixels(n)
    data = [
        *_step_traces(timelines, step, pitch),
        *_bar_traces(timelines, width=pitch * 0.55),
        *_mark_traces(timelines, pitch),
    ]
    if timelines.grace_months > 0:
        data.append(_grace_legend(timelines.grace_months))
    x_range = _x_range(timelines)
    shapes: list[dict[str, object]] = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": 0,
            "x1": timelines.grace_months,
            "y0": 0,
            "y1": 1,
            "fillcolor": GRACE_FILL,
            "line": {"width": 0},
            "layer": "below",
        },
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": 0,
            "x1": 0,
            "y0": 0,
            "y1": 1,
            "line": {"color": "#212529", "width": 1},
        },
        *_group_dividers(timelines),
    ]
    if step is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": step.time_months,
                "x1": step.time_months,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#212529", "width": 1.5, "dash": "dash"},
            }
        )
    labelled = n <= MAX_LABELLED_ROWS
    yaxis: dict[str, object] = {
        "range": [n - 0.5, -0.7],
        "tickmode": "array",
        "tickvals": list(range(n)) if labelled else [],
        "ticktext": _tick_labels(timelines) if labelled else [],
        "tickfont": {"size": 11},
        "showgrid": False,
        "zeroline": False,
    }
    if not labelled:
        yaxis["title"] = {"text": t("{n} patients (hover for codes)").format(n=n)}
    title_block, title_pixels = heading(title)
    top = title_pixels + LEGEND_PIXELS
    height = max(400, n * pitch + top + 90)
    layout = {
        "title": under_toolbar(title_block, height),
        "height": height,
        "margin": {"l": 90 if labelled else 40, "r": 20, "t": top, "b": 60},
        # Above the rows, under the title (placed in pixels: plotly places a wrapped
        # horizontal legend by its one-row height and would cover the first rows).
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1 - title_pixels / height,
            "yanchor": "top",
        },
        "hovermode": "closest",
        "shapes": shapes,
        "font": FONT,
        "xaxis": {
            "title": {
                "text": t("Months since first rituximab infusion (negative: before rituximab)")
            },
            "automargin": True,
            "range": list(x_range),
            "zeroline": False,
        },
        "yaxis": yaxis,
    }
    return fast_figure(data, layout)
