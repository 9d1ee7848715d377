"""Counts the callback requests a page posts, by the callback's output key.

A ``fetch`` wrapper installed before the page's own scripts run (DevTools
``Page.addScriptToEvaluateOnNewDocument``), so the page's first requests are counted too.
"""

from __future__ import annotations

import contextlib

_COUNT_REQUESTS_JS = """
window.__callbackRequests = [];
const pageFetch = window.fetch;
window.fetch = function (resource, init) {
    const url = typeof resource === 'string' ? resource : resource.url;
    if (url.includes('/_dash-update-component') && init && typeof init.body === 'string') {
        try { window.__callbackRequests.push(JSON.parse(init.body).output); } catch (e) {}
    }
    return pageFetch.apply(this, arguments);
};
"""


@contextlib.contextmanager
def counted_requests(explorer):
    """Every page loaded inside counts its callback requests (see ``requests``)."""
    added = explorer.driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": _COUNT_REQUESTS_JS}
    )
    try:
        yield
    finally:
        explorer.driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]}
        )


def requests(explorer, output: str) -> int:
    """Requests posted so far for the callback whose output key contains ``output``."""
    sent = explorer.driver.execute_script("return window.__callbackRequests || null;")
    assert sent is not None, "the request counter is not installed"
    return sum(output in key for key in sent)
