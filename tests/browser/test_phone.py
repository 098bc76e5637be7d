"""A phone-sized screen (375×812): the main pages fit without horizontal scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


def _fits(tab, path: str) -> None:
    tab.goto(path)
    tab.wait_for_load_state()
    widths = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert tab.evaluate(NO_SIDEWAYS), f"{path} scrolls sideways on a phone: {widths}"


@pytest.mark.once_on_sqlite  # layout: the same pages on either backend (every page's data is tested on both elsewhere)
def test_main_pages_fit_a_phone(phone, world, login, shot, make_certificate):
    cid = make_certificate("00126Q26801R0M/4500", org="org2", scope="空调配件、压缩机零部件及相关电子控制器的设计、生产和售后服务")
    for path in ("/", "/?q=格力", f"/certificates/{cid}", f"/organizations/{world.ids['org2']}", "/verify",
                 "/verify?number=00126Q26801R0M/4500", "/bodies", f"/bodies/{world.ids['body_a']}", "/labs",
                 f"/labs/{world.ids['lab']}", "/report", "/login"):
        _fits(phone, path)
    phone.goto("/?q=格力")
    shot(phone, "phone-search")
    phone.goto(f"/certificates/{cid}")
    shot(phone, "phone-certificate")
    login(phone, "cb_a")
    for path in ("/cb", f"/cb/certificates/{cid}", "/cb/certificates/new", f"/cb/certificates/{cid}/suspend",
                 "/cb/import", "/account/keys"):
        _fits(phone, path)
    phone.goto("/cb")
    shot(phone, "phone-cb-console")
    phone.get_by_role("button", name="退出").click()
    login(phone, "regulator")
    for path in ("/regulator", "/regulator/bodies", f"/regulator/bodies/{world.ids['body_a']}", "/regulator/people",
                 "/regulator/schemes", "/regulator/restrictions", "/regulator/reports"):
        _fits(phone, path)


def test_touch_targets_and_text_are_big_enough_on_a_phone(phone):
    phone.goto("/")
    button = phone.get_by_role("button", name="查询").bounding_box()
    box = phone.get_by_label("证书编号、统一社会信用代码或企业名称").bounding_box()
    assert button["height"] >= 44 and box["height"] >= 44
    size = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16
    expect(phone.get_by_role("link", name="English")).to_be_visible()
