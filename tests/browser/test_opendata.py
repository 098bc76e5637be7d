"""A buyer verifies a supplier list and downloads its receipt; a company finds a lab by a test parameter."""

from __future__ import annotations

from playwright.sync_api import expect

from certbridge.credentials.receipt_check import extract_receipt
from certbridge.opendata.bulk_input import rows_from_file
from certbridge.opendata.bulk_receipt_check import verify_bulk_receipt


def test_a_buyer_uploads_a_supplier_list_and_downloads_its_receipt(page, world, make_certificate, shot, tmp_path):
    make_certificate("00126Q26601R0M/4500", org="org1")
    make_certificate("00126Q26602R0M/4500", org="org2")
    supplier_list = tmp_path / "供应商名单.csv"
    supplier_list.write_bytes(("供应商名称,统一社会信用代码,证书编号\n"
                               f"北海格力电器配件有限公司,,\n,{world.uscc['org1']},\n,,00126Q26602R0M/4500\n"
                               "虚构的供应商贸易商行,,\n").encode("gbk"))
    page.goto("/")
    page.get_by_role("link", name="核验供应商名单").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("核验供应商名单")
    page.get_by_label("供应商名单：CSV（UTF-8 或 GBK）或 XLSX").set_input_files(str(supplier_list))
    page.get_by_role("button", name="开始核验").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("供应商名单.csv 的核验结果")  # after the job's progress
    expect(page.locator("#bulk-summary")).to_contain_text("有有效证书")
    rows = page.locator("#bulk-rows tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("北海格力电器配件有限公司")
    expect(rows.nth(3)).to_contain_text("未找到")
    shot(page, "supplier-list")
    with page.expect_download(timeout=90_000) as download:  # the first PDF loads the CJK font
        page.get_by_role("link", name="下载回执（PDF）").click()
    pdf = tmp_path / "receipt.pdf"
    download.value.save_as(pdf)
    receipt = extract_receipt(pdf.read_bytes())
    checked = verify_bulk_receipt(receipt, rows=rows_from_file(supplier_list.name, supplier_list.read_bytes()))
    assert checked["summary"]["valid"] == 3, [(r["outcome"], r["certificates"][:1]) for r in receipt["rows"]]
    assert checked["summary"]["not_found"] == 1 and checked["list_checked"]


def test_a_company_finds_a_lab_by_a_test_parameter(page, shot):
    page.goto("/")
    page.get_by_role("link", name="找检测认证机构").first.click()
    page.get_by_label("产品或检测参数（检验检测机构），如 铅、食品").fill("铅")
    page.locator("#directory-form button[type=submit]").click()
    expect(page.locator("#providers")).to_contain_text("北海市产品质量检验所")
    expect(page.locator("#providers")).to_contain_text("GB 5009.12-2023")
    shot(page, "directory")
    page.get_by_role("checkbox", name="北海市产品质量检验所").check()
    page.get_by_role("button", name="比较所选机构").click()
    expect(page.locator("#compare")).to_contain_text("铅的测定")
