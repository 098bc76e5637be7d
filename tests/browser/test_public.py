"""A new visitor searches by a two-character name, by number and by 统一社会信用代码, then verifies."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_new_user_searches_and_verifies(page, world, make_certificate, shot):
    make_certificate("00126Q26501R0M/4500", org="org2", scope="空调配件的生产")
    make_certificate("00126Q26502R0M/4500", org="org1")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("查询和核验认证证书")
    shot(page, "home")

    box = page.get_by_label("证书编号、统一社会信用代码或企业名称")
    box.fill("格力")
    box.press("Enter")
    expect(page.get_by_role("heading", name="查询结果")).to_be_visible()
    expect(page.locator(".result")).to_have_count(1)
    expect(page.locator(".result")).to_contain_text("北海格力电器配件有限公司")
    expect(page.locator(".result .badge")).to_contain_text("有效")
    shot(page, "search-results")

    page.get_by_role("link", name="北海格力电器配件有限公司").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("北海格力电器配件有限公司")
    expect(page.locator("body")).to_contain_text("空调配件的生产")
    expect(page.locator("body")).to_contain_text("证书有效，可用于出货、投标等一切用途")
    shot(page, "certificate")

    page.locator("aside").get_by_role("link", name="核验", exact=True).click()
    # With signed QR codes the button opens the token check; without, the number check.
    expect(page.locator(".verdict")).to_contain_text(re.compile("真实有效|真实，且目前有效"))
    shot(page, "verify")

    page.goto("/")
    page.get_by_label("证书编号、统一社会信用代码或企业名称").fill("00126Q26502R0M/4500")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".verdict")).to_contain_text("证书 00126Q26502R0M/4500 真实有效")

    page.get_by_label("证书编号、统一社会信用代码或企业名称").fill(world.uscc["org1"])
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".result")).to_contain_text("北海市海城区示例电子有限公司")

    page.get_by_label("证书编号、统一社会信用代码或企业名称").fill("88888Q00000")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".verdict")).to_contain_text("可能是伪造证书")
    page.get_by_role("link", name="举报疑似假证书").click()
    expect(page.get_by_label("证书编号")).to_have_value("88888Q00000")
    page.get_by_label("在哪里见到这张证书？").fill("招标文件附件")
    page.get_by_role("button", name="提交举报").click()
    expect(page.locator(".flash")).to_contain_text("已提交监管部门")


def test_keyboard_reaches_the_search_box_and_skip_link_works(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_label("证书编号、统一社会信用代码或企业名称").focus()
    page.keyboard.type("格力")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=%E6%A0%BC%E5%8A%9B"))


def test_language_switch_is_remembered_across_pages(page, make_certificate):
    cid = make_certificate("00126Q26503R0M/4500")
    page.goto(f"/certificates/{cid}")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Status history")).to_be_visible()
    expect(page).to_have_url(re.compile(f"/certificates/{cid}$"))
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Certification bodies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of certification bodies")
    page.goto("/labs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of testing and inspection labs")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("检验检测机构名录")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("查询和核验认证证书")
