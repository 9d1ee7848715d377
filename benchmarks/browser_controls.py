"""The control changes the browser benchmark makes, as a user makes them.

Each control type knows how to find its control (by the IDs of app/layout/ids.py), which
value comes next and how to set it, and which input event starts the clock (``rule`` of
``benchmarks.browser_probe.WAIT_JS``). Every change is a real change (a value other than the
current one), and the changes of one round are interleaved across the types while the
keyboard walks the upper age thumb down one year per change, so the filter state never
repeats: every change asks the server for a view it has not computed yet (a cache serving
repeated views would otherwise hide the computation after the first few changes).

Other branches are changing the page (debounced sliders, callbacks split per tab): if a
control is rebuilt, adjust the IDs and selectors in ``ControlIds`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select


@dataclass(frozen=True)
class ControlIds:
    sex: str = "filter-sex"
    age: str = "filter-age"
    group_by: str = "filter-group-by"
    covariates: str = "filter-covariates"
    km_options: str = "km-options"
    km_option_value: str = "ci"
    thumb: str = "[role=slider]"  # the slider thumbs inside the slider's element
    sex_cycle: tuple[str, ...] = ("F", "M", "all")  # every step changes the count


IDS = ControlIds()


@dataclass(frozen=True)
class ControlType:
    name: str
    label: str
    rule: str  # which input event starts the clock
    changes_count: bool  # whether the change is expected to change the patient count
    act: Callable[[object, int], str]  # (driver, change index) -> description of the change


def _centre(driver, element):
    # "instant": smooth scrolling would still be moving when selenium clicks.
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
    )
    return element


def _thumbs(driver):
    return driver.find_elements(By.CSS_SELECTOR, f"#{IDS.age} {IDS.thumb}")


def _thumb_value(thumb) -> float:
    return float(thumb.get_attribute("aria-valuenow"))


def _click_label_of(driver, control_id: str, css: str) -> None:
    box = driver.find_element(By.CSS_SELECTOR, f"#{control_id} {css}")
    label = driver.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
    _centre(driver, label).click()


def sex_radio(driver, index: int) -> str:
    value = IDS.sex_cycle[index % len(IDS.sex_cycle)]
    _click_label_of(driver, IDS.sex, f"input[type=radio][value='{value}']")
    return f"sex={value}"


def age_keyboard(driver, index: int) -> str:
    """One arrow key on the upper age thumb, always down: a new age window every change."""
    thumb = _centre(driver, _thumbs(driver)[-1])
    before = _thumb_value(thumb)
    thumb.send_keys(Keys.ARROW_LEFT)
    return f"age max {before:g} -> {_thumb_value(_thumbs(driver)[-1]):g} (ArrowLeft)"


def age_drag(driver, index: int) -> str:
    """Drag the lower age thumb right by about 8 % of the track, then back to the minimum."""
    slider = _centre(driver, driver.find_element(By.ID, IDS.age))
    thumb = _thumbs(driver)[0]
    before = _thumb_value(thumb)
    left = slider.rect["x"]
    centre = thumb.rect["x"] + thumb.rect["width"] / 2
    # Back: to just inside the track's left end (the thumb stops at the minimum); the
    # pointer stays in the window, which selenium requires.
    offset = int(slider.rect["width"] * 0.08) if index % 2 == 0 else int(left + 1 - centre)
    ActionChains(driver).click_and_hold(thumb).move_by_offset(offset, 0).release().perform()
    after = _thumb_value(_thumbs(driver)[0])
    if after == before:
        raise RuntimeError(f"the drag by {offset:+d} px left the thumb at {before:g}")
    return f"age min {before:g} -> {after:g} (drag {offset:+d} px)"


def _select_options(control) -> list[str]:
    """The menu's choices (not a placeholder: disabled or without a value)."""
    return [
        o.get_attribute("value")
        for o in Select(control).options
        if o.get_attribute("value") and o.is_enabled()
    ]


def group_dropdown(driver, index: int) -> str:
    """The next grouping in the menu (wrapping): a native select, or a Dash dropdown."""
    control = _centre(driver, driver.find_element(By.ID, IDS.group_by))
    if control.tag_name != "select":
        return _dash_dropdown_next(driver, control)
    values = _select_options(control)
    current = control.get_attribute("value")
    value = values[(values.index(current) + 1) % len(values)] if current in values else values[0]
    Select(control).select_by_value(value)
    return f"group_by={value}"


def _dash_dropdown_next(driver, control) -> str:
    control.click()
    options = driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")
    chosen = [o for o in options if "selected" not in (o.get_attribute("class") or "")]
    if not chosen:
        raise RuntimeError(f"#{IDS.group_by}: no other option to choose")
    text = chosen[0].text
    chosen[0].click()
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    return f"group_by={text}"


def covariate_checkbox(driver, index: int) -> str:
    """Tick / untick the first Cox covariate (a new multivariable model)."""
    _click_label_of(driver, IDS.covariates, "input[type=checkbox]")
    return "first covariate toggled"


def km_option_checkbox(driver, index: int) -> str:
    """Toggle a Kaplan–Meier display option (the report comes from the cache: render only)."""
    _click_label_of(driver, IDS.km_options, f"input[type=checkbox][value='{IDS.km_option_value}']")
    return f"KM option {IDS.km_option_value} toggled"


CONTROL_TYPES = {
    c.name: c
    for c in (
        ControlType("radio", "radio (sex)", "first", True, sex_radio),
        ControlType("slider-keys", "slider, keyboard (age)", "last-keydown", True, age_keyboard),
        ControlType("slider-drag", "slider, drag (age)", "last-pointerup", True, age_drag),
        ControlType("dropdown", "dropdown (grouping)", "first", False, group_dropdown),
        ControlType("checkbox", "checkbox (Cox covariate)", "first", False, covariate_checkbox),
        ControlType("km-option", "checkbox (KM option)", "first", False, km_option_checkbox),
    )
}
FILTER_TYPES = ("radio", "slider-keys", "slider-drag")  # the ones that filter the cohort


def age_thumbs(driver) -> list[float]:
    return [_thumb_value(t) for t in _thumbs(driver)]
