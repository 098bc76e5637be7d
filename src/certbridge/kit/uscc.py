"""统一社会信用代码 (Unified Social Credit Code, GB 32100-2015): validate, compute checks, generate.

Problems are machine codes with parameters; human messages live in a catalog
(see ``uscc_messages.MESSAGES``), never here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from operator import getitem
from typing import Any, Literal

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a USCC may use (no I, O, Z, S, V); a character's value is its index."""

_USCC_VALUE = {char: value for value, char in enumerate(CHARSET)}

# 3^(i-1) mod 31 for positions 1..17: 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# GB 11714 organization-code weights for its 8 body characters (USCC positions 9-16).
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authority (pos 1) + entity type (pos 2) pairs from the GB 32100-2015 code table:
# 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管(工商),
# A 中央军委改革和编制办公室, N 农业, Y 其他. The table grows by administrative notice, so an
# unknown pair is only a warning: rejecting it could lock out a genuinely registered organization.
KNOWN_AUTHORITY_TYPES = frozenset(
    {
        "11", "12", "13", "19",  # 机关, 事业单位, 中央编办管理的群众团体, 其他
        "21", "29",  # 外国常驻新闻机构, 其他
        "31", "32", "33", "34", "35", "39",  # 律所, 公证处, 基层法律服务所, 司法鉴定, 仲裁委, 其他
        "41", "49",  # 外国在华文化中心, 其他
        "51", "52", "53", "59",  # 社会团体, 民办非企业单位, 基金会, 其他
        "61", "62", "69",  # 外国/港澳台旅游部门常驻代表机构, 其他
        "71", "72", "79",  # 宗教活动场所, 宗教院校, 其他
        "81", "89",  # 基层工会, 其他
        "91", "92", "93",  # 企业, 个体工商户, 农民专业合作社
        "A1", "A9",  # 军队事业单位, 其他
        "N1", "N2", "N3", "N9",  # 组级/村级/乡镇级集体经济组织, 其他
        "Y1",  # 其他登记管理部门 (not subdivided)
    }
)

Status = Literal["valid", "invalid", "checksum_failed"]


@dataclass(frozen=True)
class Problem:
    """A machine-readable finding; ``code`` is a catalog key, ``params`` fill its template."""

    code: str
    # Excluded from hashing because dicts are unhashable; still compared for equality.
    params: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class UsccResult:
    """The outcome of validating one code."""

    code: str
    status: Status
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def is_valid(self) -> bool:
        """Return True only for a code that passed every check."""
        return self.status == "valid"

    @property
    def needs_manual_check(self) -> bool:
        """Return True when the code is well formed but a checksum failed."""
        return self.status == "checksum_failed"


def normalize_uscc(code: str) -> str:
    """Strip, convert full-width ASCII to half-width and uppercase a pasted code."""
    if code.isascii():  # nothing full-width to fold (the common case; bulk lists normalize thousands)
        return code.strip().upper()
    # Only the full-width ASCII block is folded: NFKC would also turn ① into 1 and let garbage pass.
    half = "".join(
        chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else (" " if ch == "\u3000" else ch)
        for ch in code
    )
    return half.strip().upper()


def uscc_check_character(first17: str) -> str:
    """Compute the MOD 31 check character (position 18) for the first 17 characters."""
    if len(first17) != 17 or any(ch not in _USCC_VALUE for ch in first17):
        raise ValueError(f"expected 17 characters from {CHARSET!r}, got {first17!r}")
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def _gb11714_value(ch: str) -> int:
    # GB 11714 values letters A=10 … Z=35 over all 26 letters, unlike the USCC set (M is 22 here).
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_code_check_character(first8: str) -> str:
    """Compute the GB 11714 MOD 11 check character for an 8-character organization-code body."""
    if len(first8) != 8 or any(not ("0" <= ch <= "9" or "A" <= ch <= "Z") for ch in first8):
        raise ValueError(f"expected 8 characters from 0-9 and A-Z, got {first8!r}")
    total = sum(_gb11714_value(ch) * w for ch, w in zip(first8, ORG_CODE_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def region_code(code: str) -> str:
    """Return the GB/T 2260 region code of the registering authority (positions 3-8)."""
    normalized = normalize_uscc(code)
    if len(normalized) < 8:
        raise ValueError(f"code too short to hold a region code: {code!r}")
    return normalized[2:8]


def uscc_malformed(code: str) -> bool:
    """Tell whether `validate_uscc` would call a code invalid (length, characters, region), without the
    checksums and the messages: what a bulk list needs for thousands of codes."""
    normalized = normalize_uscc(code)
    return (len(normalized) != 18 or any(ch not in _USCC_VALUE for ch in normalized)
            or not (normalized[2:8].isascii() and normalized[2:8].isdigit()))


# Per position, each character's weighted value: a checksum is then one C-level sum (`_valid_fast`).
_USCC_TERMS = tuple({ch: value * weight for ch, value in _USCC_VALUE.items()} for weight in USCC_WEIGHTS[:17])
_ORG_TERMS = tuple({ch: _gb11714_value(ch) * weight for ch in CHARSET} for weight in ORG_CODE_WEIGHTS)
_ORG_CHECK = tuple({10: "X", 11: "0"}.get(11 - rest, str(11 - rest)) for rest in range(11))
_USCC_CHARS = frozenset(CHARSET)


def _valid_fast(normalized: str) -> bool:
    """Tell whether a normalized code passes every check `validate_uscc` makes, with no warning either (most
    codes of a bulk import: thousands per file); anything else takes the full path, which names the problems."""
    return (len(normalized) == 18 and _USCC_CHARS.issuperset(normalized) and normalized[2:8].isdigit()
            and normalized[:2] in KNOWN_AUTHORITY_TYPES
            and normalized[16] == _ORG_CHECK[sum(map(getitem, _ORG_TERMS, normalized[8:16])) % 11]
            and normalized[17] == CHARSET[-sum(map(getitem, _USCC_TERMS, normalized)) % 31])


def validate_uscc(code: str) -> UsccResult:
    """Validate a USCC: malformed → invalid; well formed but a checksum wrong → checksum_failed."""
    normalized = normalize_uscc(code)
    if _valid_fast(normalized):
        return UsccResult(normalized, "valid")
    return _validate_full(normalized)


def _validate_full(normalized: str) -> UsccResult:
    """Every check on a normalized code, each problem and warning named (the reference `_valid_fast` agrees with)."""
    problems: list[Problem] = []
    if len(normalized) != 18:
        problems.append(Problem("uscc.length", {"length": len(normalized)}))
    for position, ch in enumerate(normalized, start=1):
        if ch not in _USCC_VALUE:
            problems.append(Problem("uscc.bad_character", {"position": position, "char": ch}))
    region = normalized[2:8]
    # Only judged at full length: in a short or long code the positions have shifted.
    if len(normalized) == 18 and not (region.isascii() and region.isdigit()):
        problems.append(Problem("uscc.region_not_digits", {"region": region}))
    if problems:
        return UsccResult(normalized, "invalid", tuple(problems))

    warnings: list[Problem] = []
    if normalized[:2] not in KNOWN_AUTHORITY_TYPES:
        warnings.append(Problem("uscc.unknown_authority", {"prefix": normalized[:2]}))

    # Both checksums are reported: an org-code failure alone points at a mistyped body,
    # a check-character failure alone at a mistyped last character.
    org_expected = org_code_check_character(normalized[8:16])
    if normalized[16] != org_expected:
        problems.append(
            Problem("uscc.org_code_check", {"expected": org_expected, "actual": normalized[16]})
        )
    expected = uscc_check_character(normalized[:17])
    if normalized[17] != expected:
        problems.append(Problem("uscc.check_character", {"expected": expected, "actual": normalized[17]}))
    status: Status = "checksum_failed" if problems else "valid"
    return UsccResult(normalized, status, tuple(problems), tuple(warnings))


def generate_uscc(rng: random.Random, authority: str = "91", region: str = "450500") -> str:
    """Generate a valid USCC, embedded organization code included, for synthetic data."""
    if len(authority) != 2 or any(ch not in _USCC_VALUE for ch in authority):
        raise ValueError(f"authority must be 2 characters from {CHARSET!r}, got {authority!r}")
    if len(region) != 6 or not (region.isascii() and region.isdigit()):
        raise ValueError(f"region must be 6 digits, got {region!r}")
    if authority.startswith("9") and rng.random() < 0.5:
        # Post-2015 market-regulation codes typically start their body with "MA".
        body = "MA" + "".join(rng.choice(CHARSET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = authority + region + body + org_code_check_character(body)
    return first17 + uscc_check_character(first17)
