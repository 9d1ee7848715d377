"""Colour-blind-safe colours (Okabe & Ito 2008), checked for contrast on white."""

from __future__ import annotations

# Blue, vermillion, bluish green, reddish purple, orange, sky blue, black: distinguishable
# under the common colour-vision deficiencies and in greyscale print.
GROUP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def rgba(hex_colour: str, alpha: float) -> str:
    """``#RRGGBB`` with transparency, as plotly's ``rgba()`` string."""
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"
