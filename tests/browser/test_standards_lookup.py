"""A visitor looks up a standard, opens a lab approved to test to it, and sees the lab's proficiency record."""

from __future__ import annotations

from fastapi.testclient import TestClient
from playwright.sync_api import expect

from tests.qidata.helpers import import_catalogue, pt_result, pt_round


def test_look_up_a_standard_then_a_lab_and_its_proficiency_record(page, app, world, shot):
    with TestClient(app) as client:
        assert import_catalogue(client, world).status_code == 200
        first = pt_round(client, world, code="2026-01", held_on="2026-03-10")
        assert pt_result(client, world, first, "unsatisfactory", 3.62).status_code == 201

    page.goto("/standards")
    expect(page.get_by_role("heading", level=1)).to_have_text("标准信息服务")
    page.get_by_label("标准号或标准名称").fill("5009.12")
    page.get_by_role("button", name="查询").click()
    results = page.locator(".result")
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("GB 5009.12-2023")
    expect(results.nth(1)).to_contain_text("废止")
    shot(page, "standards-search")

    page.get_by_role("link", name="GB 5009.12-2023 食品安全国家标准 食品中铅的测定").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GB 5009.12-2023")
    labs = page.locator("#labs")
    expect(labs).to_contain_text("北海市产品质量检验所")
    expect(labs.locator("[data-restricted]")).to_have_text("⊘ 受限")
    shot(page, "standard-page")

    labs.get_by_role("link", name="北海市产品质量检验所").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("北海市产品质量检验所")
    record = page.locator("#proficiency")
    expect(record.get_by_role("heading")).to_have_text("能力验证记录")
    expect(record.locator("tbody tr")).to_have_count(1)
    expect(record).to_contain_text("不满意")
    expect(record).to_contain_text("3.62")
    expect(page.locator("[data-restricted='铅的测定']")).to_be_visible()
    shot(page, "lab-proficiency")
