"""Configuration from environment variables, read once at start-up (documented in README).

Every setting has a laptop-demo default; a hospital deployment sets what it needs. Invalid
values stop start-up with a message naming the variable, rather than running half-configured.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

AUTH_MODES = ("none", "basic", "header")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
REDIS_SCHEMES = ("redis", "rediss", "unix")

# Where create_app keeps the Config in Flask's app.config (read by app.state.session and the
# modules it imports, which cannot import it back).
CONFIG_KEY = "NMOSD_CONFIG"


class ConfigError(ValueError):
    """An environment variable has a value the app cannot use."""


@dataclass(frozen=True)
class Config:
    """What the deployment decides; the defaults are the laptop demo."""

    host: str = "127.0.0.1"
    port: int = 8050
    cohort_path: Path | None = None
    relapses_path: Path | None = None
    infusions_path: Path | None = None
    allow_uploads: bool = True
    # A 100 000-patient registry's files (benchmarks/cohorts.py) are 4 MB (patients) and
    # 6 MB (relapses, 344 000 rows) as CSV: 20 MB leaves room for extra columns.
    max_upload_mb: float = 20.0
    # Rows per file: a relapses or infusions file has several rows per patient.
    max_upload_patients: int = 200_000
    max_upload_relapses: int = 2_000_000
    max_upload_infusions: int = 2_000_000
    # Deprecated MAX_UPLOAD_ROWS (one limit for every file): when set, it replaces each
    # per-file limit that is not set itself.
    max_upload_rows: int | None = None
    url_base_pathname: str = "/"
    auth_mode: str = "none"
    auth_users_file: Path | None = None
    auth_header: str = "X-Remote-User"
    # Proxies whose X-Forwarded-* headers are believed (gunicorn reads the same variable).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Addresses the header-mode sign-in header is accepted from (unset: FORWARDED_ALLOW_IPS).
    auth_proxy_ips: str | None = None
    log_level: str = "INFO"
    debug: bool = False
    # Signs the keys of uploaded cohorts (app/state/upload_keys.py) and authenticates
    # (HMAC-SHA256) what the workers put in the shared Redis (app/state/shared_store.py).
    # Every worker and container behind one address needs the same value; unset,
    # gunicorn.conf.py draws one for its workers (and `python -m app` for itself) at start
    # (not allowed with REDIS_URL: each container would draw its own).
    secret_key: str | None = field(default=None, repr=False)
    # The budget of one request's computation (analytics.budget): seconds, and megabytes of
    # the engine's largest work arrays. Below GUNICORN_TIMEOUT; see docs/deploy.md.
    compute_seconds: float = 20.0
    compute_memory_mb: float = 512.0
    # The shared cache of several workers and containers (app/state/shared_store.py); unset:
    # every cache stays in its worker, as on a laptop. Not in repr: the URL can hold a password.
    redis_url: str | None = field(default=None, repr=False)
    # Seconds an upload's files stay in the shared Redis after their last use (each use
    # restarts it); a worker that misses then gets them from the page again.
    shared_upload_ttl: float = 7200.0

    @property
    def proxy_ips(self) -> str:
        return self.forwarded_allow_ips if self.auth_proxy_ips is None else self.auth_proxy_ips

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def upload_row_limits(self) -> tuple[int, int, int]:
        """Most data rows of an uploaded patients, relapses and infusions file."""
        if self.max_upload_rows is not None:  # set directly (from_env resolves the alias)
            return (self.max_upload_rows,) * 3
        return (self.max_upload_patients, self.max_upload_relapses, self.max_upload_infusions)

    @property
    def compute_memory_bytes(self) -> int:
        return int(self.compute_memory_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = dict(os.environ if env is None else env)
        reader = _Reader(env)
        config = cls(
            host=env.get("HOST", cls.host),
            port=reader.integer("PORT", cls.port, low=1, high=65535),
            cohort_path=reader.data_file("COHORT_PATH"),
            relapses_path=reader.data_file("RELAPSES_PATH"),
            infusions_path=reader.data_file("INFUSIONS_PATH"),
            allow_uploads=reader.flag("ALLOW_UPLOADS", cls.allow_uploads),
            max_upload_mb=reader.number("MAX_UPLOAD_MB", cls.max_upload_mb, low=0.01),
            **_row_limits(reader),
            url_base_pathname=reader.base_path("URL_BASE_PATHNAME"),
            auth_mode=reader.choice("AUTH_MODE", cls.auth_mode, AUTH_MODES),
            auth_users_file=reader.path("AUTH_USERS_FILE"),
            auth_header=env.get("AUTH_HEADER", cls.auth_header),
            forwarded_allow_ips=reader.addresses("FORWARDED_ALLOW_IPS") or cls.forwarded_allow_ips,
            auth_proxy_ips=reader.addresses("AUTH_PROXY_IPS"),
            log_level=reader.choice("LOG_LEVEL", cls.log_level, LOG_LEVELS, upper=True),
            debug=reader.flag("DEBUG", cls.debug),
            compute_seconds=reader.number("COMPUTE_SECONDS", cls.compute_seconds, low=0.1),
            compute_memory_mb=reader.number("COMPUTE_MEMORY_MB", cls.compute_memory_mb, low=1),
            secret_key=reader.secret("SECRET_KEY"),
            redis_url=reader.redis_url("REDIS_URL"),
            shared_upload_ttl=reader.number("SHARED_UPLOAD_TTL", cls.shared_upload_ttl, low=1),
        )
        if config.redis_url is not None and config.secret_key is None:
            # A key drawn per process would make every other worker's entries fail their check.
            raise ConfigError(
                "REDIS_URL is set but SECRET_KEY is not: give every container that shares the "
                "Redis the same SECRET_KEY (at least 32 characters, e.g. from "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        if config.relapses_path is not None and config.cohort_path is None:
            raise ConfigError("RELAPSES_PATH is set but COHORT_PATH is not: set both or neither")
        if config.infusions_path is not None and config.cohort_path is None:
            raise ConfigError("INFUSIONS_PATH is set but COHORT_PATH is not: set both or neither")
        if config.auth_mode == "basic" and config.auth_users_file is None:
            raise ConfigError("AUTH_MODE=basic needs AUTH_USERS_FILE (see README, 'Deploy')")
        if config.debug and (config.auth_mode != "none" or not is_loopback(config.host)):
            # Dash's dev tools show tracebacks (with data) in the page: a laptop-only mode.
            raise ConfigError(
                "DEBUG=1 is for a laptop only: it needs HOST=127.0.0.1 (or ::1, localhost) "
                f"and AUTH_MODE=none, got HOST={config.host!r}, AUTH_MODE={config.auth_mode}"
            )
        return config


def _row_limits(reader: _Reader) -> dict[str, int]:
    """MAX_UPLOAD_PATIENTS/RELAPSES/INFUSIONS, each defaulting to the deprecated
    MAX_UPLOAD_ROWS when that is set, else to its own default."""
    old = reader.integer("MAX_UPLOAD_ROWS", 0, low=1) or None
    return {
        "max_upload_patients": reader.integer(
            "MAX_UPLOAD_PATIENTS", old or Config.max_upload_patients, low=1
        ),
        "max_upload_relapses": reader.integer(
            "MAX_UPLOAD_RELAPSES", old or Config.max_upload_relapses, low=1
        ),
        "max_upload_infusions": reader.integer(
            "MAX_UPLOAD_INFUSIONS", old or Config.max_upload_infusions, low=1
        ),
    }


def is_loopback(host: str) -> bool:
    """Whether ``host`` binds to this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Reader:
    """Typed reads of environment variables with messages that name the variable."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def _raw(self, name: str) -> str | None:
        value = self.env.get(name)
        return value.strip() if value is not None and value.strip() else None

    def integer(self, name: str, default: int, low: int, high: int | None = None) -> int:
        text = self._raw(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ConfigError(f"{name} must be {bound}, got {value}")
        return value

    def number(self, name: str, default: float, low: float) -> float:
        text = self._raw(name)
        if text is None:
            return default
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {text!r}") from None
        if not value >= low:
            raise ConfigError(f"{name} must be at least {low:g}, got {text!r}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        text = self._raw(name)
        if text is None:
            return default
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} must be 1 or 0 (true/false), got {text!r}")

    def addresses(self, name: str) -> str | None:
        """Comma-separated addresses or networks (``10.0.0.5,10.1.0.0/16``), or ``*``."""
        text = self._raw(name)
        if text is None or text == "*":
            return text
        for part in (p for p in text.split(",") if p.strip()):
            try:
                ipaddress.ip_network(part.strip(), strict=False)
            except ValueError:
                raise ConfigError(
                    f"{name} must list IP addresses or networks separated by commas, "
                    f"got {part.strip()!r}"
                ) from None
        return text

    def secret(self, name: str) -> str | None:
        text = self._raw(name)
        if text is not None and len(text) < 32:
            # Short keys can be guessed offline from one value signed with them.
            raise ConfigError(f"{name} must be at least 32 characters long")
        return text

    def path(self, name: str) -> Path | None:
        text = self._raw(name)
        return None if text is None else Path(text)

    def data_file(self, name: str) -> Path | None:
        """A path that, when it exists, is a regular file: a FIFO would hang start-up and
        /dev/zero would be read until memory runs out. (A missing file is the cohort's
        problem to report, on the page.)"""
        path = self.path(name)
        if path is not None and path.exists() and not path.is_file():
            raise ConfigError(f"{name} must be a regular file, got {str(path)!r}")
        return path

    def choice(self, name: str, default: str, allowed: tuple[str, ...], upper: bool = False) -> str:
        text = self._raw(name)
        if text is None:
            return default
        value = text.upper() if upper else text.lower()
        if value not in allowed:
            raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {text!r}")
        return value

    def base_path(self, name: str) -> str:
        text = self._raw(name)
        if text is None:
            return "/"
        # Dash wants "/prefix/": accept "/prefix", "prefix/" and "prefix" as an admin types them.
        return "/" + text.strip("/") + "/" if text.strip("/") else "/"

    def redis_url(self, name: str) -> str | None:
        """``redis://[:password@]host:port/db``, ``rediss://`` (TLS) or ``unix:///path``.
        Messages never repeat the value: it can hold the Redis password."""
        text = self._raw(name)
        if text is None:
            return None
        scheme, sep, rest = text.partition("://")
        if not sep or scheme.lower() not in REDIS_SCHEMES or not rest.strip("/"):
            raise ConfigError(
                f"{name} must look like redis://host:6379/0 (or rediss://, unix:///path)"
            )
        return text
