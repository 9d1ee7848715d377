"""What a reader sees of a plotly figure's text in the browser: clipped or colliding labels.

Plotly never wraps a label and cuts whatever passes the figure's edge (or, for data text, its
plot area); the issue found the forest plot's "HR (CI), p" column, the Kaplan–Meier title's
test result and axis titles cut at some widths and languages, and tick labels overlapping.
:data:`LABEL_PROBLEMS_JS` measures every SVG text element of one graph with
``getBoundingClientRect`` and lists what is wrong, as text a failing test can print.
"""

from __future__ import annotations

# Given a dcc.Graph's element (arguments[0]); returns a list of problems (strings).
LABEL_PROBLEMS_JS = """
const graph = arguments[0];
const problems = [];
const svg = graph.querySelector('svg.main-svg');
if (!svg) { return ['no plotly figure drawn']; }
const figure = svg.getBoundingClientRect();
const page = document.documentElement.clientWidth;
const TOL = 0.5;
const describe = (el) => JSON.stringify((el.textContent || '').trim().slice(0, 60));
const inside = (r, box) => r.left >= box.left - TOL && r.right <= box.right + TOL
    && r.top >= box.top - TOL && r.bottom <= box.bottom + TOL;
const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
if (figure.right > page + TOL) {
    problems.push(`figure ends at ${figure.right.toFixed(0)} px, past the page (${page} px)`);
}
// Plot areas (one per subplot): data text is clipped by plotly at their edges.
const areas = {};
for (const drag of graph.querySelectorAll('.draglayer > g')) {
    const rect = drag.querySelector('rect.nsewdrag');
    if (rect) { areas[drag.getAttribute('class').split(' ')[0]] = rect.getBoundingClientRect(); }
}
const shown = [];
for (const el of graph.querySelectorAll('svg text')) {
    if (!(el.textContent || '').trim() || el.closest('.hoverlayer')) { continue; }
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0') {
        continue;
    }
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) { continue; }
    shown.push([el, r]);
    if (!inside(r, figure)) {
        problems.push(`${describe(el)} cut at the figure's edge (text ${[r.left, r.top, r.right,
            r.bottom].map(v => v.toFixed(0))}, figure ${[figure.left, figure.top, figure.right,
            figure.bottom].map(v => v.toFixed(0))})`);
    }
    const subplot = el.closest('g.subplot');
    if (el.closest('.scatterlayer') && subplot) {
        const area = areas[subplot.getAttribute('class').split(' ')[1]];
        if (area && !inside(r, area)) {
            problems.push(`${describe(el)} cut at its plot area's edge`);
        }
    }
}
for (let i = 0; i < shown.length; i++) {
    for (let j = i + 1; j < shown.length; j++) {
        if (overlap(shown[i][1], shown[j][1])) {
            problems.push(`${describe(shown[i][0])} overlaps ${describe(shown[j][0])}`);
        }
    }
}
// The toolbar (shown on hover) must not cover any text; the legend must not cover a plot.
const bar = graph.querySelector('.modebar');
if (bar) {
    const b = bar.getBoundingClientRect();
    for (const [el, r] of shown) {
        if (overlap(b, r)) { problems.push(`the toolbar covers ${describe(el)}`); }
    }
}
const legend = graph.querySelector('g.legend');
if (legend) {
    const l = legend.getBoundingClientRect();
    for (const [name, area] of Object.entries(areas)) {
        if (overlap(l, area)) { problems.push(`the legend covers the plot ${name}`); }
    }
}
return problems;
"""

# The number of texts the check measured (a check that measured nothing would pass).
TEXT_COUNT_JS = """
const texts = arguments[0].querySelectorAll('svg.main-svg text, svg text');
return Array.from(texts).filter(t => (t.textContent || '').trim()).length;
"""
