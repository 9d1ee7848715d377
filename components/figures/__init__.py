"""Plotly figures as plain dicts: Kaplan-Meier, forest, MCF, swimmer, rates."""
