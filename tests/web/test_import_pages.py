"""Bulk upload in the console: a preview with a row-by-row report, then a confirmation that imports."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from certbridge.certificates.models import Certificate, WebUpload
from certbridge.db import read_session
from tests.web.conftest import csrf_from, follow_job, post_form

HEADER = "证书编号,认证项目,认证依据,标准版本,获证组织名称,统一社会信用代码,认证范围,颁证日期,审核开始日期,审核员注册号\n"


def _row(number, uscc, scope="电子元器件的设计和生产", auditor="2021-N1QMS-1000001"):
    return f"{number},QMS,GB/T 19001,2016,北海市海城区示例电子有限公司,{uscc},{scope},2025-03-01,2025-02-20,{auditor}\n"


def _count(sessions) -> int:
    with read_session(sessions) as db:
        return db.scalar(select(func.count()).select_from(Certificate))


def _upload(client, content: str, name="certs.csv"):
    """Upload a file and return the page its check job ends on (the report)."""
    started = post_form(client, "/cb/import", files={"file": (name, content.encode("utf-8"), "text/csv")})
    return follow_job(client, started)


def test_bad_rows_are_reported_row_by_row_and_nothing_is_written(client, sessions, world, signed_in):
    signed_in("cb_a")
    before = _count(sessions)
    csv = HEADER + _row("00126Q26201R0M", world.uscc["org1"]) + _row("00126Q26202R0M", "91350100M000100Y4Z") \
        + _row("00126Q26203R0M", world.uscc["org1"], scope="") + _row("00126Q26204R0M", world.uscc["org1"],
                                                                     auditor="2020-N1QMS-1000003")
    r = _upload(client, csv)
    assert r.status_code == 422
    report = r.text.split('id="row-report"')[1]
    rows = re.findall(r'<td data-label="行号">(\d+)</td>', report)
    assert rows == ["3", "4", "5"]
    assert "认证范围" in report and "赵强" in report
    assert "没有导入任何数据" in r.text and "确认导入" not in r.text
    assert _count(sessions) == before
    with read_session(sessions) as db:
        assert db.scalar(select(func.count()).select_from(WebUpload)) == 0


def test_clean_file_is_previewed_then_imported_on_confirmation(client, sessions, world, signed_in):
    signed_in("cb_a")
    before = _count(sessions)
    csv = HEADER + _row("00126Q26211R0M", world.uscc["org1"]) + _row("00126Q26212R0M", world.uscc["org2"])
    preview = _upload(client, csv)
    assert preview.status_code == 200
    assert "所有行都正确" in preview.text and "确认后将登记 2 张新证书" in preview.text
    assert _count(sessions) == before  # the preview wrote nothing
    action = re.search(r'action="(/cb/import/\d+)"', preview.text).group(1)
    started = client.post(action, data={"csrf_token": csrf_from(preview.text)}, follow_redirects=False)
    assert re.fullmatch(r"/cb/import/jobs/\d+", started.headers["location"])
    done = follow_job(client, started)  # the import's job page, once the job is done, leads to the console
    assert done.status_code == 303 and done.headers["location"] == "/cb"
    assert "已导入 2 张新证书" in client.get("/cb").text
    assert _count(sessions) == before + 2
    again = client.post(action, data={"csrf_token": csrf_from(preview.text)})
    assert again.status_code == 404  # a staged file is used once


def test_reimporting_the_same_file_counts_rows_as_unchanged(client, world, signed_in):
    signed_in("cb_a")
    csv = HEADER + _row("00126Q26221R0M", world.uscc["org1"])
    first = _upload(client, csv)
    follow_job(client, client.post(re.search(r'action="(/cb/import/\d+)"', first.text).group(1),
                                   data={"csrf_token": csrf_from(first.text)}, follow_redirects=False))
    second = _upload(client, csv)
    assert "已登记且无变化" in second.text
    assert re.search(r"已登记且无变化</h3><p class=\"stat\">1<", second.text)


def test_a_staged_file_belongs_to_its_session(client, app, world, signed_in):
    from fastapi.testclient import TestClient

    from tests.web.conftest import sign_in

    signed_in("cb_a")
    preview = _upload(client, HEADER + _row("00126Q26231R0M", world.uscc["org1"]))
    action = re.search(r'action="(/cb/import/\d+)"', preview.text).group(1)
    with TestClient(app) as other:
        sign_in(other, "cb_a")  # same user, another browser
        r = other.post(action, data={"csrf_token": csrf_from(other.get("/cb/import").text)})
        assert r.status_code == 404


def test_unreadable_file_and_missing_file_explain_themselves(client, signed_in):
    signed_in("cb_a")
    r = _upload(client, "not,a\x00csv", name="x.csv")
    assert r.status_code == 422 and "不是文本 CSV" in r.text and "GBK/GB18030" in r.text
    r = post_form(client, "/cb/import", data={})
    assert r.status_code == 422 and "请选择 CSV、XLSX 或 JSON 文件。" in r.text


def test_sample_csv_downloads_and_imports_after_filling_the_code(client, world, signed_in):
    signed_in("cb_a")
    sample = client.get("/cb/import/sample.csv")
    assert sample.status_code == 200 and sample.headers["content-type"].startswith("text/csv")
    text = sample.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    cells = row.split(",")
    cells[header.split(",").index("holder_uscc")] = world.uscc["org1"]
    r = _upload(client, header + "\n" + ",".join(cells) + "\n")
    assert r.status_code == 200 and "所有行都正确" in r.text


def test_english_report(client, world, signed_in):
    signed_in("cb_a")
    client.cookies.set("lang", "en")
    r = _upload(client, HEADER + _row("00126Q26241R0M", "91350100M000100Y4Z"))
    assert "Nothing was imported" in r.text and "Errors by row" in r.text
