"""Assembling estimators' results into reports, and the words and numbers that present them."""
