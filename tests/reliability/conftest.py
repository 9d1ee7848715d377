"""The reliability tests run the Docker image's exact gunicorn CMD and ENV through
tests/deploy's helpers (imported, not copied), on 127.0.0.1 and a free port."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))

# The imitated container's root (module-scoped), re-exported as a fixture for this folder.
from test_image_contract import container_root  # noqa: E402, F401
