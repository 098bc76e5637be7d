"""Public portal: the search box, filters, pagination, certificate, organization and verification pages."""

from __future__ import annotations

import re
from datetime import date

from certbridge.certificates import workflow
from certbridge.certificates.schemas import StatusChangeIn
from certbridge.db import write_session
from certbridge.principal import SYSTEM
from tests.web.conftest import issue_to_two_holders_named_alike


def _suspend(sessions, cert_id, reason="监督审核未按期实施"):
    with write_session(sessions) as db:
        workflow.suspend_certificate(db, principal=SYSTEM, certificate_id=cert_id,
                                     change=StatusChangeIn(reason=reason))


def test_home_shows_one_search_box_with_a_label(client):
    page = client.get("/")
    assert page.text.count('type="search"') == 1
    assert '<label for="q"' in page.text
    assert "证书编号、统一社会信用代码或企业名称" in page.text


def test_two_character_name_finds_the_company(client, make_certificate):
    make_certificate("00126Q26001R0M/4500", org="org2")
    page = client.get("/", params={"q": "格力"})
    assert "北海格力电器配件有限公司" in page.text
    assert "00126Q26001R0M/4500" in page.text


def test_traditional_characters_find_the_simplified_name(client, make_certificate):
    make_certificate("00126Q26002R0M/4500", org="org1")
    page = client.get("/", params={"q": "海城區示例電子"})
    assert "北海市海城区示例电子有限公司" in page.text


def test_number_search_says_whether_the_certificate_is_genuine(client, make_certificate):
    make_certificate("00126Q26003R0M/4500")
    page = client.get("/", params={"q": "00126q26003r0m/4500"})
    assert "真实有效" in page.text
    assert "证书 00126Q26003R0M/4500 真实有效" in page.text
    en = client.get("/", params={"q": "00126Q26003R0M/4500", "lang": "en"})
    assert "Certificate 00126Q26003R0M/4500 is genuine and valid" in en.text


def test_unknown_number_suggests_reporting_a_fake(client):
    page = client.get("/", params={"q": "99999Q99999"})
    assert "没有任何认证机构颁发过编号为 99999Q99999 的证书" in page.text
    assert 'href="/report?number=99999Q99999"' in page.text


def test_uscc_search_lists_the_holders_certificates(client, world, make_certificate):
    make_certificate("00126Q26004R0M/4500", org="org1")
    page = client.get("/", params={"q": world.uscc["org1"]})
    assert "00126Q26004R0M/4500" in page.text
    assert "北海市海城区示例电子有限公司" in page.text


def test_status_filter_and_suspended_badge(client, sessions, make_certificate):
    valid = make_certificate("00126Q26005R0M/4500")
    suspended = make_certificate("00126Q26006R0M/4500")
    _suspend(sessions, suspended)
    page = client.get("/", params={"q": "示例电子", "status": "suspended"})
    assert "00126Q26006R0M/4500" in page.text and "00126Q26005R0M/4500" not in page.text
    assert 'class="badge badge-warn"' in page.text and "暂停" in page.text
    assert valid


def test_results_paginate_with_a_cursor(client, make_certificate):
    for i in range(23):
        make_certificate(f"00126Q27{i:03d}R0M/4500")
    first = client.get("/", params={"q": "示例电子"})
    assert first.text.count('class="result"') == 20
    next_url = re.search(r'href="([^"]*cursor=[^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = client.get(next_url)
    assert second.text.count('class="result"') == 3
    assert "第一页" in second.text and 'rel="next"' not in second.text


def test_bad_cursor_shows_a_message_not_a_crash(client):
    page = client.get("/", params={"q": "格力", "cursor": "!!!"})
    assert page.status_code == 200
    assert "分页游标无效" in page.text


def test_certificate_page_shows_everything_public(client, sessions, make_certificate):
    cid = make_certificate("00126Q26007R0M/4500")
    _suspend(sessions, cid, "未按期监督")
    page = client.get(f"/certificates/{cid}")
    text = page.text
    for expected in ("北海市海城区示例电子有限公司", "电子元器件的设计和生产", "GB/T 19001-2016", "北部湾质量认证中心有限公司",
                     "CNCA-R-2002-126", "2025-03-01", "证书暂停期间不得使用，视为无效", "今日无效", "未按期监督", "状态历史",
                     "颁发", "举报"):
        assert expected in text, expected
    assert text.index("颁发") < text.rindex("暂停")  # history oldest first
    en = client.get(f"/certificates/{cid}?lang=en").text
    assert "A suspended certificate may not be used; it counts as not valid" in en
    assert "Status history" in en


def test_certificate_page_verify_action_leads_to_a_genuine_answer(client, make_certificate):
    cid = make_certificate("00126Q26008R0M/4500")
    page = client.get(f"/certificates/{cid}").text
    href = re.search(r'<a class="button" href="([^"]+)">核验</a>', page).group(1).replace("&amp;", "&")
    answer = client.get(href)
    assert answer.status_code == 200
    assert "真实" in answer.text and "00126Q26008R0M/4500" in answer.text


def test_missing_certificate_is_a_404_page_in_the_users_language(client):
    zh = client.get("/certificates/987654")
    assert zh.status_code == 404 and "找不到证书 987654" in zh.text
    en = client.get("/certificates/987654", headers={"Accept-Language": "en"})
    assert en.status_code == 404 and "No certificate 987654" in en.text
    assert client.get("/certificates/not-a-number").status_code == 404


def test_organization_page_lists_all_its_certificates_and_flags(client, sessions, world, make_certificate):
    make_certificate("00126Q26009R0M/4500", org="org1")
    make_certificate("00126Q26010R0M/4500", org="org1")
    from certbridge.registry.restrictions import impose_restriction

    with write_session(sessions) as db:
        impose_restriction(db, principal=SYSTEM, subject_type="organization", subject_id=world.ids["org1"],
                           kind="dishonesty_list", reason="伪造检验报告", starts_on=date(2025, 1, 1), ends_on=None)
    page = client.get(f"/organizations/{world.ids['org1']}").text
    assert "00126Q26009R0M/4500" in page and "00126Q26010R0M/4500" in page
    assert "已列入严重违法失信名单" in page and "伪造检验报告" in page
    assert world.uscc["org1"] in page


def test_verify_page_answers_in_both_languages(client, make_certificate):
    make_certificate("00126Q26011R0M/4500")
    assert "真实有效" in client.get("/verify", params={"number": "00126Q26011R0M/4500"}).text
    wrong_body = client.get("/verify", params={"number": "00126Q26011R0M/4500", "body": "00213"}).text
    assert "认证机构 00213 没有颁发过编号为 00126Q26011R0M/4500 的证书" in wrong_body
    en = client.get("/verify", params={"number": "NOPE1", "lang": "en"}).text
    assert "No body has issued a certificate numbered NOPE1" in en


def test_body_directory_shows_fields_validity_and_standing(client, sessions, world):
    from certbridge.registry.bodies import set_body_status

    with write_session(sessions) as db:
        set_body_status(db, principal=SYSTEM, body_id=world.ids["body_b"], status="suspended", reason="年度报告未报送")
    page = client.get("/bodies").text
    assert "北部湾质量认证中心有限公司" in page and "南方检验认证有限公司" in page
    assert "质量管理体系" in page and "CNCA-R-2005-213" in page
    assert "批准有效" in page and "暂停" in page
    only_suspended = client.get("/bodies", params={"status": "suspended"}).text
    assert "南方检验认证有限公司" in only_suspended and "北部湾质量认证中心有限公司" not in only_suspended
    body = client.get(f"/bodies/{world.ids['body_b']}").text
    assert "该机构目前不能颁发新证书" in body and "年度报告未报送" in body


def test_body_page_counts_certificates_by_status(client, world, make_certificate):
    make_certificate("00126Q26012R0M/4500")
    page = client.get(f"/bodies/{world.ids['body_a']}").text
    assert f'href="/?body={world.ids["body_a"]}&amp;status=valid">1</a>' in page


def test_lab_directory_and_page(client, world):
    page = client.get("/labs").text
    assert "北海市产品质量检验所" in page and "241500340123" in page
    lab = client.get(f"/labs/{world.ids['lab']}").text
    assert "铅的测定" in lab and "GB 5009.12-2023" in lab
    en = client.get(f"/labs/{world.ids['lab']}?lang=en").text
    assert "Qualified test items" in en


def test_pages_are_usable_without_javascript_and_labelled(client, make_certificate):
    cid = make_certificate("00126Q26013R0M/4500")
    for path in ("/", "/verify", "/report", "/login", f"/certificates/{cid}", "/bodies", "/labs"):
        html = client.get(path).text
        ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html))
        visible = {i for i in ids if f'id="{i}"' in html and 'type="hidden"' not in html.split(f'id="{i}"')[0][-80:]}
        labelled = set(re.findall(r'<label for="([^"]+)"', html))
        assert visible <= labelled, f"{path}: unlabelled fields {visible - labelled}"
        assert '<html lang="' in html and '<main id="main"' in html and 'class="skip-link"' in html
        assert "<script>" not in html  # no inline script: all behaviour works without JS


def test_a_name_search_pages_by_holder_then_certificate(client, world, make_certificate):
    expected = issue_to_two_holders_named_alike(make_certificate, 26, series=28)
    first = client.get("/", params={"q": "示例電子"})
    next_url = re.search(r'href="([^"]*cursor=[^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = client.get(next_url)
    assert 'rel="next"' not in second.text
    shown = [n for page in (first, second) for n in re.findall(r"00126Q28\d{3}R0M/4500", page.text)]
    assert list(dict.fromkeys(shown)) == expected
