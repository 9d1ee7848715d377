"""Spanish for the interface: English text -> Spanish text (see analytics/language.py).

SPANISH holds fixed strings and ``str.format`` templates ("{n} patients"); SPANISH_MESSAGES
holds templates of the messages ``analytics`` writes into its results, with ``{}`` where a
value goes (matched as patterns when rendered). Clinical Spanish as neurology journals in
Spain and Latin America write it (e.g. "fracaso terapéutico", "brote", "EDSS basal").
"""

from __future__ import annotations

SPANISH: dict[str, str] = {}

SPANISH_MESSAGES: dict[str, str] = {}
