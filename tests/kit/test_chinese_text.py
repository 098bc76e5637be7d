import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certbridge.kit.chinese_text import _t2s, ngrams, normalize_name, to_simplified


def test_traditional_company_names_become_simplified():
    assert to_simplified("華為技術有限公司") == "华为技术有限公司"
    assert to_simplified("珠海格力電器股份有限公司") == "珠海格力电器股份有限公司"


def test_simplified_and_latin_text_pass_through_unchanged():
    assert to_simplified("华为技术有限公司 Huawei") == "华为技术有限公司 Huawei"


def test_traditional_and_simplified_spellings_normalize_to_the_same_key():
    assert normalize_name("格力電器") == normalize_name("格力电器") == "格力电器"


def test_full_width_parentheses_become_ascii():
    assert normalize_name("華為技術有限公司（深圳）") == "华为技术有限公司(深圳)"
    assert normalize_name("华为技术有限公司(深圳)") == "华为技术有限公司(深圳)"


def test_other_bracket_kinds_become_parentheses():
    assert normalize_name("【测试】公司〔分部〕") == "(测试)公司(分部)"


def test_full_width_latin_is_folded_and_case_folded():
    assert normalize_name("ＡＢＣ　Trading Co., Ltd.") == "abc trading co ltd"


def test_spaces_between_chinese_characters_are_dropped_but_latin_words_stay_apart():
    assert normalize_name(" 华为  技术 ") == "华为技术"
    assert normalize_name("Apple Inc 苹果 公司") == "apple inc苹果公司"


def test_separators_and_middle_dot_variants_are_removed():
    assert normalize_name("克里斯·保罗") == normalize_name("克里斯•保罗") == normalize_name("克里斯・保罗")
    assert normalize_name("北京、上海") == "北京上海"
    assert normalize_name("“格力”电器") == "格力电器"


def test_dash_variants_are_unified():
    assert normalize_name("ISO 9001—2015") == normalize_name("ISO 9001-2015") == "iso 9001-2015"


def test_ngrams_in_order():
    assert ngrams("格力电器", 2) == ["格力", "力电", "电器"]
    assert ngrams("格力电器", 3) == ["格力电", "力电器"]


def test_short_text_is_its_own_gram_and_empty_has_none():
    assert ngrams("格", 2) == ["格"]
    assert ngrams("格力", 2) == ["格力"]
    assert ngrams("", 2) == []


def test_ngrams_rejects_non_positive_n():
    with pytest.raises(ValueError):
        ngrams("格力", 0)


def test_a_traditional_query_finds_a_simplified_name_by_bigrams():
    indexed = set(ngrams(normalize_name("珠海格力电器股份有限公司"), 2))
    query = ngrams(normalize_name("格力電器"), 2)
    assert set(query) <= indexed


# --- the per-character fast path of to_simplified must give OpenCC's own result ----------------------------

def _opencc(text: str) -> str:
    return _t2s().convert(text)


def _dictionaries() -> tuple[dict[str, str], dict[str, str]]:
    _t2s().convert("")
    (_, _, phrases), (_, _, characters) = _t2s()._dict_chain_data[0]
    return phrases, characters


def test_traditional_phrases_still_go_through_opencc():
    phrases, _ = _dictionaries()
    for key in sorted(phrases)[::7]:
        for text in (key, f"北海{key}有限公司", f"{key}、{key[::-1]}"):
            assert to_simplified(text) == _opencc(text)


def test_demo_and_registry_names_convert_as_opencc_does():
    import random

    from certbridge.demo import names
    from certbridge.registry.regions import region_rows

    rng = random.Random(6)
    places = [row["name"] for row in region_rows()]
    texts = [names.organization_name(rng, rng.choice(places), rng.choice(names.INDUSTRIES)) for _ in range(3000)]
    texts += [names.person_name(rng) for _ in range(500)] + [names.address(rng, place) for place in places[::5]]
    texts += ["北海市基准12号测试有限公司", "華為技術有限公司（深圳）", "乾隆皇帝 Co., Ltd.", "ＡＢＣ　臺灣"]
    assert [to_simplified(t) for t in texts] == [_opencc(t) for t in texts]


_PHRASES, _CHARACTERS = _dictionaries()
# Traditional characters, their simplified forms, the characters phrases are made of, separators, Latin.
_ALPHABET = "".join(sorted(set(_CHARACTERS) | {v[0] for v in _CHARACTERS.values()} | set("".join(_PHRASES))
                           | set("华为格力电器有限公司 -,.、，（）·—…「」Ab1")))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=_ALPHABET, max_size=6), st.sampled_from(sorted(_PHRASES))), max_size=5))
def test_random_chinese_text_converts_as_opencc_does(parts):
    text = "".join(parts)
    assert to_simplified(text) == _opencc(text)
