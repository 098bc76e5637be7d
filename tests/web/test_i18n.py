"""Page text: complete zh and en catalogs, and a language choice that is remembered."""

from __future__ import annotations

from certbridge.web.catalogs import extract_messages
from certbridge.web.i18n import read_catalog, translations


def test_every_msgid_has_a_non_empty_translation_in_both_catalogs():
    for lang in ("zh", "en"):
        empty = [m.id for m in read_catalog(lang) if m.id and not m.string]
        assert not empty, f"{lang} catalog lacks translations for: {empty[:20]}"


def test_every_text_the_pages_use_is_in_both_catalogs():
    used = extract_messages()
    assert len(used) > 300  # the extractor really walks templates and views
    for lang in ("zh", "en"):
        ids = {m.id for m in read_catalog(lang) if m.id}
        missing = sorted(set(used) - ids)
        assert not missing, f"run `python -m certbridge.web.catalogs` and translate into {lang}: {missing[:20]}"


def test_chinese_catalog_really_is_chinese():
    zh = translations("zh")
    assert zh.gettext("Search certificates") == "证书查询"
    assert zh.gettext("suspended until %(date)s") % {"date": "2026-01-01"} == "暂停至 2026-01-01"


def test_chinese_is_the_default(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "查询和核验认证证书" in page.text
    assert page.headers["content-language"] == "zh-CN"


def test_accept_language_english_gets_english(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Search and verify certificates" in page.text
    assert "查询和核验认证证书" not in page.text


def test_language_switch_is_remembered_across_pages(client):
    switch = client.get("/lang/en?next=/bodies", follow_redirects=False)
    assert switch.status_code == 303 and switch.headers["location"] == "/bodies"
    assert "lang=en" in switch.headers["set-cookie"]
    assert "Directory of certification bodies" in client.get("/bodies").text
    assert "Directory of testing and inspection labs" in client.get("/labs").text
    client.get("/lang/zh?next=/")
    assert "认证机构名录" in client.get("/bodies").text


def test_lang_query_parameter_sets_the_cookie_too(client):
    first = client.get("/verify?lang=en")
    assert "Verify a certificate" in first.text
    assert "lang=en" in first.headers["set-cookie"]
    assert "Verify a certificate" in client.get("/verify").text


def test_language_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = client.get("/lang/en", params={"next": target}, follow_redirects=False)
        assert r.headers["location"] == "/"


def test_switch_link_keeps_the_page_and_its_query(client):
    page = client.get("/?q=格力&status=valid")
    assert 'href="/lang/en?next=%2F%3Fq%3D%25E6%25A0%25BC%25E5%258A%259B%26status%3Dvalid"' in page.text
