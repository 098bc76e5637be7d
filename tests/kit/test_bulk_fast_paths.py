"""The bulk import's quick paths give what the plain definitions give. A USCC's quick acceptance (`_valid_fast`,
weighted values per position) says "valid" for exactly the codes the full check finds nothing wrong with (no
problem, no warning), and nothing else changes; a name's bigrams tested for whitespace once per name are the same
set; a name that skips the normalization steps that would change nothing is normalized the same."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from certbridge.kit.uscc import (CHARSET, KNOWN_AUTHORITY_TYPES, _valid_fast, _validate_full, generate_uscc,
                                 normalize_uscc, validate_uscc)


def _variants(rng: random.Random) -> list[str]:
    code = generate_uscc(rng, authority=rng.choice(sorted(KNOWN_AUTHORITY_TYPES) + ["Q1", "0A"]),
                         region=f"{rng.randrange(10**6):06d}")
    position = rng.randrange(18)
    return [code, code.lower(), f" {code} ", code[:position] + rng.choice(CHARSET) + code[position + 1:],
            code[:position] + rng.choice("IOZSV!a") + code[position + 1:], code[:17], code + "1",
            code[:2] + "4505A2" + code[8:], code[:16] + code[17] + code[16]]


def test_the_quick_acceptance_agrees_with_the_full_check_on_many_codes():
    rng = random.Random(23)
    seen = {"valid": 0, "invalid": 0, "checksum_failed": 0}
    for _ in range(3000):
        for code in _variants(rng):
            full = _validate_full(normalize_uscc(code))
            assert _valid_fast(normalize_uscc(code)) == (full.status == "valid" and not full.warnings), code
            assert validate_uscc(code) == full, code
            seen[full.status] += 1
    assert min(seen.values()) > 1000  # every outcome well covered


@settings(max_examples=500)
@given(st.text(alphabet=CHARSET + "IOZ a１", min_size=0, max_size=20))
def test_the_quick_acceptance_agrees_with_the_full_check_on_any_text(code):
    assert validate_uscc(code) == _validate_full(normalize_uscc(code))


@settings(max_examples=500)
@given(st.text(alphabet="华为 技术\t\n\u3000ab1", max_size=12))
def test_name_bigrams_are_every_pair_but_pairs_of_whitespace(name):
    from certbridge.registry.search import name_bigrams

    assert name_bigrams(name) == {name[i:i + 2] for i in range(len(name) - 1) if not name[i:i + 2].isspace()}


def _normalize_name_reference(text: str) -> str:
    """`normalize_name` as it was before its quick paths (every step always taken)."""
    import unicodedata

    from certbridge.kit.chinese_text import _INSIGNIFICANT_SPACE, _PUNCTUATION, _SPACES, to_simplified
    from certbridge.kit.text_input import strip_invisible

    text = unicodedata.normalize("NFKC", strip_invisible(text, multiline=False))
    text = to_simplified(text).casefold().translate(_PUNCTUATION)
    return _INSIGNIFICANT_SPACE.sub("", _SPACES.sub(" ", text).strip())


@settings(max_examples=1500)
@given(st.text(alphabet="華為技術电器 \t\u3000\u00a0\u200b\x1c（）【】,.·•Ab1é-—", max_size=14))
def test_a_name_normalizes_as_every_step_taken_would(name):
    from certbridge.kit.chinese_text import normalize_name

    assert normalize_name(name) == _normalize_name_reference(name)
