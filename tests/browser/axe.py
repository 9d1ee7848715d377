"""axe-core (Deque's accessibility rules engine, npm ``axe-core@4``) run inside the real page.

The script is not vendored: ``.ci/run`` installs it with npm into tests/browser/node_modules
(git-ignored); ``AXE_CORE_JS`` names another copy. Without it the accessibility tests skip
locally with the reason, and fail under CI=true, as the other browser requirements do.
"""

from __future__ import annotations

import os
from pathlib import Path

# The WCAG 2.0/2.1 A and AA rules, and axe's best practices (landmarks, headings, ...).
RULE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
INSTALL = "npm install --no-save --prefix tests/browser axe-core@4"

# Plotly's SVG (thousands of nodes per plot) is left out: axe judges no text or colour inside
# an SVG, so it would only slow every run down; the plots' colours are the figures' tests', and
# their words are the captions under them, which axe does check.
_RUN_JS = """
const done = arguments[arguments.length - 1];
const context = {include: [document], exclude: [['.js-plotly-plot .main-svg']]};
axe.run(context, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
  }))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}]));
"""


def script_path() -> Path:
    configured = os.environ.get("AXE_CORE_JS")
    if configured:
        return Path(configured)
    return Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def missing_requirement() -> str | None:
    """Why axe-core cannot be run here, or None."""
    path = script_path()
    if not path.is_file():
        return f"axe-core not found at {path} ({INSTALL}, or set AXE_CORE_JS)"
    return None


def violations(driver, tags: tuple[str, ...] = RULE_TAGS) -> list[dict]:
    """axe's violations of ``tags`` on the page as it is now (id, impact, help, first nodes)."""
    if not driver.execute_script("return typeof window.axe === 'object';"):
        driver.execute_script(script_path().read_text(encoding="utf-8"))
    # axe visits every node of the page (thousands in the plots' SVG): a generous limit.
    driver.set_script_timeout(60)
    return driver.execute_async_script(_RUN_JS, list(tags))


def describe(found: list[dict]) -> str:
    """One line per violation and node, for an assertion message."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    {node['target']}: {node['summary']}" for node in violation["nodes"]]
    return "\n".join(lines)
