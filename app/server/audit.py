"""Who looked at which cohort: one JSON line per action on the ``nmosd.audit`` logger.

A line says when (UTC), who (the signed-in user: basic-auth name or the proxy's header;
null without auth), from where (the client address, through a trusted proxy), what
(``view``, ``upload``, ``export_csv``, ``export_report``) and which cohort (its source and
content fingerprint). Never a patient value, a filter value or a file name.
"""

from __future__ import annotations

import datetime
import json
import logging

import flask

from app.server.signin import Network, address_in

log = logging.getLogger("nmosd.audit")
# Audit lines are not diagnostics: LOG_LEVEL=WARNING must not silence them.
log.setLevel(logging.INFO)

USER_KEY = "nmosd_user"
PROXIES_KEY = "NMOSD_FORWARDED_NETWORKS"


def signed_in(user: str | None) -> None:
    """Remember the request's signed-in user (called by the auth guard)."""
    flask.g.setdefault(USER_KEY, user)


def client_address() -> str | None:
    """The client: the peer, or the address a trusted proxy says it forwarded for (its
    right-most X-Forwarded-For entry); a client's own X-Forwarded-For is not believed."""
    request = flask.request
    peer = request.remote_addr
    networks: tuple[Network, ...] | None = flask.current_app.config.get(PROXIES_KEY, ())
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and address_in(peer, networks):
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:64]
    return peer


def audit(action: str, cohort: object | None = None, source: str | None = None) -> None:
    """Log one action of the current request (outside a request: nothing to say)."""
    if not flask.has_request_context():
        return
    line = {
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "user": flask.g.get(USER_KEY),
        "client": client_address(),
        "action": action,
    }
    if cohort is not None:
        line["cohort"] = source or ("demo" if getattr(cohort, "synthetic", False) else "server")
        line["fingerprint"] = getattr(cohort, "fingerprint", None)
    log.info(json.dumps(line, ensure_ascii=True, sort_keys=False))
