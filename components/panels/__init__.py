"""Panel bodies built from results: cards, tables, notes and read-outs."""
