"""Dash callback requests over HTTP, as the browser's renderer sends them.

The bodies are built from the app's own declarations (``app.callbacks.callback_specs()``:
each callback's output key, Inputs and States in order) and the values the page first
renders (``/_dash-layout``), so the tests follow the callbacks as they change. Only the
standard library talks to the server: ``http.client`` on the loopback, every connection
closed, every wait bounded.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from dash._utils import split_callback_id

from app.callbacks import callback_specs
from app.layout import ids
from app.layout.static_parts import data_id
from tests.settled_changes import with_settled

UPDATE_PATH = "/_dash-update-component"
REQUEST_SECONDS = 60  # gunicorn's own timeout: a request never legitimately takes longer

# Dash's declarations by callback function name (e.g. "update_panels").
SPECS = {spec["callback"].__name__: (key, spec) for key, spec in callback_specs().items()}


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body)


def request(port: int, method: str, path: str, body: bytes | None = None) -> Reply:
    """One request on its own connection (closed before returning)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_SECONDS)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return Reply(response.status, data, time.perf_counter() - started)
    finally:
        connection.close()


def walk(component: object) -> Iterator[dict]:
    """Every component (as Dash serialises it: {"type", "namespace", "props"}) in a tree."""
    if isinstance(component, list | tuple):
        for child in component:
            yield from walk(child)
    elif isinstance(component, dict) and "props" in component:
        yield component
        yield from walk(component["props"].get("children"))
    elif isinstance(component, dict) and "tag" in component:
        # A panel drawn from plain data (components/plain_html.py): the same walk, with its
        # attributes where a component has its props.
        yield {"props": {**component.get("attrs", {}), "children": component.get("children")}}
        yield from walk(component.get("children"))


def texts(component: object) -> list[str]:
    """Every string or number shown in a serialised component tree."""
    if isinstance(component, str | int | float) and not isinstance(component, bool):
        return [str(component)]
    if isinstance(component, list | tuple):
        return [t for child in component for t in texts(child)]
    if isinstance(component, dict) and "props" in component:
        return texts(component["props"].get("children"))
    if isinstance(component, dict) and "tag" in component:
        return texts(component.get("children"))
    return []


def layout_props(port: int) -> dict[str, dict]:
    """The page's component properties by id, as the server first renders them."""
    reply = request(port, "GET", "/_dash-layout")
    assert reply.status == 200, reply.body[:300]
    return {c["props"]["id"]: c["props"] for c in walk(reply.json()) if "id" in c["props"]}


RESTORE_ROUNDS = 12


def callback_body(
    function_name: str,
    layout: Mapping[str, Mapping[str, object]],
    changes: Mapping[tuple[str, str], object],
    triggered: tuple[str, str] | None = None,
) -> bytes:
    """The JSON the renderer posts for ``function_name``: every Input and State with its
    value from ``changes`` if given, else from the first-rendered ``layout``."""
    key, spec = SPECS[function_name]
    # As a page whose parts show another view than the default one (the tests read the
    # numbers in the answer): the layout's "last rendered" digest of the opening view would
    # make update_panels answer "unchanged" (tests/app/test_opening_view.py tests that).
    never_rendered = {(store, "data"): None for store in ids.RENDERED_STORES}
    changes = with_settled({**never_rendered, **changes})

    def value(dependency: dict) -> dict:
        where = (dependency["id"], dependency["property"])
        current = changes[where] if where in changes else layout.get(where[0], {}).get(where[1])
        return {**dependency, "value": current}

    changed = triggered or (spec["inputs"][0]["id"], spec["inputs"][0]["property"])
    body = {
        "output": key,
        "outputs": split_callback_id(key),
        "inputs": [value(d) for d in spec["inputs"]],
        "state": [value(d) for d in spec["state"]],
        "changedPropIds": [f"{changed[0]}.{changed[1]}"],
    }
    return json.dumps(body).encode("utf-8")


def call(
    port: int,
    function_name: str,
    layout: Mapping[str, Mapping[str, object]],
    changes: Mapping[tuple[str, str], object],
    triggered: tuple[str, str] | None = None,
) -> tuple[dict, float]:
    """Post one callback; return Dash's ``response`` (outputs by id, then property) and
    the seconds it took. Any status but 200 fails the caller.

    As the page does, a worker that does not hold the upload of the cohort store gets the
    files once (``restore_upload``, with the upload contents in ``changes``), and the
    callback is posted again with the restored store: gunicorn's workers each hold their
    own uploads (app/callbacks/restore.py)."""
    changes = dict(changes)
    seconds = 0.0
    # A restore lands on whichever worker accepts it, not necessarily the one that lacked the
    # upload: with 2 workers a round ends in a hold about 3 times in 4, so 4 rounds failed now
    # and then by chance alone (1 in 256 per request, over hundreds of requests); 12 do not.
    for _ in range(RESTORE_ROUNDS):
        answer, took = _post(port, function_name, layout, changes, triggered)
        seconds += took
        signal = answer.get("sideUpdate", {}).get(ids.UPLOAD_RESTORE, {}).get("data")
        if signal is None or function_name == "restore_upload":
            return answer.get("response", {}), seconds
        restored, took = _post(
            port,
            "restore_upload",
            layout,
            {**changes, (ids.UPLOAD_RESTORE, "data"): signal},
            (ids.UPLOAD_RESTORE, "data"),
        )
        seconds += took
        changes[(ids.COHORT_STORE, "data")] = restored["response"][ids.COHORT_STORE]["data"]
    raise AssertionError(
        f"{function_name}: the upload was not restored after {RESTORE_ROUNDS} tries"
    )


def _post(port, function_name, layout, changes, triggered) -> tuple[dict, float]:
    reply = request(
        port, "POST", UPDATE_PATH, callback_body(function_name, layout, changes, triggered)
    )
    if reply.status == 204:  # nothing to update
        return {}, reply.seconds
    if reply.status != 200:
        raise AssertionError(f"{function_name}: HTTP {reply.status}: {reply.body[:300]!r}")
    return reply.json(), reply.seconds


def data_url(path: Path) -> str:
    """A file as dcc.Upload hands it to its callback."""
    return "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def upload_changes(patients: Path) -> dict[tuple[str, str], object]:
    return {
        (ids.UPLOAD_PATIENTS, "contents"): data_url(patients),
        (ids.UPLOAD_PATIENTS, "filename"): patients.name,
    }


def card_value(response: dict, card_id: str) -> str:
    """The big number of a summary card (its ``<card_id>-value`` element)."""
    cards = response[data_id(ids.CARDS)]["data"]
    found = [c for c in walk(cards) if c["props"].get("id") == f"{card_id}-value"]
    assert len(found) == 1, f"{card_id}-value not in the cards"
    return " ".join(texts(found[0]))


def live_count_text(response: dict) -> str:
    return "".join(texts(response[ids.LIVE_COUNT]["children"]))


def cohort_label_text(response: dict) -> str:
    return "".join(texts(response[ids.COHORT_LABEL]["children"]))
