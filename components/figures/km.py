"""Kaplan–Meier figure: curves with CI bands, censor ticks, medians and a number-at-risk table.

Pure rendering of :class:`analytics.stats.survival.KaplanMeier` results; no statistics here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from analytics.stats.subgroups import risk_table_times
from analytics.stats.survival import KaplanMeier, SurvivalAt, survival_at
from components.figures.base import (
    FONT,
    Figure,
    Trace,
    fast_figure,
    heading,
    legend_above,
    scatter,
    step_band,
    under_toolbar,
)
from components.figures.km_targets import HOVER_DISTANCE, drop_targets
from components.figures.palette import GROUP_COLOURS, TAIL_ALPHA, rgba
from components.text.format import ci_label, format_p
from components.text.labels import figure_level_label
from i18n.language import N_, number, percent, t

# Trace metadata the page's display toggles look for (app.callbacks.km_display).
CI_BAND = "ci-band"
RISK_ROW = "risk-row"
# Invisible traces whose points take the hover and clicks, and the ticks' drawn strokes.
CLICK_TARGETS = "click-targets"
CENSOR_TICKS = "censor-ticks"

# Below this many patients at risk a curve's tail is mostly noise (Pocock et al. 2002):
# it stays visible but faded, so nobody reads a late drop as a finding.
FADE_BELOW_AT_RISK = 5


def _fade_index(km: KaplanMeier) -> int | None:
    """Index of the first timeline point whose preceding interval has < 5 at risk."""
    for i in range(1, len(km.timeline)):
        if km.at_risk[i] < FADE_BELOW_AT_RISK:
            return i - 1
    return None


# A tick is drawn 9 px tall (plotly's "line-ns-open" marker was 9 px), as a stroke of the
# one path all a curve's ticks share: one SVG marker per tick cost ~250 ms of styling per
# view change at 10 000 patients (1 750 ticks).
TICK_PIXELS = 9

# Hover texts are one template per trace filled from each point's customdata (formatted
# numbers): whole texts per point were 60 % of a 10 000-patient figure's 410 KB.
# customdata of a drop or tick point: [curve key, month, ...texts]; the first two are what a
# click names (app.callbacks.timelines reads them).
STEP_MONTH_TEXT, STEP_SURVIVAL, STEP_CI, STEP_AT_RISK, STEP_TAIL = 2, 3, 4, 5, 6
TICK_COUNT, TICK_MONTH_TEXT = 2, 3


def _field(index: int) -> str:
    return "%{customdata[" + str(index) + "]}"


def _step_template(name: str) -> str:
    """The hover of a drop: curve (marked when its tail is faded), month, survival with CI,
    and the number at risk just after."""
    return (
        f"<b>{name}{_field(STEP_TAIL)}</b><br>"
        + t("Month {month}").format(month=_field(STEP_MONTH_TEXT))
        + "<br>"
        + t("Failure-free: {survival} ({ci} {interval})").format(
            survival=_field(STEP_SURVIVAL), ci=ci_label(), interval=_field(STEP_CI)
        )
        + "<br>"
        + t("At risk: {n}").format(n=_field(STEP_AT_RISK))
        + "<extra></extra>"
    )


def _step_point(km: KaplanMeier, key: str, fade: int | None) -> Callable[[int], list[object]]:
    """customdata of timeline point ``i`` (see STEP_*), formatted only for the points asked
    for: the drops (a 10 000-patient curve has ~1 750 censoring-only points that need none)."""
    tail = " (" + t("fewer than {n} at risk").format(n=FADE_BELOW_AT_RISK) + ")"

    def point(i: int) -> list[object]:
        month, low, high = km.timeline[i], km.ci_low[i], km.ci_high[i]
        ci = t("n/a") if low != low or high != high else f"{percent(low)}–{percent(high)}"
        # At risk just after this time: those at risk here minus those leaving here.
        at_risk = km.at_risk[i] - km.events_at[i] - km.censored_at[i]
        faded = fade is not None and i > fade
        return [
            key,
            month,
            number(month),
            percent(km.survival[i]),
            ci,
            at_risk,
            tail if faded else "",
        ]

    return point


def _censor_traces(
    km: KaplanMeier, key: str, name: str, colour: str, tick_half: float
) -> list[Trace]:
    """The censoring ticks: one path of vertical strokes, and their click and hover points
    (an invisible line through the ticks' middles: plotly hovers a line's points as it does
    markers', with no element per point)."""
    censored = [i for i in range(len(km.timeline)) if km.censored_at[i] > 0]
    trace_name = f"{name} " + t("censored")
    xs: list[float | None] = []
    ys: list[float | None] = []
    for i in censored:
        xs += [km.timeline[i], km.timeline[i], None]
        # Drawn only (the hover and clicks read customdata): 1e-5 is far below a pixel.
        ys += [round(km.survival[i] - tick_half, 5), round(km.survival[i] + tick_half, 5), None]
    strokes = scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": colour, "width": 1.5},
        name=trace_name,
        legendgroup=name,
        showlegend=False,
        hoverinfo="skip",
        meta=CENSOR_TICKS,
    )
    points = scatter(
        x=[km.timeline[i] for i in censored],
        y=[km.survival[i] for i in censored],
        mode="lines",
        line={"width": 0},
        name=trace_name,
        legendgroup=name,
        showlegend=False,
        customdata=[
            [key, km.timeline[i], km.censored_at[i], number(km.timeline[i])] for i in censored
        ],
        hovertemplate=f"{name}: "
        + t("{n} censored at month {month}").format(
            n=_field(TICK_COUNT), month=_field(TICK_MONTH_TEXT)
        )
        + "<extra></extra>",
        meta=CLICK_TARGETS,
    )
    return [strokes, points]


def _curve_traces(
    km: KaplanMeier,
    name: str,
    colour: str,
    show_ci: bool,
    key: str,
    tick_half: float,
) -> list[Trace]:
    n = len(km.timeline)
    fade = _fade_index(km)
    solid = range(0, n if fade is None else fade + 1)
    # The bands are always drawn, hidden when off: the page toggles them in the browser
    # (meta CI_BAND marks them), with no round trip to the server.
    traces: list[Trace] = [
        {**band, "visible": show_ci, "meta": CI_BAND}
        for band in step_band(
            km.timeline, km.ci_low, km.ci_high, name=name, fillcolor=rgba(colour, 0.15)
        )
    ]
    traces.append(
        scatter(
            x=[km.timeline[i] for i in solid],
            y=[km.survival[i] for i in solid],
            mode="lines",
            line={"color": colour, "width": 2.5, "shape": "hv"},
            name=f"{name} (n={km.n}, "
            + (t("1 failure") if km.events == 1 else t("{n} failures").format(n=km.events))
            + ")",
            legendgroup=name,
            # The drops and ticks take the hover and clicks (components/figures/km_targets).
            hoverinfo="skip",
        )
    )
    if fade is not None:
        tail = range(fade, n)
        traces.append(
            scatter(
                x=[km.timeline[i] for i in tail],
                y=[km.survival[i] for i in tail],
                mode="lines",
                # Dotted as well as lighter: the difference does not rest on lightness alone.
                line={
                    "color": rgba(colour, TAIL_ALPHA),
                    "width": 2,
                    "shape": "hv",
                    "dash": "dot",
                },
                name=f"{name}: " + t("fewer than {n} at risk").format(n=FADE_BELOW_AT_RISK),
                legendgroup=name,
                showlegend=False,
                hoverinfo="skip",
            )
        )
    targets = drop_targets(km, name, _step_point(km, key, fade), _step_template(name))
    if targets is not None:
        traces.append({**targets, "meta": CLICK_TARGETS})
    return traces + _censor_traces(km, key, name, colour, tick_half)


def _median_shapes(km: KaplanMeier, colour: str) -> list[dict[str, object]]:
    if km.median is None:
        return []
    line = {"color": rgba(colour, TAIL_ALPHA), "width": 1, "dash": "dash"}
    return [
        {"type": "line", "x0": 0, "x1": km.median, "y0": 0.5, "y1": 0.5, "line": line},
        {"type": "line", "x0": km.median, "x1": km.median, "y0": 0, "y1": 0.5, "line": line},
    ]


def _risk_rows(
    risk_table: Mapping[str, Sequence[SurvivalAt]],
    keys: Sequence[str],
    short: Mapping[str, str],
    show_events: bool,
) -> list[Trace]:
    traces = []
    for j, key in enumerate(keys):
        rows = risk_table.get(key, [])
        colour = GROUP_COLOURS[j % len(GROUP_COLOURS)]
        plain = [f"{r.at_risk}" for r in rows]
        counted = [f"{r.at_risk} ({r.cumulative_events}/{r.cumulative_censored})" for r in rows]
        traces.append(
            scatter(
                x=[r.time for r in rows],
                y=[short[key]] * len(rows),
                mode="text",
                text=counted if show_events else plain,
                # Both texts: the page switches "failures/censored" in the browser.
                meta={"role": RISK_ROW, "plain": plain, "events": counted},
                textfont={"color": colour, "size": 12},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    return traces


KMUNICATE_ROWS = (
    (N_("At risk"), "at_risk"),
    (N_("Events"), "cumulative_events"),
    (N_("Censored"), "cumulative_censored"),
)


def _kmunicate_rows(
    risk_table: Mapping[str, Sequence[SurvivalAt]],
    keys: Sequence[str],
    short: Mapping[str, str],
) -> tuple[list[Trace], list[str]]:
    """KMunicate's table (Morris et al. 2019, BMJ Open 9:e030215): per group, the number at
    risk and the cumulative events and censored at each tick time, one row each.

    Rows are numbered 0, 1, ... top-down; the returned labels name them in that order.
    """
    traces, labels = [], []
    for j, key in enumerate(keys):
        rows = risk_table.get(key, [])
        colour = GROUP_COLOURS[j % len(GROUP_COLOURS)]
        for english, field in KMUNICATE_ROWS:
            name = t(english)
            traces.append(
                scatter(
                    x=[r.time for r in rows],
                    y=[len(labels)] * len(rows),
                    mode="text",
                    text=[str(getattr(r, field)) for r in rows],
                    textfont={"color": colour, "size": 12},
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{short[key]}: {name}",
                )
            )
            label = name if len(keys) == 1 else f"{short[key]}: {name}"
            labels.append(f'<span style="color:{colour}">{label}</span>')
    return traces, labels


# The gap between the curve panel and the risk table, in fractions of the plot height.
PANEL_GAP = 0.1


# The curve panel's survival axis runs to a little above 100 %, so a tick at 1 is whole.
Y_TOP = 1.03

# The page's slot for the figure (app/layout/survival.py) and the report's figure height.
KM_HEIGHT = 560


def _x_max(curves: Mapping[str, KaplanMeier], horizon: float | None) -> float:
    return horizon or max((max(km.timeline) for km in curves.values()), default=12)


def km_x_range(curves: Mapping[str, KaplanMeier], horizon: float | None) -> list[float]:
    """The months shown: up to the horizon, or the longest follow-up."""
    x_max = _x_max(curves, horizon)
    # A little room left of 0 so the first at-risk count does not collide with the labels.
    return [-x_max * 0.035, x_max * 1.02]


def km_ticks(curves: Mapping[str, KaplanMeier], horizon: float | None) -> list[float]:
    """The months of the time axis's ticks and of the number-at-risk columns: every 3
    months for a year, 6 up to 3 years, 12 beyond (analytics.stats.subgroups)."""
    return list(risk_table_times(_x_max(curves, horizon)))


def _table_at(
    curves: Mapping[str, KaplanMeier],
    risk_table: Mapping[str, Sequence[SurvivalAt]],
    ticks: Sequence[float],
) -> dict[str, Sequence[SurvivalAt]]:
    """The number-at-risk rows at ``ticks``: the report's own (the CLI's) when it has those
    times, else the same estimator (``survival_at``) at them, e.g. for a shorter horizon."""
    table: dict[str, Sequence[SurvivalAt]] = {}
    for key, km in curves.items():
        rows = risk_table.get(key, ())
        same = [r.time for r in rows] == list(ticks)
        table[key] = rows if same else survival_at(km, ticks)
    return table


def km_figure(
    curves: Mapping[str, KaplanMeier],
    risk_table: Mapping[str, Sequence[SurvivalAt]],
    *,
    title: str | None = None,
    logrank_p: float | None = None,
    show_ci: bool = True,
    show_events: bool = False,
    horizon: float | None = None,
    group_by: str | None = None,
    kmunicate: bool = False,
) -> Figure:
    """Kaplan–Meier curves over a number-at-risk table sharing the x-axis (months).

    ``curves`` and ``risk_table`` are keyed by the report's group labels ("0"/"1" for a 0/1
    column); the table's columns are the time axis's ticks (:func:`km_ticks`, from the
    horizon), the report's rows where it has those times. ``group_by`` turns the labels into
    clinician-facing names ("Asymptomatic lesions: yes").
    ``kmunicate`` draws the KMunicate layout (Morris et al. 2019): CI bands whatever
    ``show_ci`` says, and a table of at risk, cumulative events and cumulative censored per
    group instead of the plain at-risk row.
    """
    keys = list(curves)
    shown = {key: figure_level_label(group_by, key) for key in keys}
    show_ci = show_ci or kmunicate
    table_rows = len(keys) * len(KMUNICATE_ROWS) if kmunicate else len(keys)
    # The KMunicate table has three rows per group: the table panel grows with them.
    table_share = min(0.5, 0.08 + 0.045 * table_rows) if kmunicate else 0.22
    title = t("Time to treatment failure") if title is None else title
    # The test's result on a line of its own: appended to the title it ran past a 1024-px
    # figure's edge in Spanish ("log-rank p <" and nothing more).
    subtitle = "" if logrank_p is None else f"log-rank {format_p(logrank_p)}"
    title_block, title_pixels = heading(title, subtitle)
    # Above the curves, under the title: inside the plot a legend covered low curves and
    # their bands (failure-free survival is not always high).
    legend, legend_pixels = legend_above(len(keys))
    table_top = (1 - PANEL_GAP) * table_share
    margin = {"l": 70, "r": 20, "t": title_pixels + legend_pixels, "b": 50}
    curve_share = 1 - table_top - PANEL_GAP
    # The ticks are strokes in data units: TICK_PIXELS on the curve panel at KM_HEIGHT (a
    # figure exported at another height scales them with its panel).
    panel_pixels = (KM_HEIGHT - margin["t"] - margin["b"]) * curve_share
    tick_half = TICK_PIXELS / 2 * (Y_TOP / panel_pixels)
    curve_traces: list[Trace] = []
    shapes: list[dict[str, object]] = []
    for j, key in enumerate(keys):
        colour = GROUP_COLOURS[j % len(GROUP_COLOURS)]
        curve_traces += _curve_traces(curves[key], shown[key], colour, show_ci, key, tick_half)
        shapes += _median_shapes(curves[key], colour)
    ticks = km_ticks(curves, horizon)
    table = _table_at(curves, risk_table, ticks) if risk_table else {}
    # The risk table names rows by level only ("yes"/"no"); its axis title names the variable.
    short = {key: shown[key].split(": ", 1)[-1] for key in keys}
    if kmunicate:
        table_traces, row_labels = _kmunicate_rows(table, keys, short)
    else:
        table_traces, row_labels = _risk_rows(table, keys, short, show_events), []
    table_title = t("At risk (failed/censored)") if show_events else t("At risk")
    x_range = km_x_range(curves, horizon)
    # Two panels sharing the x-axis (as make_subplots(rows=2, shared_xaxes=True) lays them
    # out): the curves on axes x/y above, the table on x2/y2 below.
    curve_xaxis: dict[str, object] = {
        "anchor": "y",
        "domain": [0.0, 1.0],
        "matches": "x2",
        "showticklabels": False,
        "range": x_range,
        "tickvals": ticks,
    }
    table_xaxis: dict[str, object] = {
        "anchor": "y2",
        "domain": [0.0, 1.0],
        "title": {"text": t("Months since first rituximab infusion")},
        "range": x_range,
        "tickvals": ticks,
        "showgrid": False,
        "automargin": True,
    }
    table_yaxis: dict[str, object] = {
        "anchor": "x2",
        "domain": [0.0, table_top],
        "title": {"text": "" if kmunicate else table_title, "font": {"size": 11}},
        # First group on top, with half a row of room so no count touches the tick labels.
        "range": [table_rows - 0.4, -0.6],
        "showgrid": False,
    }
    if kmunicate:
        table_yaxis |= {
            "tickvals": list(range(table_rows)),
            "ticktext": row_labels,
            "tickfont": {"size": 11},
            "automargin": True,
        }
    layout = {
        "title": under_toolbar(title_block, KM_HEIGHT),
        "height": KM_HEIGHT,
        "margin": margin,
        "legend": legend,
        "hovermode": "closest",
        "hoverdistance": HOVER_DISTANCE,
        "font": FONT,
        "xaxis": curve_xaxis,
        "yaxis": {
            "anchor": "x",
            "domain": [table_top + PANEL_GAP, 1.0],
            "title": {"text": t("Failure-free (%)")},
            "range": [0, Y_TOP],
            "tickformat": ".0%",
        },
        "xaxis2": table_xaxis,
        "yaxis2": table_yaxis,
    }
    if not kmunicate:  # both titles of the risk table, for the page's events toggle
        layout["meta"] = {"risk_titles": [t("At risk"), t("At risk (failed/censored)")]}
    if shapes:  # the medians, on the curve panel's axes
        layout["shapes"] = [{**shape, "xref": "x", "yref": "y"} for shape in shapes]
    data = [{**trace, "xaxis": "x", "yaxis": "y"} for trace in curve_traces]
    data += [{**trace, "xaxis": "x2", "yaxis": "y2"} for trace in table_traces]
    return fast_figure(data, layout)


def horizon_update(figure: Figure) -> tuple[dict[str, object], dict[int, Trace]]:
    """What a new horizon changes in a Kaplan–Meier figure built for it: the two x-axes
    (range and ticks) and the number-at-risk traces (their columns follow the ticks), by
    index in ``figure["data"]``, for a ``dash.Patch`` of the figure already shown."""
    layout = figure["layout"]
    axes = {name: layout[name] for name in ("xaxis", "xaxis2")}
    table = {i: trace for i, trace in enumerate(figure["data"]) if trace.get("yaxis") == "y2"}
    return axes, table
