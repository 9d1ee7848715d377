"""Colour-blind-safe colours (Okabe & Ito 2008, darkened), checked for contrast on white.

Every group colour is also the colour of text (the number-at-risk table, KMunicate's row
names), so each reaches WCAG's 4.5:1 against the white background, and the faded tails
(:data:`TAIL_ALPHA`) keep 3:1, the minimum for graphical marks (WCAG 2.1, 1.4.11).
tests/components/test_figure_contrast.py computes the ratios.
"""

from __future__ import annotations

# Okabe–Ito's blue, vermillion, bluish green, reddish purple and orange, each darkened (HLS
# lightness lowered, hue and saturation kept) until it reaches 4.5:1 on white: the published
# vermillion, green, purple and orange are 3.9, 3.4, 3.1 and 2.3:1. Okabe–Ito's sky blue
# darkened that far is indistinguishable from the blue, so the sixth colour is a neutral
# grey (no hue to confuse under any colour-vision deficiency), then black.
GROUP_COLOURS = ("#0072B2", "#BE5400", "#008460", "#BB4D8A", "#9C6C00", "#666666", "#000000")

# Opacity of a curve's tail where few are still followed (Kaplan–Meier, mean cumulative
# function): fainter than the curve, yet at least 3:1 on white for every group colour. The
# tail is dotted too, so it reads as different without relying on lightness.
TAIL_ALPHA = 0.8


def rgba(hex_colour: str, alpha: float) -> str:
    """``#RRGGBB`` with transparency, as plotly's ``rgba()`` string."""
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"
