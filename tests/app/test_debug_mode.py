"""DEBUG=1 is a laptop mode: loopback and no auth only, and never Werkzeug's debugger."""

from __future__ import annotations

import pytest
import werkzeug.serving

from app import __main__ as entry
from app.server.config import Config, ConfigError


@pytest.mark.parametrize(
    "env",
    [
        {"DEBUG": "1", "HOST": "0.0.0.0"},
        {"DEBUG": "1", "HOST": "10.1.2.3"},
        {"DEBUG": "1", "HOST": "127.0.0.1", "AUTH_MODE": "header"},
        {"DEBUG": "1", "HOST": "::1", "AUTH_MODE": "basic", "AUTH_USERS_FILE": "/u"},
    ],
)
def test_debug_is_refused_off_loopback_or_with_auth(env):
    with pytest.raises(ConfigError, match="DEBUG=1 is for a laptop only"):
        Config.from_env(env)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_debug_is_allowed_on_loopback_without_auth(host):
    assert Config.from_env({"DEBUG": "1", "HOST": host}).debug


def test_debug_start_up_error_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("HOST", "0.0.0.0")
    assert entry.main() == 2
    err = capsys.readouterr().err
    assert err.startswith("error: DEBUG=1 is for a laptop only")
    assert err.count("\n") == 1


def test_debug_mode_never_runs_the_interactive_debugger(monkeypatch):
    seen = {}

    def fake_run_simple(host, port, application, **options):
        seen.update(options)

    monkeypatch.setattr(werkzeug.serving, "run_simple", fake_run_simple)
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "8765")
    assert entry.main() == 0
    # Werkzeug wraps the app in its DebuggedApplication (and /console) exactly when this is on.
    assert seen["use_debugger"] is False
