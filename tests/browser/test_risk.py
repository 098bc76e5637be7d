"""A member of the public reports a fake certificate from its verify page; the regulator handles it, a warning is
raised and resolved, and a consumer alert is published and shows on the certificate's page."""

from __future__ import annotations


def test_a_complaint_becomes_a_warning_and_an_alert_on_the_certificate_page(page, login, shot, make_certificate):
    cert_id = make_certificate("00126Q26901R0M/4500")
    page.goto("/verify?number=00126Q26901R0M/4500")
    page.get_by_role("link", name="投诉举报（假冒或冒用证书、产品质量、审核问题）").click()
    assert page.locator("#f-subject_text").input_value() == "00126Q26901R0M/4500"
    page.get_by_label("问题类型").select_option("fake_certificate")
    page.get_by_label("情况说明").fill("某电商店铺用此证书销售未经认证的插座。")
    page.get_by_label("匿名投诉（不留联系方式）").check()
    page.get_by_role("button", name="提交投诉").click()
    progress = page.locator("#complaint-progress")
    assert "已收到，等待受理" in progress.inner_text()
    number = progress.locator("h2").inner_text().strip()
    assert page.locator("#complaint-secret").inner_text().strip()  # the follow-up secret, shown this once
    shot(page, "complaint-progress")

    login(page, "regulator")
    page.goto("/regulator/risk/parameters")  # one complaint is enough to warn, for this walk
    page.locator("#f-threshold-complaints").fill("1")
    page.locator("#f-warn-complaints").check()
    page.locator("form[action='/regulator/risk/parameters/complaints']").get_by_role("button", name="保存").click()
    page.goto("/regulator/complaints?status=open")
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_label("办理结果").select_option("upheld")
    page.locator("#f-close-note").fill("查实该店铺冒用他人证书，已移交执法。")
    page.get_by_role("button", name="办结", exact=True).click()
    assert "成立" in page.locator("section.panel").first.inner_text()

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="风险预警").click()
    warnings = page.locator(".result.warning")
    assert warnings.count() == 2  # the company and its certification body, each with the complaint as evidence
    texts = " ".join(warnings.all_inner_texts())
    assert "北海市海城区示例电子有限公司" in texts and "北部湾质量认证中心有限公司" in texts and number in texts
    shot(page, "risk-warnings")
    first = warnings.first
    first.get_by_label("处理决定").select_option("inspect")
    first.get_by_label("原因").fill("列入本季度专项检查")
    first.get_by_role("button", name="处理").click()
    assert "预警已处理" in page.content() and page.locator(".result.warning").count() == 1
    last = page.locator(".result.warning").first
    last.get_by_label("处理决定").select_option("dismissed")
    last.get_by_role("button", name="处理").click()
    assert "排除预警须说明理由" in page.content()
    last = page.locator(".result.warning").first
    last.get_by_label("处理决定").select_option("dismissed")
    last.get_by_label("原因").fill("认证机构已按规定暂停证书，无需另行处理")
    last.get_by_role("button", name="处理").click()
    assert page.locator(".result.warning").count() == 0

    page.goto("/regulator/alerts")
    page.locator("#f-title").fill("警惕冒用认证证书销售的插座")
    page.get_by_label("发现的问题").fill("有电商店铺以他人证书销售未经认证的插座。")
    page.get_by_label("消费者应如何应对").fill("请核对证书持有人与销售者是否一致，发现冒用请拨打 12315。")
    page.get_by_label("涉及的证书编号").fill("00126Q26901R0M/4500")
    page.get_by_label("发布机关").fill("北海市市场监督管理局")
    page.get_by_role("button", name="发布警示").click()
    assert "消费警示已发布" in page.content()

    page.goto(f"/certificates/{cert_id}")
    alert = page.locator(".consumer-alert")
    assert "警惕冒用认证证书销售的插座" in alert.inner_text() and "12315" in alert.inner_text()
    shot(page, "certificate-consumer-alert")
