"""Exports and the credit recompute run as background jobs, as a user notices it.

- The console's export button answers at once with the job's page; when the job is done the page offers the
  XLSX, which only the operator who started it (and regulators) can open; another body finds nothing.
- A file that is no longer kept is said so, and its download is a 404 in words.
- A job that fails while writing its file leaves no half file behind.
- The regulator's 立即重新计算 button and `POST /api/v1/credit/recompute` start a job whose outcome is the
  summary; a malformed one-subject request is refused at once, before any job.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from certbridge.jobs.files import FOLDER, result_file
from tests.jobs.follow import finished_job
from tests.web.conftest import follow_job, make_certificate, post_form, sign_in  # noqa: F401 (a fixture)

FILE_LINK = re.compile(r'href="(/jobs/(\d+)/file)"')


def _export(client, make_certificate) -> tuple[str, str]:
    make_certificate("00126Q26301R0M/4500")
    make_certificate("00126Q26302R0M/4500")
    assert sign_in(client, "cb_a").status_code == 303
    start = post_form(client, "/cb", "/cb/export")
    assert re.fullmatch(r"/jobs/\d+", start.headers["location"])
    page = follow_job(client, start)
    assert page.status_code == 200 and "已完成" in page.text and "共 2 行" in page.text, page.text
    link = FILE_LINK.search(page.text)
    assert link, page.text
    return start.headers["location"], link.group(1)


def test_the_console_export_is_a_job_whose_file_only_its_starter_and_regulators_get(client, world,
                                                                                    make_certificate):
    page_url, file_url = _export(client, make_certificate)
    r = client.get(file_url)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert re.search(r'filename="certificates-\d+-\d{4}-\d{2}-\d{2}\.xlsx"', r.headers["content-disposition"])
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "number" and sorted(row[0] for row in rows[1:]) == ["00126Q26301R0M/4500",
                                                                            "00126Q26302R0M/4500"]
    client.cookies.clear()
    assert sign_in(client, "cb_b").status_code == 303
    for url in (page_url, file_url):
        refused = client.get(url)
        assert refused.status_code == 404 and "找不到编号为" in refused.text
    client.cookies.clear()
    assert sign_in(client, "regulator").status_code == 303
    assert client.get(file_url).content == r.content
    client.cookies.clear()
    anonymous = client.get(file_url, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")


def test_a_file_no_longer_kept_is_said_so(client, settings, make_certificate):
    page_url, file_url = _export(client, make_certificate)
    for path in (settings.data_dir / FOLDER).glob("job-*"):
        path.unlink()
    page = client.get(page_url)
    assert "文件已超过保存期限，请重新导出。" in page.text and not FILE_LINK.search(page.text)
    gone = client.get(file_url)
    assert gone.status_code == 404 and "没有可下载的文件" in gone.text


def test_a_job_failing_while_writing_leaves_no_half_file(tmp_path):
    with pytest.raises(RuntimeError), result_file(tmp_path, 7, ".xlsx") as partial:
        partial.write_bytes(b"half")
        raise RuntimeError("the export failed")
    assert list((tmp_path / FOLDER).iterdir()) == []


def test_the_regulator_recomputes_credit_in_the_background_and_sees_the_summary(client):
    assert sign_in(client, "regulator").status_code == 303
    console = client.get("/regulator/credit")
    assert "立即重新计算信用分类" in console.text
    page = follow_job(client, post_form(client, "/regulator/credit", "/regulator/credit/recompute"))
    assert page.status_code == 200 and "已完成" in page.text
    summary = re.search(r'<dl id="job-summary">(.*?)</dl>', page.text, re.S).group(1)
    assert "新增信用记录" in summary and "重新评分的主体" in summary and "信用分类变化" in summary
    assert "处罚与名单" in page.text  # the way back to the console


def test_the_api_recompute_answers_202_with_its_job(client, world):
    reg = world.auth("regulator")
    r = client.post("/api/v1/credit/recompute", headers=reg,
                    params={"subject_type": "organization", "subject_id": world.ids["org1"]})
    job = finished_job(client, r, reg)
    assert job["kind"] == "credit.recompute" and job["result"]["summary"]["subjects"] == 1
    bad = client.post("/api/v1/credit/recompute", headers=reg, params={"subject_type": "organization"})
    assert bad.status_code == 422 and bad.json()["code"] == "credit.subject_required"
    assert client.post("/api/v1/credit/recompute", headers=world.auth("cb_a")).status_code == 403
