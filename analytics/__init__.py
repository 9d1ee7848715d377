"""Analytics: pure-Python survival statistics for the NMOSD cohort explorer (no dash, no plotly)."""
