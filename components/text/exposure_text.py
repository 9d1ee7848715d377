"""Words of the Lesion timing tab: built in :mod:`analytics.reports.exposure_text`, which the CLI's
text uses too, so the page, the HTML report and the CLI name the models alike."""

from __future__ import annotations

from analytics.reports.exposure_text import (
    adjusted_for,
    is_lesions,
    model_names,
    needs_onset,
    report_heading,
    title,
)

__all__ = ["adjusted_for", "is_lesions", "model_names", "needs_onset", "report_heading", "title"]
