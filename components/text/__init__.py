"""Words and numbers of the panels, shared with the HTML report."""
