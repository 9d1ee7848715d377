"""Table 1 and MANCOVA cells: built in :mod:`analytics.reports.table_one_text`, which the CLI's text
uses too, so the page, the HTML report and the CLI share one builder."""

from __future__ import annotations

from analytics.reports.table_one_text import Cells, mancova_cells, table_one_cells

__all__ = ["Cells", "mancova_cells", "table_one_cells"]
