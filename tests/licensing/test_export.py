"""双公示 export: XK_ and CF_ field codes as headers, one row per record, CSV and XLSX, from API and CLI."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from typer.testing import CliRunner

from certbridge.cli.main import app as cli
from certbridge.licensing.publicity import CF_FIELDS, XK_FIELDS
from tests.licensing.test_licensing import approval

XK_CODES = ["XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ", "XK_XDR_SYDW",
            "XK_XDR_SHZZ", "XK_FRDB", "XK_FR_ZJLX", "XK_FR_ZJHM", "XK_XDR_ZJLX", "XK_XDR_ZJHM", "XK_XKWS", "XK_WSH",
            "XK_XKLB", "XK_XKZS", "XK_XKBH", "XK_NR", "XK_JDRQ", "XK_YXQZ", "XK_YXQZI", "XK_XKJG", "XK_XKJGDM",
            "XK_ZT", "XK_LYDW", "XK_LYDWDM", "BZ"]
CF_CODES = ["CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ", "CF_XDR_SYDW",
            "CF_XDR_SHZZ", "CF_FRDB", "CF_FR_ZJLX", "CF_FR_ZJHM", "CF_XDR_ZJLX", "CF_XDR_ZJHM", "CF_WSH", "CF_WFXW",
            "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK", "CF_NR_WFFF", "CF_NR_ZKDX", "CF_JDRQ", "CF_YXQ",
            "CF_GSJZQ", "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM", "BZ"]


def rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens UTF-8 Chinese correctly
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_layouts_are_the_national_field_codes():
    assert [c for c, _ in XK_FIELDS] == XK_CODES and [c for c, _ in CF_FIELDS] == CF_CODES


def test_licensing_records_export_in_the_xk_layout(client, world):
    reg = world.auth("regulator")
    created = client.post("/api/v1/licensing/bodies", headers=reg, json=approval(publish=True, remarks="首次批准"))
    assert created.status_code == 201, created.text
    r = client.get("/api/v1/publicity/export", params={"layout": "XK", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    header = r.content.decode("utf-8").lstrip("\ufeff").splitlines()[0].split(",")
    assert header == XK_CODES
    [row] = rows(r)
    assert row["XK_XDR_MC"] == "广西新认证有限公司" and row["XK_XDR_LB"] == "法人及非法人组织"
    assert row["XK_WSH"] == "国认监认字〔2024〕99号" and row["XK_XKBH"] == "CNCA-R-2024-099"
    assert row["XK_XKLB"] == "普通" and row["XK_XKZS"] == "认证机构批准书"
    assert (row["XK_JDRQ"], row["XK_YXQZ"], row["XK_YXQZI"]) == ("2024-09-27", "2024-09-27", "2030-09-26")
    assert row["XK_XKJG"] == "国家认证认可监督管理委员会" and row["XK_XKJGDM"] == "11100000190748334U"
    assert row["XK_ZT"] == "1" and row["XK_LYDW"] == "国家认证认可监督管理委员会" and row["BZ"] == "首次批准"


def test_penalties_export_in_the_cf_layout_with_amounts_in_wan_yuan(client, world, penalty_body):
    reg = world.auth("regulator")
    body = penalty_body(categories=["罚款", "没收违法所得"], fine_wan="0.5", confiscation_wan="12.345678",
                        publish=True, decided_on="2025-06-03")
    assert client.post("/api/v1/credit/penalties", headers=reg, json=body).status_code == 201
    unpublished = penalty_body(decision_number="北市监处罚〔2025〕2号", decided_on="2025-06-03")
    assert client.post("/api/v1/credit/penalties", headers=reg, json=unpublished).status_code == 201
    r = client.get("/api/v1/publicity/export", params={"layout": "CF"})
    [row] = rows(r)
    assert list(row) == CF_CODES
    assert row["CF_XDR_MC"] == "北海市海城区示例电子有限公司" and row["CF_XDR_SHXYM"] == world.uscc["org1"]
    assert row["CF_WSH"] == "北市监处罚〔2024〕88号" and row["CF_CFLB"] == "罚款、没收违法所得"
    assert (row["CF_NR_FK"], row["CF_NR_WFFF"]) == ("0.5", "12.345678")
    assert (row["CF_JDRQ"], row["CF_GSJZQ"]) == ("2025-06-03", "2028-06-03")
    assert row["CF_CFJG"] == "北海市市场监督管理局" and row["CF_FRDB"] == "张三"
    everything = client.get("/api/v1/publicity/export", params={"layout": "CF", "scope": "all"}, headers=reg)
    assert len(rows(everything)) == 2
    assert client.get("/api/v1/publicity/export", params={"layout": "CF", "scope": "all"}).status_code == 401


def test_xlsx_has_codes_then_chinese_names_and_never_formulas(client, world, penalty_body):
    reg = world.auth("regulator")
    client.post("/api/v1/credit/penalties", headers=reg, json=penalty_body(publish=True, decided_on="2025-06-03",
                                                                           remarks="=HYPERLINK(\"http://x\")"))
    r = client.get("/api/v1/publicity/export", params={"layout": "CF", "format": "xlsx"})
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet.title == "行政处罚"
    assert [c.value for c in sheet[1]] == CF_CODES
    assert [c.value for c in sheet[2]][:3] == ["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)"]
    data = {code: cell for code, cell in zip(CF_CODES, sheet[3])}
    assert data["CF_NR_FK"].value == "0.5" and data["CF_WSH"].value == "北市监处罚〔2024〕88号"
    assert data["BZ"].data_type == "s" and data["BZ"].value.startswith("=HYPERLINK")


def test_export_from_the_command_line(client, world, settings, monkeypatch, tmp_path):
    client.post("/api/v1/licensing/bodies", headers=world.auth("regulator"), json=approval(publish=True))
    monkeypatch.setenv("CERTBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTBRIDGE_DATA_DIR", str(settings.data_dir))
    out = tmp_path / "xk.xlsx"
    result = CliRunner().invoke(cli, ["credit", "export", "--layout", "XK", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == XK_CODES and sheet.cell(3, 1).value == "广西新认证有限公司"
    bad = CliRunner().invoke(cli, ["credit", "export", "--layout", "XX", "-o", str(out)])
    assert bad.exit_code == 2
