"""Find internal codes that leaked into the words a person reads on a page (shared by page and browser tests).

What counts as a leak: a message code (`token.bad_signature`, `verify.no_such_number`), an unfilled placeholder
(`{field}`, `{}`), an actor id (`user:2:regulator`, `organization:431`), a snake_case enum value
(`validity_ended`, `cb_operator`) and, on Chinese pages, a bare lower-case enum word (`initial`, `expired`).
Only visible text is checked: scripts, styles, tag attributes and what the page marks `translate="no"`
(certificate numbers, codes a person types) are left out.
"""

from __future__ import annotations

import html
import re

MESSAGE_CODE = re.compile(r"\b[a-z]+(?:\.[a-z0-9]+)*\.[a-z0-9]+_[a-z0-9_]+\b")
PLACEHOLDER = re.compile(r"\{[A-Za-z_0-9]*\}")
ACTOR_ID = re.compile(r"\b(?:user|organization|body|person|lab|key|system|certificate|inspector):\d+")
SNAKE_CASE = re.compile(r"(?<![\w./@-])[a-z]+_[a-z_]+(?![\w./@-])")
ENUM_WORDS = ("initial", "surveillance", "recertification", "special", "valid", "suspended", "withdrawn",
              "cancelled", "expired", "renewed", "approved", "revoked", "regulator", "admin", "inspector",
              "pending", "open", "closed", "done", "draft", "published", "system", "product", "service",
              "onsite", "remote", "lead", "member", "issued", "true", "false", "none", "null")
ENUM_WORD = re.compile(r"(?<![\w./@:-])(?:" + "|".join(ENUM_WORDS) + r")(?![\w./@:-])")
# Words a page may show on purpose: file and format names, the product name, URL parts.
ALLOWED = {"certbridge", "api_key"}


def visible_text(page_html: str) -> str:
    """Return the text a person sees on an HTML page (no scripts, styles, attributes or translate="no")."""
    text = re.sub(r"(?is)<(script|style|svg|template)\b.*?</\1>", " ", page_html)
    text = re.sub(r'(?is)<(\w+)[^>]*\btranslate="no"[^>]*>.*?</\1>', " ", text)
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return html.unescape(text)


def leaks(text: str, lang: str = "zh") -> list[str]:
    """Return the untranslated codes in a page's visible text (empty when the page reads as people-words)."""
    found = []
    for pattern in (MESSAGE_CODE, PLACEHOLDER, ACTOR_ID, SNAKE_CASE) + ((ENUM_WORD,) if lang == "zh" else ()):
        found += [m.group(0) for m in pattern.finditer(text) if m.group(0) not in ALLOWED]
    return found


def context_of(text: str, needle: str, width: int = 40) -> str:
    """Return a needle with some text around it, to say where a leak is."""
    at = text.find(needle)
    return " ".join(text[max(0, at - width): at + len(needle) + width].split())
