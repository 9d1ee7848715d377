"""The SYNTHETIC demo cohort: 54 made-up patients shipped with the package.

``generate.py`` made ``patients.csv``, ``relapses.csv`` and ``infusions.csv`` (seeded,
reproducible). No real patient is behind any row; every view labels the cohort "synthetic".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analytics.data.cohort import Cohort

DEMO_DIR = Path(__file__).resolve().parent
PATIENTS_PATH = DEMO_DIR / "patients.csv"
RELAPSES_PATH = DEMO_DIR / "relapses.csv"
INFUSIONS_PATH = DEMO_DIR / "infusions.csv"
DEMO_LABEL = "Synthetic demo cohort"


def load_demo() -> Cohort:
    """Load the shipped synthetic cohort (patients, relapses, infusions) as a ``Cohort``."""
    from analytics.data.io import load_cohort  # imported here: io imports nothing from demo

    return load_cohort(
        PATIENTS_PATH,
        RELAPSES_PATH,
        infusions=INFUSIONS_PATH,
        patients_name=PATIENTS_PATH.name,
        relapses_name=RELAPSES_PATH.name,
        infusions_name=INFUSIONS_PATH.name,
        label=DEMO_LABEL,
        synthetic=True,
    )
