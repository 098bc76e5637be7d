"""A visitor reads the statistics in Chinese and English and drills down to a county; a regulator sets a target."""

from __future__ import annotations

from datetime import date

from certbridge.db import write_session
from tests.stats.conftest import build_story, integrate


def test_statistics_drill_down_and_a_regulators_target(page, sessions, settings, login, shot):
    with write_session(sessions) as session:
        build_story(session, seed=1207)
    integrate(sessions, settings)

    page.goto("/stats")
    assert "统计" in page.locator("h1").inner_text() and "全国" in page.locator("h1").inner_text()
    nation = int(page.locator("#fig-certificates").inner_text())
    assert nation > 0
    assert page.get_by_role("img", name="全国 各地区有效证书").count() == 1
    page.get_by_role("link", name="广西壮族自治区").first.click()
    page.get_by_role("link", name="北海市").first.click()
    assert "北海市" in page.locator("h1").inner_text()
    page.get_by_role("link", name="海城区").first.click()
    assert "海城区" in page.locator("h1").inner_text()
    assert page.get_by_role("navigation", name="地区").get_by_role("link", name="北海市").count() == 1
    shot(page, "stats-county")

    page.goto("/stats?lang=en")
    assert page.locator("h1").inner_text().startswith("Statistics: Nationwide")
    assert int(page.locator("#fig-certificates").inner_text()) == nation
    page.goto("/stats?lang=zh")

    login(page, "regulator")
    page.goto("/regulator/stats/targets")
    page.get_by_label("行政区划代码（GB/T 2260）").fill("450502")
    page.get_by_label("目标值（不少于）").fill("7")
    page.get_by_label("完成期限").fill(f"{date.today().year + 1}-12-31")
    page.get_by_label("依据文件").fill("海城区质量提升方案")
    page.get_by_role("button", name="录入目标").click()
    page.wait_for_load_state()
    assert "已录入" in page.locator(".flash").first.inner_text()
    panel = page.locator(".panel", has_text="海城区质量提升方案")
    gauge = panel.get_by_role("img", name="目标进度")
    assert gauge.count() == 1 and "/ 7" in gauge.text_content()
    shot(page, "stats-target")
