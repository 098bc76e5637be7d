"""kit.text_input: invisible characters out, identifiers folded from full-width — and nothing else changed."""

from __future__ import annotations

import pytest

from certbridge.kit.chinese_text import normalize_name
from certbridge.kit.query_kind import classify_query
from certbridge.kit.text_input import clean_field, clean_mapping, fold_width, normalize_identifier, strip_invisible


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f",
                                       "\u202a", "\u202e", "\u2066", "\u2069", "\x07", "\x1b", "\x7f", "\x9f"])
def test_each_invisible_character_is_removed(invisible):
    assert strip_invisible(f"华为{invisible}技术有限公司") == "华为技术有限公司"


def test_line_breaks_survive_in_free_text_and_become_spaces_in_names():
    assert strip_invisible("第一行\n第二行\r\n\t缩进") == "第一行\n第二行\r\n\t缩进"
    assert strip_invisible("第一段\u2029第二段") == "第一段\n第二段"
    assert strip_invisible("Acme\nTrading\tCo", multiline=False) == "Acme Trading Co"
    assert clean_field("name", "北海\n示例") == "北海 示例" and clean_field("scope", "a\nb") == "a\nb"


def test_visible_text_is_returned_unchanged():
    text = "北海市海城区示例电子（北海）有限公司 Co., Ltd. ①②"
    assert strip_invisible(text) is text


def test_full_width_identifiers_fold_and_other_compatibility_forms_do_not():
    assert normalize_identifier("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert normalize_identifier("\u3000ＣＮＣＡ－Ｒ－２００２－１２６\u200b ") == "CNCA-R-2002-126"
    assert normalize_identifier("ａｂｃ", upper=True) == "ABC"
    assert fold_width("①²ﬁ") == "①²ﬁ"  # these stay, so the identifier's own check refuses them
    assert fold_width("ｶﾀｶﾅ") == "カタカナ"


def test_search_finds_the_visible_name_whatever_invisible_characters_were_typed():
    assert normalize_name("华\u200b为技术\ufeff有限公司") == normalize_name("华为技术有限公司")
    assert classify_query("\u200b９１３５０１００Ｍ０００１００Ｙ４３") == ("uscc", "91350100M000100Y43")


def test_clean_mapping_returns_the_same_mapping_when_nothing_changes_and_cleans_otherwise():
    plain = {"name": "北海市示例电子有限公司", "uscc": "91450502245915102N", "issued_on": "2025-03-01", "n": 5}
    assert clean_mapping(plain) is plain
    assert clean_mapping({"uscc": "９１４５", "name": "北海"}) == {"uscc": "9145", "name": "北海"}
    assert clean_mapping({"name": "北\u200b海", "scope": "a\u200b\nb", "fields": ["S\u200bYS"]}) == {
        "name": "北海", "scope": "a\nb", "fields": ["SYS"]}
