"""Rendering: figures, panels, their words and the offline export, from analytics results."""
