"""gunicorn settings for the Docker image: ``gunicorn --config gunicorn.conf.py
app.server.wsgi:server``.

Everything comes from environment variables (README, "Configuration"; docs/deploy.md), so one
image serves every hospital. This file is read once by the gunicorn master before any worker
starts; it checks the whole configuration there, so a typo stops the container at once with one
line naming the variable (exit code 2) instead of every worker failing to boot in a loop.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
from pathlib import Path
from types import ModuleType

import gunicorn
import gunicorn.http.wsgi

# The app packages sit next to this file (the image's WORKDIR, or the repository root).
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from app.server.blas import single_threaded_blas  # noqa: E402
from app.server.logsafe import SafeRecords  # noqa: E402

# Workers import numpy after they fork from this master: they inherit one BLAS thread each.
single_threaded_blas()

# gunicorn announces "Server: gunicorn/<version>" on every response, telling a scanner which
# release and so which known vulnerabilities to try. Responses say only this instead.
SERVER_BANNER = "web"


def _stop(message: str) -> None:
    """One line that names the variable, no traceback, exit code 2 (as `python -m app`)."""
    print(f"configuration error: {message}", file=sys.stderr)
    sys.exit(2)


def _whole_number(names: tuple[str, ...], default: int, low: int) -> int:
    """The first of ``names`` that is set, as a whole number >= low, else ``default``."""
    for name in names:
        text = os.environ.get(name, "").strip()
        if not text:
            continue
        try:
            value = int(text)
        except ValueError:
            _stop(f"{name} must be a whole number, got {text!r}")
        if value < low:
            _stop(f"{name} must be at least {low}, got {value}")
        return value
    return default


def _settings_module() -> ModuleType:
    """app/server/config.py on its own. ``import app.server.config`` would first run
    app/__init__.py, which imports dash and pandas: seconds of start-up and memory in a master that
    serves nothing."""
    spec = importlib.util.spec_from_file_location(
        "_app_settings", HERE / "app" / "server" / "config.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _checked_config():
    """The app's configuration, checked here once so that workers never fail on it: a worker
    that exits is restarted by gunicorn, and would fail again, forever."""
    settings = _settings_module()
    try:
        config = settings.Config.from_env()
    except settings.ConfigError as error:
        _stop(str(error))
    if config.auth_mode == "basic":
        # The users file's format is the app's to judge (this mode pays for importing it).
        from app.server.config import ConfigError
        from app.server.security import read_users

        try:
            read_users(config.auth_users_file)
        except ConfigError as error:
            _stop(str(error))
    return config


# Not named "config": gunicorn would read that as its own --config setting.
app_config = _checked_config()

# Upload keys are signed with SECRET_KEY (app/state/upload_keys.py) and every worker must
# verify every other's. Unset, one is drawn here, in the master, and the workers forked from
# it inherit it; it lasts as long as the container. Several containers behind one address
# need SECRET_KEY set to one value (docs/deploy.md).
if app_config.secret_key is None:
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)

gunicorn.SERVER = gunicorn.http.wsgi.SERVER = SERVER_BANNER
gunicorn.SERVER_SOFTWARE = gunicorn.http.wsgi.SERVER_SOFTWARE = SERVER_BANNER

# An IPv6 address (HOST=::) needs brackets in a bind address.
_host = f"[{app_config.host}]" if ":" in app_config.host else app_config.host
bind = [f"{_host}:{app_config.port}"]
# WEB_CONCURRENCY is the name most platforms set; GUNICORN_WORKERS wins when both are set.
workers = _whole_number(("GUNICORN_WORKERS", "WEB_CONCURRENCY"), default=2, low=1)
threads = _whole_number(("GUNICORN_THREADS",), default=2, low=1)
# With threads (gthread workers) this does NOT limit a request: the worker's main thread keeps
# sending heartbeats while a request runs in another thread, so gunicorn restarts only a worker
# whose process is frozen as a whole. A request's computation is limited by the app itself
# (COMPUTE_SECONDS and COMPUTE_MEMORY_MB: analytics/budget.py, docs/deploy.md).
timeout = _whole_number(("GUNICORN_TIMEOUT",), default=60, low=1)
# Below Docker's stop timeout in docker-compose.yml (stop_grace_period), so a stop drains
# requests in flight rather than cutting them.
graceful_timeout = 20
keepalive = 5


def post_worker_init(worker) -> None:
    """Say when a worker has built the app and serves: "Booting worker" comes before the
    seconds of imports, so only this line tells an operator (or a test) it is ready."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)


# Each worker builds its own app from the same files: nothing that matters lives in a worker
# (uploads stay in the browser session), so any number of workers or containers behind a load
# balancer answer alike. Not preloading also keeps the master free of pandas and the data.
preload_app = False

# Proxy headers (X-Forwarded-Proto, ...) are trusted only from these addresses: the hospital's
# reverse proxy. Set FORWARDED_ALLOW_IPS to its address; "*" only when nothing but the proxy
# can reach the container (docs/deploy.md).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The control socket (gunicornc) would be a management interface written under $HOME; the
# container has neither a writable home nor a need for it.
control_socket_disable = True
# Heartbeat files in memory: the image runs with a read-only root filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs go to the container's stdout/stderr. The access log records the path (%(U)s) and never
# the query string (%(q)s) nor the referrer (%(f)s): the dashboard keeps its filter values in
# the query string, and those describe patients.
accesslog = "-"
errorlog = "-"
loglevel = app_config.log_level.lower()
# Neither X-Forwarded-For (any client can send one: it would be logged as if it were the
# client) nor %(u)s (the name in any Authorization header, signed in or not). Who did what,
# from which address as a trusted proxy says, is the audit log's (nmosd.audit, below).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# The app's own loggers (e.g. "configured cohort is invalid") get the same format and level
# as gunicorn's error log instead of Python's bare last-resort handler.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": app_config.log_level, "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {
            "level": app_config.log_level,
            "handlers": ["error_console"],
            "propagate": False,
            "qualname": "gunicorn.error",
        },
        # One JSON line per action (app/server/audit.py) on stdout, whatever LOG_LEVEL says.
        "nmosd.audit": {
            "level": "INFO",
            "handlers": ["access_console"],
            "propagate": False,
            "qualname": "nmosd.audit",
        },
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["access_console"],
            "propagate": False,
            "qualname": "gunicorn.access",
        },
    },
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["safe_records"],
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["safe_records"],
            "stream": "ext://sys.stdout",
        },
    },
    # Exceptions by type and place only, every record capped (app/server/logsafe.py): an exception's
    # message can quote a cell value or a whole request body.
    "filters": {"safe_records": {"()": SafeRecords}},
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "access": {"format": "%(message)s"},
    },
}
