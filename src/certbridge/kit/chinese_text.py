"""Chinese text helpers for search: Traditional → Simplified, name normalization, n-grams."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from opencc import OpenCC

from certbridge.kit.text_input import strip_invisible


@cache
def _t2s() -> OpenCC:
    # Building the converter loads its dictionaries (~tens of ms); do it once, on first use.
    return OpenCC("t2s")


@cache
def _t2s_by_character() -> tuple[re.Pattern, frozenset[str], dict[int, str]] | None:
    """Return (phrase starts, convertible characters, character table) when t2s is exactly one group of
    two-or-more-character phrases and single characters, else None.

    OpenCC first replaces the longest phrase found anywhere, then converts what no phrase covered character
    by character, keeping its sentence separators as they are. A text in which no phrase key's first two
    characters occur has no phrase to replace, so its conversion is a per-character table: the same result
    without OpenCC's pure-Python matching (~80 µs per name; tests/kit/test_chinese_text.py compares the two).
    """
    converter = _t2s()
    converter.convert("")  # loads the dictionaries
    groups = converter._dict_chain_data
    if len(groups) != 1 or len(groups[0]) != 2:
        return None
    (_, shortest_phrase, phrases), (longest_char, _, characters) = groups[0]
    if shortest_phrase < 2 or longest_char != 1:
        return None
    starts = re.compile("|".join(sorted({re.escape(key[:2]) for key in phrases})))
    table = {ord(key): value.split(" ")[0] for key, value in characters.items()
             if not converter.split_chars_re.fullmatch(key)}
    return starts, frozenset(chr(code) for code in table), table


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese to Simplified (OpenCC t2s); other text passes through."""
    fast = _t2s_by_character()
    if fast is None or fast[0].search(text):
        return _t2s().convert(text)
    if fast[1].isdisjoint(text):
        return text
    return text.translate(fast[2])


# Applied after NFKC, which has already folded full-width （）［］，．：； etc. to ASCII.
_PUNCTUATION = str.maketrans(
    {
        **dict.fromkeys("[{【〔〖〘〚「『", "("),
        **dict.fromkeys("]}】〕〗〙〛」』", ")"),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        # Separators and quotes carry no identity in a name: "Co., Ltd." and "Co Ltd" are one
        # company, "克里斯·保罗" and "克里斯•保罗" one person.
        **dict.fromkeys("、，,。.;:!?\"'‘’“”«»`·•・‧･", ""),
    }
)

_SPACES = re.compile(r"\s+")
# A space only separates words between two Latin letters or digits; between Chinese
# characters (or next to one) it is typing noise: "华为 技术" is "华为技术".
_INSIGNIFICANT_SPACE = re.compile(r"(?<![0-9a-z\u00c0-\u024f]) | (?![0-9a-z\u00c0-\u024f])")


_PUNCTUATION_CHARS = frozenset(chr(code) for code in _PUNCTUATION)


def normalize_name(text: str) -> str:
    """Normalize an organization or person name for search indexing and for queries alike."""
    # invisible characters (zero-width spaces, BOMs, direction controls) out; full-width → half-width
    text = unicodedata.normalize("NFKC", strip_invisible(text, multiline=False))
    text = to_simplified(text).casefold()
    # The translation and the two space passes are skipped when they would change nothing (most names of a bulk
    # import: one set test instead of a table walk, one split instead of two regular expressions).
    if not _PUNCTUATION_CHARS.isdisjoint(text):
        text = text.translate(_PUNCTUATION)
    if text.split() == [text]:  # no whitespace at all
        return text
    text = _SPACES.sub(" ", text).strip()
    return _INSIGNIFICANT_SPACE.sub("", text)


def ngrams(text: str, n: int) -> list[str]:
    """Return the character n-grams of ``text`` in order; a shorter non-empty text is its own gram."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not text:
        return []
    if len(text) <= n:
        # Keeps one- or two-character names (e.g. "格力" with n=3) findable.
        return [text]
    return [text[i : i + n] for i in range(len(text) - n + 1)]
