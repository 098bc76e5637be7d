"""Every symbol a page writes has a glyph in Noto Sans CJK (the font the pages name), so no badge shows a box."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

from certbridge.credentials.receipt_pdf import cjk_font

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "certbridge" / "web" / "templates"


def _symbols(text: str) -> set[str]:
    """Non-ASCII characters that are not letters (ideographs, kana, Latin letters are covered by the font)."""
    return {ch for ch in text if ord(ch) > 0x7F and not unicodedata.category(ch).startswith("L")}


def test_every_symbol_in_the_templates_has_a_glyph_in_noto_sans_cjk():
    """The 过期 badge used ⌛ (U+231B), which no installed font has: it showed as a box."""
    path, index = cjk_font()
    cmap = TTFont(path, fontNumber=index, lazy=True).getBestCmap()
    missing = {}
    for template in TEMPLATES.rglob("*.html"):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)  # comments are not shown
        for ch in _symbols(text):
            if ord(ch) not in cmap:
                missing.setdefault(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}", []).append(template.name)
    assert not missing, missing

