"""A page session over HTTP (Flask's test client): uploads, views and restores as the browser
posts them, bodies built from the app's own callback declarations."""

from __future__ import annotations

import base64
from dataclasses import replace

from app.layout import ids
from app.server.config import Config
from app.server.factory import create_app
from tests.reliability.dash_requests import callback_body, walk

UPDATE = "/_dash-update-component"
# Every test page signs with this one, as the workers of one deployment do: a key refused
# by another page is then refused for its limits or user, not for another secret.
TEST_SECRET = "test-secret-" + "x" * 40
UPLOAD_IDS = (ids.UPLOAD_PATIENTS, ids.UPLOAD_RELAPSES, ids.UPLOAD_INFUSIONS)


def data_url(data: bytes) -> str:
    """Bytes as dcc.Upload hands them to its callback."""
    return "data:text/csv;base64," + base64.b64encode(data).decode("ascii")


class Page:
    """One app and its first-rendered layout, posting callbacks as the browser does."""

    def __init__(self, config: Config) -> None:
        self.app = create_app(replace(config, secret_key=config.secret_key or TEST_SECRET))
        self.client = self.app.server.test_client()
        layout = self.client.get("/_dash-layout").get_json()
        self.layout = {c["props"]["id"]: c["props"] for c in walk(layout) if "id" in c["props"]}
        self.last_body = b""

    def post(self, function: str, changes: dict, triggered=None):
        body = callback_body(function, self.layout, changes, triggered)
        self.last_body = body
        return self.client.post(UPDATE, data=body, content_type="application/json")

    def panels_answer(self, store=None, **values) -> dict:
        """update_panels' whole answer: ``response`` (outputs) and ``sideUpdate`` (set_props)."""
        changes = {(cid, "value"): v for cid, v in values.items()}
        changes[(ids.COHORT_STORE, "data")] = store
        reply = self.post("update_panels", changes)
        assert reply.status_code in (200, 204), reply.get_data(as_text=True)[:500]
        return reply.get_json() if reply.status_code == 200 else {}

    def panels(self, store=None, **values) -> dict:
        """update_panels' outputs by id (it must have computed them)."""
        answer = self.panels_answer(store, **values)
        assert ids.LIVE_COUNT in answer.get("response", {}), answer
        return answer["response"]

    def upload_changes(self, files: dict[str, tuple[str, bytes]]) -> dict:
        """The upload components' contents and names (``files``: upload id -> (name, bytes))."""
        changes: dict = {}
        for upload_id in UPLOAD_IDS:
            name, data = files.get(upload_id, (None, None))
            changes[(upload_id, "contents")] = None if data is None else data_url(data)
            changes[(upload_id, "filename")] = name
        return changes

    def restore(self, signal: dict, store: dict, files: dict[str, tuple[str, bytes]]) -> dict:
        """restore_upload's outputs for ``signal`` with ``files`` still in the page."""
        changes = {
            (ids.UPLOAD_RESTORE, "data"): signal,
            (ids.COHORT_STORE, "data"): store,
            **self.upload_changes(files),
        }
        reply = self.post("restore_upload", changes, triggered=(ids.UPLOAD_RESTORE, "data"))
        assert reply.status_code in (200, 204), reply.get_data(as_text=True)[:500]
        return reply.get_json() if reply.status_code == 200 else {}


def upload(page: Page, patients: bytes, name: str = "patients.csv", **more) -> dict:
    """Upload ``patients`` (and ``relapses=(name, bytes)``...) on ``page``; the new store."""
    files = {ids.UPLOAD_PATIENTS: (name, patients)}
    for what, upload_id in (("relapses", ids.UPLOAD_RELAPSES), ("infusions", ids.UPLOAD_INFUSIONS)):
        if what in more:
            files[upload_id] = more[what]
    reply = page.post(
        "load_upload", page.upload_changes(files), triggered=(ids.UPLOAD_PATIENTS, "contents")
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
    return reply.get_json()["response"][ids.COHORT_STORE]["data"]
