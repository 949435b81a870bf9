"""The page language: English or Simplified Chinese, from ``?lang=``, then ``Accept-Language``.

Text is translated with gettext catalogs (``app/web/locales/<locale>/LC_MESSAGES/messages.po``,
compiled to ``.mo`` and shipped in the package; ``make translations`` re-extracts and
compiles them). Dates and numbers are formatted by Babel for the chosen locale. What a
credential itself says (names, descriptions) is never translated: it is shown as issued.

The language is chosen once per request by ``app.web.i18n.LocaleMiddleware`` and kept in a
context variable, so templates and the PDF renderer read it without every route passing it
along. This module has no web dependencies: the proofs package uses it too.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from app.core.negotiation import parse_accept

LOCALES_DIR: Final = Path(__file__).resolve().parents[1] / "web" / "locales"
DEFAULT: Final = "en"
# Locale id (Babel/gettext) → language tag (BCP 47, what ?lang= and <html lang> use).
SUPPORTED: Final = {"en": "en", "zh_CN": "zh-CN"}
_TRADITIONAL: Final = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT)


def from_tag(tag: str | None) -> str | None:
    """The supported locale a language tag asks for ("zh-CN", "zh", "en-GB"), if any."""
    value = (tag or "").strip().lower().replace("_", "-")
    if not value or value.startswith(_TRADITIONAL):
        return None
    if value == "zh" or value.startswith(("zh-cn", "zh-hans", "zh-sg")):
        return "zh_CN"
    if value == "en" or value.startswith("en-"):
        return "en"
    return None


def negotiate(query: str | None, accept_language: str | None) -> str:
    """``?lang=`` wins, then the best ``Accept-Language`` range we support, then English."""
    asked = parse_qs(query or "").get("lang", [])
    for tag in asked[:1]:
        chosen = from_tag(tag)
        if chosen:
            return chosen
    ranked = sorted(parse_accept(accept_language), key=lambda item: -item[1])
    for tag, quality in ranked:
        chosen = from_tag(tag) if quality > 0 else None
        if chosen:
            return chosen
    return DEFAULT


def current() -> str:
    return _current.get()


def tag(locale: str | None = None) -> str:
    return SUPPORTED[locale or current()]


@contextmanager
def using(locale: str) -> Iterator[None]:
    """Render in ``locale`` (tests, the command line, background jobs)."""
    token = _current.set(locale if locale in SUPPORTED else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def set_current(locale: str) -> contextvars.Token[str]:
    return _current.set(locale)


def reset_current(token: contextvars.Token[str]) -> None:
    _current.reset(token)


@cache
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT:
        return NullTranslations()
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention the extractor knows
    """Marks a message for the catalog; it is translated where it is shown."""
    return message


def gettext(message: str) -> str:
    return translations(current()).ugettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current()).ungettext(singular, plural, count)


# English keeps the site's "6 December 2026"; Chinese reads "2026年12月6日".
_DATE_FORMATS: Final = {"en": "d MMMM y", "zh_CN": "long"}


def long_date(value: datetime | None) -> str:
    if not value:
        return ""
    locale = current()
    return format_date(value, format=_DATE_FORMATS.get(locale, "long"), locale=locale)


def number(value: float | int | None) -> str:
    return format_decimal(value, locale=current()) if value is not None else ""


# Each language's name in itself (an endonym is never translated).
_NAMES: Final = {"en": "English", "zh_CN": "简体中文"}


def language_name(locale: str) -> str:
    """The language's own name for the switch."""
    return _NAMES.get(locale) or Locale.parse(locale).get_display_name(locale) or locale
