"""Standard numbers: the kind a prefix says (GB mandatory, GB/T recommended, industry, ISO/IEC, foreign) and the
normalized key a number fragment is searched by ("gbt19001", "GB/T 19001-2016" and "GB/T19001" all meet)."""

from __future__ import annotations

import re

from sqlalchemy import func

KINDS = ("national_mandatory", "national_recommended", "national_guidance", "industry", "local", "group",
         "international", "foreign")
# 行业标准代号 (the common ones; any two-letter pinyin code followed by /T or a space reads as industry too)
_INDUSTRY = re.compile(r"^[A-Z]{2}(/T|/Z)?\s*\d")
_INTERNATIONAL = ("ISO/IEC", "ISO", "IEC", "ITU", "CODEX", "OIML")
_PUNCT = (" ", "/", "-", ".", ":", "—", "　")


def kind_of(code: str) -> str:
    """Return the kind of standard a number's prefix says."""
    text = code.strip().upper()
    if text.startswith("GB/T"):
        return "national_recommended"
    if text.startswith("GB/Z"):
        return "national_guidance"
    if re.match(r"^GB\s*\d", text):
        return "national_mandatory"
    if text.startswith("DB"):
        return "local"
    if text.startswith("T/"):
        return "group"
    if any(text.startswith(p) for p in _INTERNATIONAL):
        return "international"
    if _INDUSTRY.match(text):
        return "industry"
    return "foreign"


def number_key(text: str) -> str:
    """Return a number's search key: upper case without spaces, slashes, dashes, dots or colons."""
    out = (text or "").upper()
    for mark in _PUNCT:
        out = out.replace(mark, "")
    return out


def number_key_sql(column):
    """The same key computed in SQL (SQLite and PostgreSQL both have upper() and replace())."""
    out = func.upper(column)
    for mark in _PUNCT:
        out = func.replace(out, mark, "")
    return out
