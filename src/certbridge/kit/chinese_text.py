"""Chinese text helpers for search: Traditional → Simplified, name normalization, n-grams."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from opencc import OpenCC


@cache
def _t2s() -> OpenCC:
    # Building the converter loads its dictionaries (~tens of ms); do it once, on first use.
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese to Simplified (OpenCC t2s); other text passes through."""
    return _t2s().convert(text)


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


def normalize_name(text: str) -> str:
    """Normalize an organization or person name for search indexing and for queries alike."""
    text = unicodedata.normalize("NFKC", text)  # full-width → half-width, compatibility forms
    text = to_simplified(text).casefold()
    text = text.translate(_PUNCTUATION)
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
