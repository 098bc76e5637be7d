"""Page text in Chinese and English from gettext .po catalogs, read at start-up (no compile step, no .mo)."""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from jinja2 import pass_context
from markupsafe import Markup

from certbridge.i18n.catalog import LANGUAGES, pick_language

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
COOKIE = "lang"


class PoTranslations(_gettext.NullTranslations):
    """Translations read straight from a .po catalog; a missing or empty entry falls back to the msgid."""

    def __init__(self, messages: dict[str, str], plurals: dict[tuple[str, int], str], lang: str) -> None:
        super().__init__()
        self.messages, self.plurals, self.lang = messages, plurals, lang

    def gettext(self, message: str) -> str:
        """Translate a message."""
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message with a plural form chosen by n."""
        index = 0 if (self.lang == "zh" or n == 1) else 1
        return self.plurals.get((singular, index)) or (singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> str:
        """Translate a message in a context."""
        return self.messages.get(f"{context}\x04{message}") or message

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        """Translate a plural message in a context."""
        return self.ngettext(f"{context}\x04{singular}", plural, n)


def catalog_path(lang: str) -> Path:
    """Return the .po file of a language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str):
    """Parse a language's .po file into a babel Catalog."""
    with catalog_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


@cache
def translations(lang: str) -> PoTranslations:
    """Return the translations of a language (zh or en), parsed once per process."""
    lang = lang if lang in LANGUAGES else "zh"
    messages: dict[str, str] = {}
    plurals: dict[tuple[str, int], str] = {}
    for msg in read_catalog(lang):
        if not msg.id:
            continue
        key = msg.id[0] if isinstance(msg.id, (list, tuple)) else msg.id
        if msg.context:
            key = f"{msg.context}\x04{key}"
        if isinstance(msg.string, (list, tuple)):
            for index, text in enumerate(msg.string):
                plurals[(key, index)] = text
        elif msg.string:
            messages[key] = msg.string
    return PoTranslations(messages, plurals, lang)


def gettext(lang: str, message: str, **variables) -> str:
    """Translate a message for Python code (flash messages, headers), with %(name)s variables."""
    text = translations(lang).gettext(message)
    return text % variables if variables else text


def request_language(request) -> str:
    """Return the page language: ?lang=, then the lang cookie, then Accept-Language, then the default."""
    lang = request.query_params.get("lang") or request.cookies.get(COOKIE)
    if lang in LANGUAGES:
        return lang
    default = request.app.state.settings.default_language
    return pick_language(request.headers.get("accept-language"), default)


def _lang_of(context) -> str:
    return context.get("lang") or "zh"


@pass_context
def _jinja_gettext(context, message: str, **variables):
    text = translations(_lang_of(context)).gettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables else text


@pass_context
def _jinja_ngettext(context, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    text = translations(_lang_of(context)).ngettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def _jinja_pgettext(context, ctx: str, message: str, **variables):
    text = translations(_lang_of(context)).pgettext(ctx, message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables else text


def install_gettext(env) -> None:
    """Make {% trans %}, _() and gettext() in templates follow the `lang` of each render."""
    env.add_extension("jinja2.ext.i18n")
    env.newstyle_gettext = True
    env.globals.update(gettext=_jinja_gettext, _=_jinja_gettext, ngettext=_jinja_ngettext,
                       pgettext=_jinja_pgettext)


def N_(message: str) -> str:
    """Mark a msgid for extraction where it is translated later (labels in tables of fields)."""
    return message
