"""Guess what a search box query is: a 统一社会信用代码, a certificate number or a name."""

from __future__ import annotations

import re
import unicodedata

from certbridge.kit.text_input import strip_invisible

_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_NUMBER_SHAPE = re.compile(r"^[0-9A-Z/_-]{4,60}$")


def classify_query(raw: str) -> tuple[str, str]:
    """Return (kind, normalized query) with kind one of uscc, number, name, empty."""
    text = unicodedata.normalize("NFKC", strip_invisible(raw or "", multiline=False)).strip()
    if not text:
        return "empty", ""
    upper = text.upper().replace(" ", "")
    if len(upper) == 18 and _USCC_SHAPE.match(upper):
        return "uscc", upper
    if _NUMBER_SHAPE.match(upper) and any(ch.isdigit() for ch in upper):
        return "number", upper
    return "name", text
