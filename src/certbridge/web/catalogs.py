"""Keep the page catalogs complete: extract msgids from the kit and every capability's pages and templates.

Run `python -m certbridge.web.catalogs` after adding text; then fill the empty Chinese entries in
web/locale/zh/LC_MESSAGES/messages.po (English entries start as the msgid and may be reworded).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from certbridge.web.i18n import catalog_path, read_catalog

WEB = Path(__file__).parent
SRC = WEB.parent
# t(request, msg), gettext(lang, msg), NavEntry(href, label), DashboardItem(label, ...) and _(msg).
PY_KEYWORDS = {"_": None, "g": None, "t": (2,), "gettext": (2,), "NavEntry": (2,), "N_": None}
METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"},
           "**.py": {}}


def _is_page_source(filename: str) -> bool:
    """Tell whether a file holds page text: the kit, any capability's pages and templates."""
    path = "/" + filename.replace("\\", "/")
    return ("/web/" in path or "/templates/" in path or "/pages/" in path or path.endswith("/pages.py")
            or "/pages_" in path or path.endswith("/choices.py"))


def extract_messages() -> dict[str, list[str]]:
    """Return every msgid used by the pages (under src/certbridge), with where each is used."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(SRC), METHOD_MAP, options_map=OPTIONS, keywords={**PY_KEYWORDS, "ngettext": (1, 2)},
            comment_tags=(), strip_comment_tags=True):
        if not _is_page_source(filename):
            continue
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid:
            continue
        key = f"{context}\x04{msgid}" if context else msgid
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def update_catalogs() -> dict[str, int]:
    """Add msgids the pages use to both catalogs (English pre-filled), and report how many were added."""
    used = extract_messages()
    added = {}
    for lang in ("zh", "en"):
        existing = read_catalog(lang)
        catalog = Catalog(locale=lang, domain="messages", project="certbridge", version="1", fuzzy=False,
                          header_comment=f"# certbridge page texts ({lang}). Update: python -m certbridge.web.catalogs",
                          copyright_holder="certbridge", msgid_bugs_address="-", last_translator="certbridge",
                          language_team=lang, creation_date=existing.creation_date,
                          revision_date=existing.creation_date)
        for msg in existing:
            if msg.id:
                catalog.add(msg.id, msg.string, locations=(), context=msg.context)
        count = 0
        for key in sorted(used):
            context, _, msgid = key.rpartition("\x04")
            if catalog.get(msgid, context=context or None) is None:
                catalog.add(msgid, msgid if lang == "en" else "", context=context or None)
                count += 1
        with catalog_path(lang).open("wb") as fh:
            write_po(fh, catalog, width=0, omit_header=False, sort_output=True, no_location=True)
        added[lang] = count
    return added


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    print(update_catalogs())
