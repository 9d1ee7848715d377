"""Configuration from environment variables, read once at start-up (documented in README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Config:
    """What the deployment decides; the defaults are the laptop demo."""

    host: str = "127.0.0.1"
    port: int = 8050
    cohort_path: Path | None = None
    relapses_path: Path | None = None
    debug: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if env is None else env)
        port_text = env.get("PORT", "8050")
        try:
            port = int(port_text)
        except ValueError:
            raise ValueError(f"PORT must be a whole number, got {port_text!r}") from None
        cohort = env.get("COHORT_PATH") or None
        relapses = env.get("RELAPSES_PATH") or None
        return cls(
            host=env.get("HOST", "127.0.0.1"),
            port=port,
            cohort_path=Path(cohort) if cohort else None,
            relapses_path=Path(relapses) if relapses else None,
            debug=env.get("DEBUG", "0") == "1",
        )
