"""Each app test starts with an empty report cache, so a test's own patches take effect."""

from __future__ import annotations

import pytest

from app.callbacks import common
from app.lru import BoundedCache


@pytest.fixture(autouse=True)
def fresh_report_cache(monkeypatch):
    """An empty report cache (as a freshly started worker has)."""
    cache = BoundedCache(common.REPORT_CACHE_ITEMS, common.REPORT_CACHE_PATIENTS)
    monkeypatch.setattr(common, "_reports", cache)
    return cache
