"""Text as it enters: invisible characters removed, identifiers folded to half-width.

Two rules, applied at every input edge (API schemas, web forms, imports, search and verify input):

- **Invisible characters** — format characters (Unicode category Cf: zero-width space/joiners U+200B–U+200D,
  word joiner U+2060, BOM U+FEFF, soft hyphen U+00AD, bidirectional controls U+200E/F, U+202A–U+202E,
  U+2066–U+2069 …) and control characters (Cc) other than tab and line breaks — are removed from names and
  free text. They are invisible on screen, so a name holding one could never be found by typing it. Line
  and paragraph separators (U+2028/9) become a line break; in a single-line value every tab or line
  break becomes a space.
- **Identifiers and numbers** (统一社会信用代码, certificate and registration numbers, codes) are additionally
  folded by NFKC restricted to its width mappings: full-width ``９１３５ＡＢ－１`` becomes ``9135AB-1`` and the
  ideographic space a space. Other compatibility mappings (``①`` → ``1``, ``²`` → ``2``, ``ﬁ`` → ``fi``) are
  deliberately *not* applied, so such a character stays and fails the identifier's own check with a clear
  message instead of silently turning into a digit.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

_LINE_SEPARATORS = {"\u2028": "\n", "\u2029": "\n", "\u0085": "\n"}
_KEPT_CONTROLS = frozenset("\t\n\r")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def _is_invisible(ch: str) -> bool:
    if ch in _KEPT_CONTROLS:
        return False
    return unicodedata.category(ch) in ("Cf", "Cc")


def strip_invisible(text: str, *, multiline: bool = True) -> str:
    """Remove invisible format and control characters; with ``multiline=False`` line breaks become spaces.

    Tab, CR and LF are kept in multi-line text (a scope may have several lines); U+2028/U+2029/U+0085 become LF.
    """
    if text.isprintable():
        return text  # the common case (no Cc, Cf or line break in it): no per-character walk
    out = []
    for ch in text:
        ch = _LINE_SEPARATORS.get(ch, ch)
        if _is_invisible(ch):
            continue
        out.append(ch)
    cleaned = "".join(out)
    if not multiline:
        cleaned = _LINE_BREAKS.sub(" ", cleaned)
    return cleaned


def has_invisible(text: str) -> bool:
    """Tell whether ``strip_invisible`` would remove anything from ``text`` (line breaks aside)."""
    return strip_invisible(text) != text


@cache
def _width_fold_table() -> dict[int, str]:
    # Every character whose compatibility decomposition is a <wide> or <narrow> form, mapped by NFKC.
    table: dict[int, str] = {}
    for code in range(0x3000, 0x10000):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition.startswith(("<wide>", "<narrow>")):
            table[code] = unicodedata.normalize("NFKC", chr(code))
    return table


def fold_width(text: str) -> str:
    """Apply NFKC's width mappings only: full-width letters, digits and punctuation to ASCII, half-width kana to
    full-width; nothing else changes."""
    if text.isascii():
        return text  # the common case: nothing to fold
    return text.translate(_width_fold_table())


def normalize_identifier(text: str, *, upper: bool = False) -> str:
    """Fold an identifier or number as typed: invisible characters out, full-width to half-width, ends stripped,
    and upper case where the identifier's rules say letters are capitals."""
    if text.isascii() and text.isprintable():
        folded = text.strip()  # the common case: nothing invisible, nothing full-width
    else:
        folded = fold_width(strip_invisible(text, multiline=False)).strip()
    return folded.upper() if upper else folded


def clean_strings(value: Any, *, multiline: bool = True) -> Any:
    """Return ``value`` with ``strip_invisible`` applied to every string in it (dicts and lists walked)."""
    if isinstance(value, str):
        return strip_invisible(value, multiline=multiline)
    if isinstance(value, dict):
        return {key: clean_strings(item, multiline=multiline) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_strings(item, multiline=multiline) for item in value]
    return value


IDENTIFIER_FIELD_NAMES = frozenset({
    "number", "uscc", "region_code", "registration_number", "value", "code", "approval_number", "cma_number",
    "scheme", "standard_code", "standard_version", "holder_uscc", "holder_region_code", "certificate_number",
    "party_uscc", "authority_uscc", "data_source_uscc",
})
SINGLE_LINE_FIELD_NAMES = frozenset({"name", "name_en", "holder_name", "party_name", "trademark", "manufacturer",
                                     "factory", "model", "specification", "legal_representative", "authority"})


@lru_cache(maxsize=4096)
def _field_kind(name: str) -> int:
    # 0: identifier, number or date (folded); 1: single-line text; 2: text that may have several lines.
    if name in IDENTIFIER_FIELD_NAMES or name.endswith("_on") or name in ("on", "until"):
        return 0
    return 1 if name in SINGLE_LINE_FIELD_NAMES else 2


def clean_field(name: str, value: Any) -> Any:
    """Clean one input field by its name: identifiers, numbers and dates folded (``normalize_identifier``), names
    kept on one line, other text stripped of invisible characters with its line breaks kept; lists walked."""
    if isinstance(value, str):
        kind = _field_kind(name)
        if kind == 0:
            return normalize_identifier(value)
        if value.isprintable():
            return value
        return strip_invisible(value, multiline=kind == 2)
    if isinstance(value, list):
        return [clean_field(name, item) for item in value]
    return value


def clean_mapping(data: dict) -> dict:
    """Apply ``clean_field`` to every text (or list of text) value of a mapping keyed by field name.

    Returns ``data`` itself when nothing changes; the common case (no invisible character, no full-width
    identifier) costs one C-level scan of the joined text rather than a call per field.
    """
    texts = []
    for value in data.values():
        kind = type(value)
        if kind is str:
            texts.append(value)
        elif kind is list and value and type(value[0]) is str:
            return _clean_each(data)
    joined = "".join(texts)
    if not joined.isprintable():
        return _clean_each(data)
    if joined.isascii():
        return data
    wide = [key for key, value in data.items()
            if type(value) is str and not value.isascii() and _field_kind(key) == 0]
    if not wide:
        return data
    data = dict(data)
    for key in wide:
        data[key] = normalize_identifier(data[key])
    return data


def _clean_each(data: dict) -> dict:
    return {key: clean_field(key, value) if isinstance(key, str) else value for key, value in data.items()}
