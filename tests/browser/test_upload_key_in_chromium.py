"""Uploads sent once (issue 13), in Chromium: after an upload a filter change posts the
upload's key, not its bytes; a server that has lost the upload gets it back from the page
and shows the uploaded cohort's numbers (equal to the CLI's) without an error."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from explorer_page import DEFAULT_GROUP, cli_report, tiled_demo_patients

pytestmark = pytest.mark.browser
MAX_FILTER_CHANGE_BYTES = 20 * 1024
# 972 patients, ~50 KB (below 1 000 so that the cards have no thousands separator, which
# expected_cards does not write): still far above the 20 KB a filter change may post.
COPIES = 18

# Records every callback request's body (the Dash renderer posts them with fetch).
_RECORD_JS = """
window.__callbackBodies = [];
if (!window.__recordingCallbacks) {
    window.__recordingCallbacks = true;
    const originalFetch = window.fetch;
    window.fetch = function (resource, init) {
        const url = typeof resource === 'string' ? resource : resource.url;
        if (url.includes('_dash-update-component')) {
            const body = init && typeof init.body === 'string' ? init.body : '';
            window.__callbackBodies.push({size: new Blob([body]).size, body: body});
        }
        return originalFetch.apply(this, arguments);
    };
}
"""
_BODIES_JS = "return window.__callbackBodies || [];"
_CLEAR_JS = "window.__callbackBodies = [];"


@pytest.fixture(scope="module")
def registry_file(tmp_path_factory) -> Path:
    """The demo patients tiled into a larger upload (new IDs, every other cell as is)."""
    folder = tmp_path_factory.mktemp("uploads")
    return tiled_demo_patients(folder / "registry.csv", COPIES, "R")


def _inputs(body: str) -> set[str]:
    request = json.loads(body)
    return {f"{i['id']}.{i['property']}" for i in request.get("inputs", []) if "id" in i}


def _largest_values(body: str) -> list[tuple[str, int]]:
    """The request's three largest input values (for the failure message)."""
    request = json.loads(body)
    sizes = {
        f"{i.get('id')}.{i.get('property')}": len(json.dumps(i.get("value")))
        for i in [*request.get("inputs", []), *request.get("state", [])]
    }
    return sorted(sizes.items(), key=lambda item: -item[1])[:3]


def test_a_filter_change_posts_the_key_and_a_lost_upload_restores_itself(explorer, registry_file):
    from app.state import cohort_store

    data = registry_file.read_bytes()
    encoded = base64.b64encode(data).decode()
    explorer.open()
    explorer.open_tab("Data")
    explorer.upload("upload-patients", registry_file)
    shown = f"{COPIES * 54:,} patients"
    explorer.wait_until(
        lambda: shown in (explorer.visible_text("#upload-ok") or ""), f"the upload ({shown})"
    )
    explorer.expect(cli_report("--cohort", str(registry_file), *DEFAULT_GROUP))

    # (a) the filter change's requests carry the key, never the file.
    explorer.driver.execute_script(_RECORD_JS)
    explorer.click_radio("filter-sex", "F")
    explorer.expect(cli_report("--cohort", str(registry_file), "--sex", "F", *DEFAULT_GROUP))
    bodies = explorer.driver.execute_script(_BODIES_JS)
    panels = [b for b in bodies if "filter-sex.value" in _inputs(b["body"])]
    assert panels, "no callback request recorded for the filter change"
    for recorded in bodies:
        assert recorded["size"] <= MAX_FILTER_CHANGE_BYTES, _largest_values(recorded["body"])
        assert encoded[:64] not in recorded["body"]
        assert encoded[len(encoded) // 2 : len(encoded) // 2 + 64] not in recorded["body"]
        assert "R07-001" not in recorded["body"]

    # (b) the server loses the upload (a restart, another worker): the next change restores
    # it from the page once and shows the uploaded cohort's numbers.
    cohort_store.forget_all()
    explorer.driver.execute_script(_CLEAR_JS)
    explorer.click_radio("filter-sex", "M")
    explorer.expect(cli_report("--cohort", str(registry_file), "--sex", "M", *DEFAULT_GROUP))
    bodies = explorer.driver.execute_script(_BODIES_JS)
    restores = [b for b in bodies if "upload-restore.data" in _inputs(b["body"])]
    assert restores, "the page did not send its files to restore the upload"
    explorer.wait_until(
        lambda: not (explorer.visible_text("#upload-restore-status") or "").strip(),
        "the restoring note to go",
    )
    explorer.assert_no_errors()
