"""Console scenarios: a CB clerk's bulk upload with bad rows, and a regulator suspending a body's approval."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

HEADER = "证书编号,认证项目,认证依据,标准版本,获证组织名称,统一社会信用代码,认证范围,颁证日期,审核开始日期,审核员注册号\n"


def _row(number, uscc, scope="电子元器件的设计和生产", auditor="2021-N1QMS-1000001"):
    return f"{number},QMS,GB/T 19001,2016,北海市海城区示例电子有限公司,{uscc},{scope},2025-03-01,2025-02-20,{auditor}\n"


def _check_file(page, timeout=60_000):
    """Press 检查文件: the check runs as a background job whose page refreshes itself until the report is shown."""
    before = page.url
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url(lambda url: re.search(r"/cb/import/jobs/\d+$", url) is not None and url != before,
                      timeout=timeout)
    expect(page.locator("#job-progress")).to_have_count(0, timeout=timeout)


def test_cb_clerk_fixes_bad_rows_and_imports(page, world, login, shot, tmp_path, make_certificate):
    make_certificate("00126Q26600R0M/4500")
    login(page, "cb_a")
    expect(page.get_by_role("heading", level=1)).to_have_text("北部湾质量认证中心有限公司")
    shot(page, "cb-console")
    page.get_by_role("link", name="批量上传（CSV/XLSX）").click()
    bad = tmp_path / "上月证书.csv"
    bad.write_text(HEADER + _row("00126Q26601R0M", world.uscc["org1"]) + _row("00126Q26602R0M", "91350100M000100Y4Z")
                   + _row("00126Q26603R0M", world.uscc["org2"], scope="") +
                   _row("00126Q26604R0M", world.uscc["org1"], auditor="2020-N1QMS-1000003"), encoding="utf-8")
    page.get_by_label("CSV（UTF-8 或 GBK 编码）、XLSX 或 JSON 文件").set_input_files(str(bad))
    _check_file(page)
    expect(page.get_by_role("heading", name="没有导入任何数据")).to_be_visible()
    rows = page.locator("#row-report tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("3")
    expect(rows.nth(2)).to_contain_text("赵强")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    shot(page, "import-report")

    fixed = tmp_path / "上月证书-更正.csv"
    fixed.write_text(HEADER + _row("00126Q26601R0M", world.uscc["org1"]) + _row("00126Q26602R0M", world.uscc["org2"])
                     + _row("00126Q26603R0M", world.uscc["org2"], scope="空调配件的生产")
                     + _row("00126Q26604R0M", world.uscc["org1"], auditor="2022-N1QMS-1000002"), encoding="utf-8")
    page.get_by_label("CSV（UTF-8 或 GBK 编码）、XLSX 或 JSON 文件").set_input_files(str(fixed))
    _check_file(page)
    expect(page.get_by_role("heading", name="所有行都正确")).to_be_visible()
    shot(page, "import-preview")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(re.compile(r"/cb$"), timeout=60_000)  # the import's job page, once done, leads to the console
    expect(page.locator(".flash")).to_contain_text("已导入 4 张新证书")
    expect(page.locator("tbody")).to_contain_text("00126Q26604R0M")
    page.goto("/?q=00126Q26603R0M")
    expect(page.locator(".verdict")).to_contain_text("真实有效")


def test_regulator_suspends_a_body_and_its_issue_form_refuses(page, world, login, shot, make_certificate):
    make_certificate("00126Q26700R0M/4500")
    login(page, "regulator")
    expect(page.get_by_role("heading", level=1)).to_have_text("待办事项")
    shot(page, "regulator-dashboard")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="认证机构", exact=True).click()
    page.get_by_role("link", name="北部湾质量认证中心有限公司").click()
    page.get_by_label("新状态").select_option("suspended")
    page.locator("#f-reason").fill("国市监认〔2026〕12号：监督检查发现问题")
    page.get_by_role("button", name="预览变更").click()
    expect(page.locator(".verdict")).to_contain_text("恢复前不能颁发任何新证书")
    shot(page, "regulator-body-suspend")
    page.get_by_role("button", name="确认暂停").click()
    expect(page.locator(".flash")).to_contain_text("现在的状态：暂停")
    page.get_by_role("button", name="退出").click()

    login(page, "cb_a")
    expect(page.locator(".verdict")).to_contain_text("本机构目前不能颁发证书")
    page.get_by_role("link", name="颁发证书").click()
    page.get_by_label("证书编号").fill("00126Q26701R0M/4500")
    page.locator("#f-scheme").select_option("QMS")
    page.get_by_label("获证组织名称").fill("北海市海城区示例电子有限公司")
    page.get_by_label("统一社会信用代码").fill(world.uscc["org1"])
    page.locator("#f-scope").fill("电子元器件的设计和生产")
    page.get_by_label("颁证日期").fill(date.today().isoformat())
    page.get_by_role("button", name="颁发证书").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("认证机构「北部湾质量认证中心有限公司」的批准不在有效状态，不能颁发证书")
    expect(summary).to_be_focused()
    shot(page, "issue-refused")
