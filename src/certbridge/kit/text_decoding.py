"""Decode an uploaded text file only when its encoding is certain: UTF-8 (with or without BOM) or GBK/GB18030.

The rule, in order:

1. A UTF-16/UTF-32 byte-order mark, or NUL bytes anywhere (UTF-16 without a BOM, or a binary file), is refused.
2. Bytes that decode as strict UTF-8 are UTF-8: text in any other multi-byte encoding practically never forms
   valid UTF-8 sequences. A UTF-8 BOM is dropped.
3. Otherwise the bytes must decode as strict GB18030 (a superset of GBK and GB2312) **and** read as plausible
   Chinese text. Shift-JIS and Big5 bytes mostly *do* decode as GBK — into other characters (mojibake): Japanese
   株式会社 becomes 姅幃夛幮, Big5 公司 becomes a private-use character and そ. So every non-ASCII character is
   checked: it is *common* when it is in GB2312 (the 6,763 hanzi and the symbols everyday Chinese text uses) and
   is a CJK ideograph, CJK or full-width punctuation, or a general symbol; kana, Greek, Cyrillic, box drawing,
   private-use characters, control characters and hanzi outside GB2312 are *uncommon*. A file with more than
   ``MAX_UNCOMMON`` uncommon characters that are also more than ``MAX_UNCOMMON_SHARE`` of its non-ASCII
   characters is refused. Real GBK files pass (a rare name character such as 堃 or 镕 here and there is
   tolerated); Shift-JIS and Big5 files fail (typically more than half their characters are uncommon).
4. Anything else is refused, with a message naming the encodings accepted.

A file of only two or three Big5 characters that happen to map onto common GB2312 characters cannot be told
apart from GBK by any rule; it is decoded as GBK, and the row checks that follow see what it became.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_UNCOMMON = 2
MAX_UNCOMMON_SHARE = 0.05
# Blocks everyday Chinese text draws on (each character must also be in GB2312).
_COMMON_BLOCKS = ((0x4E00, 0x9FFF), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2000, 0x206F), (0x00A0, 0x00FF),
                  (0x2100, 0x218F), (0x2190, 0x22FF), (0x2460, 0x24FF), (0x25A0, 0x26FF))
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


@dataclass(frozen=True)
class Decoded:
    """The text and the encoding it was read in, or ``text is None`` and the message code of the refusal."""

    text: str | None
    encoding: str | None = None
    problem: str | None = None


@lru_cache(maxsize=65536)
def is_common_chinese_character(ch: str) -> bool:
    """Tell whether a non-ASCII character is one everyday Chinese text uses (see the module's rule)."""
    code = ord(ch)
    if not any(low <= code <= high for low, high in _COMMON_BLOCKS):
        return False
    if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn"):
        return False
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def looks_like_chinese_text(text: str) -> bool:
    """Apply the plausibility check of rule 3 to text decoded as GB18030."""
    wide = 0
    uncommon = 0
    for ch in text:
        if ch < "\x80":
            if ch < " " and ch not in "\t\r\n":
                uncommon += 1
            continue
        wide += 1
        if not is_common_chinese_character(ch):
            uncommon += 1
    return uncommon <= MAX_UNCOMMON or uncommon <= wide * MAX_UNCOMMON_SHARE


def decode_text(data: bytes) -> Decoded:
    """Decode ``data`` as UTF-8 or GB18030 when certain (see the module's rule); otherwise say why not."""
    if data.startswith(_UTF16_32_BOMS) or b"\x00" in data:
        return Decoded(None, problem="import.encoding_utf16" if _looks_utf16(data) else "import.binary")
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return Decoded(None, problem="import.encoding")
    if not looks_like_chinese_text(text):
        return Decoded(None, problem="import.encoding")
    return Decoded(text, "gb18030")


def _looks_utf16(data: bytes) -> bool:
    if data.startswith(_UTF16_32_BOMS):
        return True
    sample = data[:8192]
    # Text in UTF-16 has its NUL bytes (the high byte of ASCII characters) at one parity of positions only.
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) >= 4 * max(1, min(even, odd)) and max(even, odd) * 20 >= len(sample)
