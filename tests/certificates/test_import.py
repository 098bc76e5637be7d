"""Bulk import: all rows or none, every bad row reported with its line and reason, re-runs idempotent."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook

HEADER = ["证书编号", "认证项目", "认证依据", "标准版本", "获证组织名称", "统一社会信用代码", "认证范围", "颁证日期",
          "审核开始日期", "审核结束日期", "审核员注册号"]


def _row(world, number, org="org1", uscc=None, scheme="QMS", issued="2025-03-01", auditors="2021-N1QMS-1000001"):
    name = "北海市海城区示例电子有限公司" if org == "org1" else "北海格力电器配件有限公司"
    return [number, scheme, "GB/T 19001", "2016", name, uscc or world.uscc[org], "电子产品的生产", issued,
            "2025-02-20", "2025-02-21", auditors]


def _csv(rows, encoding="utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def _upload(client, world, data, filename="certs.csv", role="cb_a", dry_run=False, lang="zh"):
    return client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates/import",
                       params={"dry_run": str(dry_run).lower()}, headers={**world.auth(role), "Accept-Language": lang},
                       files={"file": (filename, data)})


def _count(client, world):
    return len(client.get("/api/v1/certificates", params={"body_id": world.ids["body_a"], "limit": 200}).json()["items"])


def test_bad_rows_are_reported_and_nothing_is_written(client, world):
    rows = [
        _row(world, "IMP-001"),
        _row(world, "imp-002"),                                  # line 3: lower case
        _row(world, "IMP-003", uscc="91350100M000100Y4"),        # line 4: 17 characters
        _row(world, "IMP-004", auditors="2019-N1QMS-2000001"),   # line 5: auditor of another body
        _row(world, "IMP-001", org="org2"),                      # line 6: duplicate in file
        _row(world, "IMP-006", issued="2025/13/01"),             # line 7: not a date
    ]
    r = _upload(client, world, _csv(rows))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    report = r.json()
    assert report["code"] == "import.rejected" and "没有导入任何数据" in report["detail"]
    assert report["committed"] is False and report["created"] == 1
    by_row = {e["row"]: e for e in report["errors"]}
    assert set(by_row) == {3, 4, 5, 6, 7}
    assert by_row[3]["code"] == "certificate.number_lowercase" and "IMP-002" in by_row[3]["message"]
    assert by_row[4]["field"] == "holder.uscc"
    assert by_row[5]["code"] == "auditor.other_body"
    assert by_row[6]["code"] == "import.duplicate_in_file" and "第 2 行" in by_row[6]["message"]
    assert by_row[7]["field"] == "issued_on"
    assert _count(client, world) == 0  # the good first row was not written either
    assert client.get("/api/v1/verify", params={"number": "IMP-001"}).json()["outcome"] == "not_found"


def test_fixed_file_imports_and_rerun_is_idempotent(client, world):
    data = _csv([_row(world, "IMP-001"), _row(world, "IMP-002", org="org2")])
    first = _upload(client, world, data)
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 2 and first.json()["committed"] is True
    again = _upload(client, world, data)
    assert again.status_code == 200
    assert again.json()["created"] == 0 and again.json()["unchanged"] == 2
    assert _count(client, world) == 2


def test_same_number_with_different_content_is_an_error(client, world):
    assert _upload(client, world, _csv([_row(world, "IMP-001")])).status_code == 200
    r = _upload(client, world, _csv([_row(world, "IMP-001", org="org2")]))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "certificate.number_taken"


def test_gbk_csv_is_accepted(client, world):
    r = _upload(client, world, _csv([_row(world, "GBK-001")], encoding="gbk"))
    assert r.status_code == 200, r.text
    assert r.json()["encoding"] == "gb18030"
    v = client.get("/api/v1/verify", params={"number": "GBK-001"}).json()
    assert v["certificates"][0]["holder"]["name"] == "北海市海城区示例电子有限公司"


def test_dry_run_writes_nothing(client, world):
    r = _upload(client, world, _csv([_row(world, "DRY-001")]), dry_run=True)
    assert r.status_code == 200 and r.json()["created"] == 1 and r.json()["committed"] is False
    assert _count(client, world) == 0


def test_xlsx_import_and_formula_refusal(client, world):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(_row(world, "XLS-001"))
    buf = io.BytesIO()
    book.save(buf)
    r = _upload(client, world, buf.getvalue(), filename="certs.xlsx")
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1
    sheet.append(_row(world, "XLS-002")[:-1] + ["=HYPERLINK(\"http://evil\")"])
    buf = io.BytesIO()
    book.save(buf)
    bad = _upload(client, world, buf.getvalue(), filename="certs.xlsx")
    assert bad.status_code == 422
    err = bad.json()["errors"][0]
    assert err["code"] == "import.formula" and err["row"] == 3 and "公式" in err["message"]


def test_json_import_in_api_shape(client, world):
    from tests.world import certificate_payload

    items = [certificate_payload(world, number="JSON-001"), certificate_payload(world, number="JSON-002", org="org2")]
    r = _upload(client, world, json.dumps(items, ensure_ascii=False).encode(), filename="certs.json")
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2
    broken = _upload(client, world, b'[{"number": ', filename="broken.json", lang="en")
    assert broken.status_code == 422 and broken.json()["errors"][0]["code"] == "import.bad_json"
    assert "Malformed JSON" in broken.json()["errors"][0]["message"]


def test_unreadable_files_are_refused_cleanly(client, world):
    r = _upload(client, world, b"PK\x03\x04garbage", filename="x.xlsx")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "import.not_xlsx"
    r = _upload(client, world, b"\xff\xfe\x00\x00", filename="x.csv")
    assert r.status_code == 422
    r = _upload(client, world, b"just a header\n", filename="x.csv")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "import.empty"
    r = _upload(client, world, b"abc", filename="x.pdf")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "import.file_type"


def test_other_body_cannot_import_into_body_a(client, world):
    r = _upload(client, world, _csv([_row(world, "IMP-001")]), role="cb_b")
    assert r.status_code == 403


def test_cli_import_reports_rows_and_exit_code(tmp_path, settings, world, monkeypatch):
    from typer.testing import CliRunner

    from certbridge.cli.main import app

    monkeypatch.setenv("CERTBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTBRIDGE_DATA_DIR", str(settings.data_dir))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([_row(world, "CLI-001"), _row(world, "cli-002")]))
    result = CliRunner().invoke(app, ["import", "00126", str(bad)])
    assert result.exit_code == 1
    assert "row 3" in result.output and "未写入" in result.output
    good = tmp_path / "good.csv"
    good.write_bytes(_csv([_row(world, "CLI-001")]))
    result = CliRunner().invoke(app, ["import", "00126", str(good)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(app, ["export", str(out), "--body", "00126"])
    assert result.exit_code == 0 and "CLI-001" in out.read_text(encoding="utf-8-sig")


def test_iaf_certsearch_export_columns_are_understood(client, world):
    header = ["Certification Identity Number", "Certificate Number", "Certification Status", "Certification Scope",
              "Certification Original Issue Date", "Certification Issue Date", "Certification Expiry Date",
              "Certified Entity Name", "统一社会信用代码", "Scheme", "Standard", "Standard Version",
              "Auditor Registration Numbers", "Audit Start Date"]
    rows = [["UNIQ-1", "IAF-001", "Active", "Design of circuits", "20220301", "20250301", "20280228",
             "北海市海城区示例电子有限公司", world.uscc["org1"], "QMS", "GB/T 19001", "2016", "2021-N1QMS-1000001",
             "20250220"],
            ["UNIQ-2", "IAF-002", "Withdrawn", "x", "20220301", "20250301", "20280228",
             "北海格力电器配件有限公司", world.uscc["org2"], "QMS", "GB/T 19001", "2016", "2021-N1QMS-1000001",
             "20250220"]]
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    r = _upload(client, world, buf.getvalue().encode(), lang="en")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [(e["row"], e["field"], e["code"]) for e in errors] == [(3, "status", "import.status_not_valid")]
    assert "lifecycle actions" in errors[0]["message"]
    ok = _upload(client, world, buf.getvalue().encode().split(b"\r\nUNIQ-2")[0] + b"\r\n")
    assert ok.status_code == 200, ok.text
    cert = client.get("/api/v1/verify", params={"number": "IAF-001"}).json()["certificates"][0]
    assert cert["issued_on"] == "2025-03-01" and cert["expires_on"] == "2028-02-28"
