import random
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certbridge.kit.uscc import (
    CHARSET,
    USCC_WEIGHTS,
    Problem,
    generate_uscc,
    normalize_uscc,
    org_code_check_character,
    region_code,
    uscc_check_character,
    uscc_malformed,
    validate_uscc,
)
from certbridge.kit.uscc_messages import MESSAGES

STANDARD_EXAMPLE = "91350100M000100Y43"


def codes(result):
    return [p.code for p in result.problems]


def test_worked_example_from_the_standard_is_valid():
    result = validate_uscc(STANDARD_EXAMPLE)
    assert result.status == "valid"
    assert result.is_valid and not result.needs_manual_check
    assert result.problems == () and result.warnings == ()


def test_worked_example_weighted_sum_is_1640():
    total = sum(CHARSET.index(ch) * w for ch, w in zip(STANDARD_EXAMPLE[:17], USCC_WEIGHTS))
    assert total == 1640
    assert total % 31 == 28
    assert uscc_check_character(STANDARD_EXAMPLE[:17]) == "3"


def test_weights_are_powers_of_three_mod_31():
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_example_ending_in_z_is_invalid_because_z_is_not_in_the_charset():
    result = validate_uscc(STANDARD_EXAMPLE[:17] + "Z")
    assert result.status == "invalid"
    assert result.problems == (Problem("uscc.bad_character", {"position": 18, "char": "Z"}),)


def test_wrong_in_charset_check_character_is_checksum_failed_with_expected_3():
    result = validate_uscc(STANDARD_EXAMPLE[:17] + "4")
    assert result.status == "checksum_failed"
    assert result.needs_manual_check
    assert result.problems == (Problem("uscc.check_character", {"expected": "3", "actual": "4"}),)


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433", "9135"])
def test_wrong_length_is_invalid(code):
    result = validate_uscc(code)
    assert result.status == "invalid"
    assert Problem("uscc.length", {"length": len(code)}) in result.problems


@pytest.mark.parametrize("bad", "IOZSV")
@pytest.mark.parametrize("position", [1, 9, 12, 17, 18])
def test_excluded_letters_are_rejected_at_any_position(bad, position):
    code = STANDARD_EXAMPLE[: position - 1] + bad + STANDARD_EXAMPLE[position:]
    result = validate_uscc(code)
    assert result.status == "invalid"
    assert Problem("uscc.bad_character", {"position": position, "char": bad}) in result.problems


def test_every_bad_character_is_reported_not_only_the_first():
    result = validate_uscc("9I350100M0O0100Y43")
    assert [p.params["position"] for p in result.problems if p.code == "uscc.bad_character"] == [2, 11]


def test_punctuation_and_inner_spaces_are_bad_characters():
    result = validate_uscc("91350100-M000100Y4")
    assert result.status == "invalid"
    assert Problem("uscc.bad_character", {"position": 9, "char": "-"}) in result.problems


def test_region_letters_are_invalid_even_though_in_charset():
    code = "91A50100M000100Y4"
    code += uscc_check_character(code)
    result = validate_uscc(code)
    assert result.status == "invalid"
    assert codes(result) == ["uscc.region_not_digits"]
    assert result.problems[0].params == {"region": "A50100"}


def test_lower_case_and_surrounding_whitespace_are_normalized():
    result = validate_uscc("  91350100m000100y43\n")
    assert result.code == STANDARD_EXAMPLE
    assert result.status == "valid"


def test_full_width_input_is_converted_to_half_width():
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in STANDARD_EXAMPLE)
    result = validate_uscc("\u3000" + full_width + "\u3000")
    assert result.code == STANDARD_EXAMPLE
    assert result.status == "valid"


def test_full_width_lower_case_is_normalized_too():
    assert validate_uscc("９１３５０１００ｍ０００１００ｙ４３").status == "valid"


def test_circled_digits_are_not_folded_into_digits():
    result = validate_uscc("①" + STANDARD_EXAMPLE[1:])
    assert result.status == "invalid"


def test_org_code_letters_use_gb11714_values_where_m_is_22():
    # M is 21 in the USCC set and 22 in GB 11714; only 22 gives the standard's check digit 4.
    assert org_code_check_character("M000100Y") == "4"
    # Y: 34 in GB 11714 (30 in the USCC set) — "0000000Y" sums to 68, 68 mod 11 = 2, 11 - 2 = 9.
    assert org_code_check_character("0000000Y") == "9"


def test_org_code_m_alone():
    # "M0000000": 22 * 3 = 66, 66 mod 11 = 0 → 11 → "0"; with M = 21 it would be 63 → 8 → "3".
    assert org_code_check_character("M0000000") == "0"


def test_org_code_check_ten_maps_to_x():
    # "40000000": 4 * 3 = 12, 12 mod 11 = 1, 11 - 1 = 10 → "X".
    assert org_code_check_character("40000000") == "X"


def test_org_code_check_failure_alone_is_checksum_failed():
    body = "91350100M000100Y"
    wrong_org_check = "5"  # expected "4"
    code = body + wrong_org_check
    code += uscc_check_character(code)  # keep the final check character consistent
    result = validate_uscc(code)
    assert result.status == "checksum_failed"
    assert result.problems == (Problem("uscc.org_code_check", {"expected": "4", "actual": "5"}),)


def test_known_authority_prefixes_do_not_warn():
    for prefix in ("91", "92", "93", "11", "12", "13", "19", "51", "52", "53", "59", "N1", "Y1"):
        code = prefix + STANDARD_EXAMPLE[2:17]
        result = validate_uscc(code + uscc_check_character(code))
        assert result.status == "valid", prefix
        assert result.warnings == (), prefix


def test_unknown_authority_warns_but_does_not_reject():
    code = "9A" + STANDARD_EXAMPLE[2:17]
    result = validate_uscc(code + uscc_check_character(code))
    assert result.status == "valid"
    assert result.warnings == (Problem("uscc.unknown_authority", {"prefix": "9A"}),)


def test_region_code_is_positions_3_to_8():
    assert region_code(STANDARD_EXAMPLE) == "350100"
    assert region_code(" 91450500ma0wtcdk3y") == "450500"
    with pytest.raises(ValueError):
        region_code("9135")


def test_check_functions_reject_wrong_input():
    with pytest.raises(ValueError):
        uscc_check_character("91350100M000100Y")  # 16 characters
    with pytest.raises(ValueError):
        uscc_check_character("91350100O000100Y4")  # O is not in the set
    with pytest.raises(ValueError):
        org_code_check_character("m000100Y")


bodies = st.tuples(
    st.text(alphabet=CHARSET, min_size=2, max_size=2),
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=CHARSET, min_size=8, max_size=8),
).map(lambda parts: parts[0] + parts[1] + parts[2] + org_code_check_character(parts[2]))


@given(first17=bodies, other=st.sampled_from(CHARSET))
def test_only_the_computed_check_character_validates(first17, other):
    check = uscc_check_character(first17)
    assert validate_uscc(first17 + check).status == "valid"
    if other != check:
        result = validate_uscc(first17 + other)
        assert result.status == "checksum_failed"
        assert result.problems == (
            Problem("uscc.check_character", {"expected": check, "actual": other}),
        )


@given(seed=st.integers(min_value=0, max_value=2**32))
def test_generated_codes_are_valid(seed):
    rng = random.Random(seed)
    code = generate_uscc(rng)
    result = validate_uscc(code)
    assert result.status == "valid"
    assert result.warnings == ()
    assert code.startswith("91450500")


def test_generator_honours_authority_and_region_and_is_deterministic():
    first = generate_uscc(random.Random(7), authority="51", region="110105")
    assert first == generate_uscc(random.Random(7), authority="51", region="110105")
    assert first.startswith("51110105")
    assert validate_uscc(first).status == "valid"
    with pytest.raises(ValueError):
        generate_uscc(random.Random(7), region="11010A")
    with pytest.raises(ValueError):
        generate_uscc(random.Random(7), authority="9")


def test_every_problem_code_has_zh_and_en_templates_that_render():
    samples = [
        validate_uscc("9135"),
        validate_uscc("91350100M000100Y4Z"),
        validate_uscc("91A50100M000100Y4" + uscc_check_character("91A50100M000100Y4")),
        validate_uscc("91350100M000100Y59"),
        validate_uscc("9A350100M000100Y4" + uscc_check_character("9A350100M000100Y4")),
    ]
    seen = {p.code for r in samples for p in r.problems + r.warnings}
    assert seen == set(MESSAGES)
    for result in samples:
        for problem in result.problems + result.warnings:
            for lang in ("zh", "en"):
                text = MESSAGES[problem.code][lang].format(**problem.params)
                assert "{" not in text
    assert "18 位" in MESSAGES["uscc.length"]["zh"].format(length=17)


@given(code=st.one_of(st.text(alphabet=CHARSET + "ＡＢ１２０　 -ioz", max_size=20), st.text(max_size=20),
                      st.integers(0, 2**32).map(lambda seed: generate_uscc(random.Random(seed)))))
def test_uscc_malformed_is_what_validation_calls_invalid(code):
    assert uscc_malformed(code) == (validate_uscc(code).status == "invalid")


@given(code=st.text(max_size=24))
def test_normalizing_ascii_text_is_stripping_and_upper_casing(code):
    folded = "".join(chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else (" " if ch == "\u3000" else ch)
                     for ch in code)
    assert normalize_uscc(code) == folded.strip().upper()
