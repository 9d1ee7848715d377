"""Translations and locale formats: the gettext catalogs, the page's locale and messages with
values.

Self-contained (it imports nothing from ``analytics``, ``app`` or ``components``) so that
every layer can use it; ``i18n.language`` is the facade the code imports today.
"""
