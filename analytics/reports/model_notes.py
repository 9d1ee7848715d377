"""The Cox models' warnings as the page, the HTML report and the CLI list them: an
events-per-variable warning names the model it is about (several models are fitted per view,
each with its own number of coefficients, and one list holds all their warnings)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from analytics.data.labels import column_message
from analytics.stats.cox.models import CoxModel
from i18n.language import Message

# The msgid of analytics.stats.cox.results.small_sample_warnings' events-per-variable warning.
_EVENTS_PER_VARIABLE = "Only {epv} events per variable"


def _about(note: str, model: str) -> str:
    if getattr(note, "msgid", "").startswith(_EVENTS_PER_VARIABLE):
        return Message("{model}: {note}", model=model, note=note)
    return note


def named_warnings(notes: Iterable[str], model: str) -> list[str]:
    """``notes`` of one model, its events-per-variable warning prefixed with ``model`` (a
    Message, or text already in the language the notes are shown in)."""
    return [_about(note, model) for note in notes]


def hazard_model_warnings(
    univariable: Mapping[str, CoxModel], multivariable: CoxModel | None
) -> list[str]:
    """The warnings of the Hazard ratios tab's models, in the order the table lists them:
    each univariable model (named by its column's label), then the multivariable one (when it
    is not the one univariable model itself)."""
    notes: list[str] = []
    for column, model in univariable.items():
        name = Message("Univariable Cox ({column})", column=column_message(column))
        notes += named_warnings(model.warnings, name)
    if multivariable is not None and all(multivariable is not m for m in univariable.values()):
        notes += named_warnings(multivariable.warnings, Message("Multivariable Cox"))
    return list(dict.fromkeys(notes))
