"""The cohort-file corpus of tests/data (written by tests/data/make_fixtures.py): where it
is and what bad/expected.csv expects of each bad file."""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
GOOD, BAD = DATA / "good", DATA / "bad"
# The file every good variant must load to.
CANONICAL = GOOD / "patients.csv"


def bad_cases() -> list[dict[str, str]]:
    """The rows of bad/expected.csv."""
    with (BAD / "expected.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
