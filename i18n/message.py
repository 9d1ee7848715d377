"""A message with values, translated when it is shown rather than when it is written.

``analytics`` results are language-free data (cached once for every language), yet their
warnings and notes carry values: a count, a column name, a p-value, another message. A
:class:`Message` keeps the catalog id (named placeholders) and the values apart, so a page
renders it with gettext/ngettext in its language, numbers with the locale's marks. It *is*
a ``str`` whose text is the English rendering, so JSON output (``json.dumps`` writes a str
subclass as its text), the CLI and code that compares or joins messages see plain English.

Parameter values: ``str`` (a column name, kept as it is), ``int`` (a count; ``Grouped`` for
one written with thousands separators, '1,234' / '1.234'), ``Decimal``
(a number with the decimals it was written with: ``fixed(0.0123, 3)``) or another
``Message`` (a reason inside a message, translated in turn). A ``float`` is refused: how
many decimals to show is the writer's choice, not the translator's.
"""

from __future__ import annotations

from decimal import Decimal
from numbers import Integral
from typing import Any

from i18n.catalog import translations
from i18n.locale_context import DEFAULT_LANGUAGE, Language, catalog_language, current_language
from i18n.numbers import decimal_text
from i18n.numbers import fixed as fixed_text

Value = str | int | Decimal


class Message(str):
    """``Message("{n} rows left out", n=3)``: gettext's msgid with named placeholders.

    ``context`` tells apart two uses of one English text that translate differently
    (gettext's msgctxt: "Female" as a filter option, "Female" as a count of women).
    """

    msgid: str
    context: str | None
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, *, context: str | None = None, **params: Any) -> Message:
        params = _checked(msgid, params)
        self = super().__new__(cls, cls._render(msgid, None, context, params, DEFAULT_LANGUAGE))
        self.msgid, self.context, self.params = msgid, context, params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # str's own reduction would rebuild from the English text alone.
        return (_rebuild, (type(self), self.msgid, self.context, self.params, None))

    def render(self, language: Language | None = None) -> str:
        """The message in ``language`` (the current one by default)."""
        return self._render(self.msgid, None, self.context, self.params, language)

    @staticmethod
    def _render(
        msgid: str,
        plural: str | None,
        context: str | None,
        params: dict[str, Any],
        language: Language | None,
    ) -> str:
        if not msgid:  # gettext("") is the catalog's header, not a translation
            return msgid
        language = language or current_language()
        catalog = translations(catalog_language(language))
        if plural is None:
            template = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
        else:
            count = params["n"]
            template = (
                catalog.npgettext(context, msgid, plural, count)
                if context
                else catalog.ngettext(msgid, plural, count)
            )
        if not params:
            return template
        return template.format(**{k: _value(v, language) for k, v in params.items()})


class PluralMessage(Message):
    """``PluralMessage("{n} patient left out.", "{n} patients left out.", n=3)``: ngettext's
    pair, the form chosen by the count ``n`` and the language's CLDR plural rule."""

    plural: str

    def __new__(
        cls, singular: str, plural: str, /, *, context: str | None = None, **params: Any
    ) -> PluralMessage:
        params = _checked(singular, params)
        if not isinstance(params.get("n"), int):
            raise TypeError(f"{singular!r}: a plural message needs an int count n")
        english = cls._render(singular, plural, context, params, DEFAULT_LANGUAGE)
        self = str.__new__(cls, english)
        self.msgid, self.plural, self.context, self.params = singular, plural, context, params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.msgid, self.context, self.params, self.plural))

    def render(self, language: Language | None = None) -> str:
        return self._render(self.msgid, self.plural, self.context, self.params, language)


def _rebuild(
    cls: type[Message],
    msgid: str,
    context: str | None,
    params: dict[str, Any],
    plural: str | None,
) -> Message:
    if plural is None:
        return cls(msgid, context=context, **params)
    return PluralMessage(msgid, plural, context=context, **params)


def _checked(msgid: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters, numpy integers as Python ints (counts often come from numpy)."""
    checked: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Integral) and not isinstance(value, (int, bool)):
            value = int(value)
        if isinstance(value, float) or not isinstance(value, (str, int, Decimal)):
            raise TypeError(f"parameter {name!r} of {msgid!r}: {type(value).__name__}")
        checked[name] = value
    return checked


class Grouped(int):
    """A count shown with the locale's thousands separator ('1,234' / '1.234')."""

    __slots__ = ()


def _value(value: Value, language: Language) -> str:
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, Grouped):
        return fixed_text(value, 0, grouping=True, language=language)
    if isinstance(value, int):
        return fixed_text(value, 0, language=language)
    return decimal_text(value, language=language)


def fixed(value: float, digits: int) -> Decimal:
    """A number as a message shows it, rounded as ``f"{value:.{digits}f}"`` rounds."""
    return Decimal(f"{value:.{digits}f}")


def general(value: float) -> Decimal:
    """A number as ``f"{value:g}"`` writes it (12, 0.5): for values like 6 or 2.5 months."""
    return Decimal(f"{value:g}")


def translate(message: str, language: Language | None = None) -> str:
    """A message, or a plain catalog id (interface text passed through a result), in
    ``language`` (the current one by default); text with no translation stays English."""
    if isinstance(message, Message):
        return message.render(language)
    return translations(catalog_language(language or current_language())).gettext(message)


def reason(error: BaseException) -> Message:
    """An exception's text as a message parameter: the Message it was raised with (``str()``
    of the exception would flatten it to English), or its text looked up as a catalog id."""
    text = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) else str(error)
    return as_message(text)


def as_message(text: str) -> Message:
    """Text passed along as a message parameter: a Message as it is, plain text as a
    catalog id (translated when the catalog has it)."""
    return text if isinstance(text, Message) else Message(text)
