"""The view a user has chosen (filters and display options), and its URL query encoding.

Shareable state: the query string holds every choice, so a colleague opening the URL sees
the same subgroup. Parsing is forgiving: an unknown or malformed parameter is ignored
rather than breaking the page, since URLs get truncated in e-mails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal
from urllib.parse import parse_qs, urlencode

from analytics.data.cohort import DEFAULT_GRACE_MONTHS, MAX_GRACE_MONTHS, Filters
from analytics.stats.levels import (
    DEFAULT_CONF_LEVEL,
    DEFAULT_ZPH_TRANSFORM,
    check_zph_transform,
    parse_conf_level,
)
from i18n.language import DEFAULT_LANGUAGE, Language, parse_language

ALL = "all"  # the "no restriction" choice of radio filters
NO_GROUP = "none"
DEFAULT_GROUP_BY = "asymptomatic_lesions"
DEFAULT_LANDMARK = 12.0
# The open analyses' defaults: the study's design (analytics.reports.report.build_report's).
DEFAULT_TABLE_BY = "failure"
DEFAULT_EXPOSURE = "asymptomatic_lesions"
DEFAULT_EXPOSURE_MONTHS = "asymptomatic_lesion_months"


@dataclass(frozen=True)
class ViewState:
    """Everything that determines what the panels show, apart from the data itself."""

    sex: str | None = None
    age: tuple[float, float] | None = None
    edss: tuple[float, float] | None = None
    lesions: int | None = None
    gd_persistent: int | None = None
    fcgr3a: str | None = None
    grace_months: float = DEFAULT_GRACE_MONTHS
    group_by: str | None = DEFAULT_GROUP_BY
    covariates: tuple[str, ...] = ()
    horizon: float | None = None
    landmark: float = DEFAULT_LANDMARK
    # The page's language: not a statistical choice, but it travels in the same shareable URL.
    language: Language = DEFAULT_LANGUAGE
    conf_level: float = DEFAULT_CONF_LEVEL
    zph_transform: str = DEFAULT_ZPH_TRANSFORM
    # The open analyses (Lesion timing and Table 1 & MANCOVA tabs); None = the default design.
    table_by: str = DEFAULT_TABLE_BY
    exposure: str = DEFAULT_EXPOSURE
    exposure_months: str = DEFAULT_EXPOSURE_MONTHS
    exposure_covariates: tuple[str, ...] = ()
    mancova_dependent: tuple[str, ...] | None = None
    mancova_factor: str | None = None
    mancova_covariates: tuple[str, ...] | None = None

    def filters(self) -> Filters:
        age = self.age or (None, None)
        edss = self.edss or (None, None)
        return Filters(
            sex=self.sex,
            age_min=age[0],
            age_max=age[1],
            edss_min=edss[0],
            edss_max=edss[1],
            lesions=self.lesions,
            gd_persistent=self.gd_persistent,
            fcgr3a=self.fcgr3a,
            grace_months=self.grace_months,
        )

    def to_query(self) -> str:
        """``?key=value&...`` with only the choices that differ from the defaults."""
        params: dict[str, str] = {}
        for key, value in (
            ("sex", self.sex),
            ("lesions", self.lesions),
            ("gd", self.gd_persistent),
            ("fcgr3a", self.fcgr3a),
            ("horizon", self.horizon),
            (
                "conf",
                None if self.conf_level == DEFAULT_CONF_LEVEL else round(100 * self.conf_level),
            ),
            ("zph", None if self.zph_transform == DEFAULT_ZPH_TRANSFORM else self.zph_transform),
        ):
            if value is not None:
                params[key] = _text(value)
        for key, span in (("age", self.age), ("edss", self.edss)):
            if span is not None:
                params[key] = f"{_text(span[0])}-{_text(span[1])}"
        if self.grace_months != DEFAULT_GRACE_MONTHS:
            params["grace"] = _text(self.grace_months)
        if self.group_by != DEFAULT_GROUP_BY:
            params["group"] = self.group_by or NO_GROUP
        if self.covariates:
            params["cov"] = ",".join(self.covariates)
        if self.landmark != DEFAULT_LANDMARK:
            params["landmark"] = _text(self.landmark)
        if self.language != DEFAULT_LANGUAGE:
            params["lang"] = self.language
        params.update(_open_params(self))
        return f"?{urlencode(params)}" if params else ""

    @classmethod
    def from_query(cls, search: str | None) -> ViewState:
        """Parse a query string; anything unreadable falls back to its default."""
        raw = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}
        state = cls()
        changes: dict[str, object] = {}
        changes["sex"] = _choice(raw.get("sex", "").upper(), ("F", "M"))
        changes["lesions"] = _binary(raw.get("lesions"))
        changes["gd_persistent"] = _binary(raw.get("gd"))
        changes["fcgr3a"] = _choice(raw.get("fcgr3a", "").upper(), ("VV", "VF", "FF"))
        changes["age"] = _span(raw.get("age"), 0, 120)
        changes["edss"] = _span(raw.get("edss"), 0, 10)
        grace = finite_number(raw.get("grace"))
        if grace is not None and 0 <= grace <= MAX_GRACE_MONTHS:
            changes["grace_months"] = grace
        if "group" in raw:
            changes["group_by"] = None if raw["group"] == NO_GROUP else raw["group"]
        if raw.get("cov"):
            changes["covariates"] = tuple(c for c in raw["cov"].split(",") if c)
        horizon = finite_number(raw.get("horizon"))
        changes["horizon"] = horizon if horizon is not None and horizon > 0 else None
        landmark = finite_number(raw.get("landmark"))
        if landmark is not None and landmark > 0:
            changes["landmark"] = landmark
        changes["language"] = parse_language(raw.get("lang"))
        changes["conf_level"] = conf_level_or_default(raw.get("conf"))
        changes["zph_transform"] = zph_transform_or_default(raw.get("zph"))
        changes.update(_open_changes(raw))
        return replace(state, **changes)


def conf_level_or_default(value: object) -> float:
    """90/95/99 (or 0.90...); anything else is the default, as every URL parameter."""
    try:
        return parse_conf_level(value) if value is not None else DEFAULT_CONF_LEVEL
    except ValueError:
        return DEFAULT_CONF_LEVEL


def zph_transform_or_default(value: object) -> str:
    try:
        return check_zph_transform(value) if value is not None else DEFAULT_ZPH_TRANSFORM
    except ValueError:
        return DEFAULT_ZPH_TRANSFORM


# URL keys of the open analyses; a list is comma-separated, an empty list is NO_GROUP.
_OPEN_KEYS = {
    "table_by": "t1",
    "exposure": "exp",
    "exposure_months": "expm",
    "exposure_covariates": "expcov",
    "mancova_dependent": "mdep",
    "mancova_factor": "mfac",
    "mancova_covariates": "mcov",
}


def _open_params(state: ViewState) -> dict[str, str]:
    params = {}
    default = ViewState()
    for name, key in _OPEN_KEYS.items():
        value = getattr(state, name)
        if value == getattr(default, name):
            continue
        params[key] = (",".join(value) or NO_GROUP) if isinstance(value, tuple) else str(value)
    return params


def _open_changes(raw: dict[str, str]) -> dict[str, object]:
    """Column names are checked against the cohort later (app.callbacks.common)."""
    changes: dict[str, object] = {}
    for name, key in _OPEN_KEYS.items():
        text = raw.get(key)
        if not text:
            continue
        if isinstance(getattr(ViewState(), name), str) or name == "mancova_factor":
            changes[name] = text
        else:
            changes[name] = () if text == NO_GROUP else tuple(c for c in text.split(",") if c)
    return changes


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        # Positional, never "1e-05": a span is written "low-high", and an exponent's minus
        # sign would split it in the wrong place when read back.
        return format(Decimal(repr(value)), "f")
    return str(value)


def finite_number(value: object) -> float | None:
    """A finite number from a number or its text; None otherwise (bools are not numbers).
    URL parameters and the controls' values (app.state.control_values) are both read with it."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _choice(text: str, allowed: tuple[str, ...]) -> str | None:
    return text if text in allowed else None


def _binary(text: str | None) -> int | None:
    return int(text) if text in ("0", "1") else None


def _span(text: str | None, low: float, high: float) -> tuple[float, float] | None:
    if not text or "-" not in text:
        return None
    first, _, second = text.partition("-")
    a, b = finite_number(first), finite_number(second)
    if a is None or b is None or not (low <= a <= b <= high):
        return None
    return (a, b)
