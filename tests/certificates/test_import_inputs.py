"""Bulk import is never fooled by its input: size limits, certain encodings only, invisible characters and
full-width identifiers — through the API, with the same messages on the CLI (issue #16)."""

from __future__ import annotations

import csv
import io
import json
import random

from typer.testing import CliRunner

from certbridge.cli.main import app as cli_app
from certbridge.kit.uscc import generate_uscc

HEADER = ["number", "scheme", "standard_code", "standard_version", "holder_name", "holder_uscc", "scope",
          "issued_on", "audit_start_on", "audit_end_on", "auditors"]
JAPANESE = "株式会社日立製作所"
TAIWANESE = "台灣積體電路製造股份有限公司"
RARE_GBK = "北京堃昇科技有限公司"  # 堃 and 昇 are GBK, outside GB2312


def _new_uscc(seed: int) -> str:
    return generate_uscc(random.Random(seed), region="450502")


def _row(world, number, name="北海市海城区示例电子有限公司", uscc=None, scope="电子产品的生产"):
    return [number, "QMS", "GB/T 19001", "2016", name, world.uscc["org1"] if uscc is None else uscc, scope,
            "2025-03-01", "2025-02-20", "2025-02-21", "2021-N1QMS-1000001"]


def _csv(rows, encoding="utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def run(settings, *args, lang: str = "en", env_extra: dict | None = None):
    """Run `certbridge …` in-process against the test instance."""
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_DATABASE_URL": settings.database_url,
           "CERTBRIDGE_LANG": lang, "COLUMNS": "200", **(env_extra or {})}
    return CliRunner().invoke(cli_app, [str(a) for a in args], env=env)


def _upload(client, world, data, filename="certs.csv", lang="zh"):
    return client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates/import",
                       headers={**world.auth("cb_a"), "Accept-Language": lang}, files={"file": (filename, data)})


def test_a_cell_over_131072_characters_is_a_422_naming_row_and_column_not_a_500(client, world):
    huge = "范" * 140_000
    data = _csv([_row(world, "BIG-001"), _row(world, "BIG-002", scope=huge)])
    for lang, words in (("zh", ["第 3 行", "「scope」", "10000"]), ("en", ["Row 3", "'scope'", "10000"])):
        r = _upload(client, world, data, lang=lang)
        assert r.status_code == 422, r.text[:300]
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["code"] == "import.cell_too_long" and problem["status"] == 422
        assert all(w in problem["detail"] for w in words), problem["detail"]
        assert problem["errors"][0]["row"] == 3 and problem["errors"][0]["field"] == "scope"


def test_a_row_over_the_row_limit_is_a_422_naming_the_row(client, world):
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"import_max_cell_chars": 3000, "import_max_row_chars": 5000})
    ok = "范" * 2900
    r = _upload(client, world, _csv([_row(world, "ROW-001"), _row(world, "ROW-002", name=ok, scope=ok)]), lang="en")
    assert r.status_code == 422
    assert r.json()["code"] == "import.row_too_long" and "Row 3" in r.json()["detail"]
    assert "5000" in r.json()["detail"]


def test_a_file_over_the_size_limit_is_a_413_problem_in_both_languages(client, world):
    client.app.state.settings = client.app.state.settings.model_copy(update={"import_max_file_bytes": 2 * 1024 * 1024})
    data = _csv([_row(world, f"SIZE-{i:05d}") for i in range(20_000)])
    assert len(data) > 2 * 1024 * 1024
    zh = _upload(client, world, data)
    assert zh.status_code == 413 and zh.headers["content-type"] == "application/problem+json"
    assert zh.json()["code"] == "import.too_large" and "文件超过 2 MB" in zh.json()["detail"]
    en = _upload(client, world, data, lang="en")
    assert en.status_code == 413 and "exceeds the 2 MB limit" in en.json()["detail"]


def test_shift_jis_and_big5_files_are_refused_naming_the_accepted_encodings(client, world):
    sjis = _csv([_row(world, "JP-001", name=JAPANESE, uscc=_new_uscc(1), scope="電子部品の製造")], encoding="shift_jis")
    big5 = _csv([_row(world, "TW-001", name=TAIWANESE, uscc=_new_uscc(2), scope="電子產品的生產")], encoding="big5")
    for data in (sjis, big5):
        r = _upload(client, world, data)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "import.encoding"
        assert "UTF-8" in r.json()["detail"] and "GBK/GB18030" in r.json()["detail"]
    en = _upload(client, world, sjis, lang="en")
    assert "only UTF-8 (with or without BOM) and GBK/GB18030 are accepted" in en.json()["detail"]
    assert client.get("/api/v1/verify", params={"number": "JP-001"}).json()["outcome"] == "not_found"


def test_utf16_without_bom_is_refused(client, world):
    data = _csv([_row(world, "U16-001")]).decode("utf-8").encode("utf-16-le")
    r = _upload(client, world, data)
    assert r.status_code == 422 and r.json()["code"] == "import.encoding_utf16"


def test_gbk_with_rare_name_characters_imports_intact(client, world):
    r = _upload(client, world, _csv([_row(world, "GBK-RARE-1", name=RARE_GBK, uscc=_new_uscc(3))], encoding="gbk"))
    assert r.status_code == 200, r.text
    assert r.json()["encoding"] == "gb18030"
    v = client.get("/api/v1/verify", params={"number": "GBK-RARE-1"}).json()
    assert v["certificates"][0]["holder"]["name"] == RARE_GBK


def test_invisible_characters_are_removed_with_a_warning_and_the_visible_name_is_found(client, world):
    name = "南宁\u200b示例\ufeff精密\u202e仪器有限公司"
    r = _upload(client, world, _csv([_row(world, "ZW-001"), _row(world, "ZW-002", name=name, uscc=_new_uscc(4))]))
    assert r.status_code == 200, r.text
    warnings = r.json()["warnings"]
    assert [(w["row"], w["field"], w["code"]) for w in warnings] == [(3, "holder_name", "import.invisible_removed")]
    assert "第 3 行" in warnings[0]["message"] and "不可见字符" in warnings[0]["message"]
    v = client.get("/api/v1/verify", params={"number": "ZW-002"}).json()
    assert v["certificates"][0]["holder"]["name"] == "南宁示例精密仪器有限公司"
    found = client.get("/api/v1/certificates", params={"q": "示例精密仪器"}).json()["items"]
    assert [c["number"] for c in found] == ["ZW-002"]


def test_full_width_identifiers_are_folded_on_import_and_on_verify(client, world):
    uscc = world.uscc["org1"]
    wide_uscc = "".join(chr(ord(ch) + 0xFEE0) for ch in uscc)
    row = _row(world, "ＦＷ－００１", uscc=wide_uscc)
    row[7] = "２０２５－０３－０１"  # issued_on, typed with a Chinese input method
    r = _upload(client, world, _csv([row]))
    assert r.status_code == 200, r.text
    found = client.get("/api/v1/verify", params={"number": "FW-001"}).json()
    assert found["outcome"] == "valid" and found["certificates"][0]["issued_on"] == "2025-03-01"
    assert client.get("/api/v1/verify", params={"number": "ｆｗ－００１"}).json()["outcome"] == "valid"
    held = client.get(f"/api/v1/verify/holder/{wide_uscc}").json()
    assert held["outcome"] == "valid" and held["certificates"][0]["number"] == "FW-001"


def test_json_import_reports_invisible_characters_at_their_path(client, world):
    from tests.world import certificate_payload

    item = certificate_payload(world, number="JZ-001")
    item["holder"]["name"] = "北海市海城区示例\u200d电子有限公司"
    r = _upload(client, world, json.dumps([item], ensure_ascii=False).encode(), filename="c.json")
    assert r.status_code == 200, r.text
    assert [(w["row"], w["field"]) for w in r.json()["warnings"]] == [(1, "holder.name")]


def _flat(text: str) -> str:
    """The text without white space: the console wraps long lines at its width."""
    return "".join(text.split())


def test_cli_import_prints_the_same_messages(client, settings, world, tmp_path):
    sjis = tmp_path / "jp.csv"
    sjis.write_bytes(_csv([_row(world, "JP-CLI", name=JAPANESE, uscc=_new_uscc(5), scope="電子部品の製造")],
                          encoding="shift_jis"))
    result = run(settings, "import", "00126", sjis, lang="zh")
    assert result.exit_code == 1
    assert _flat("只接受 UTF-8（可带 BOM）或 GBK/GB18030 编码") in _flat(result.output)
    big = tmp_path / "big.csv"
    big.write_bytes(_csv([_row(world, f"CLI-{i:05d}") for i in range(20_000)]))
    result = run(settings, "import", "00126", big, lang="en",
                 env_extra={"CERTBRIDGE_IMPORT_MAX_FILE_BYTES": str(1024 * 1024)})
    assert result.exit_code == 1 and _flat("The file exceeds the 1 MB limit") in _flat(result.output)
    zw = tmp_path / "zw.csv"
    zw.write_bytes(_csv([_row(world, "CLI-ZW", name="北海市\u200b海城区示例电子有限公司")]))
    result = run(settings, "import", "00126", zw, lang="en")
    assert result.exit_code == 0, result.output
    assert _flat("Row 2, 'holder_name': invisible characters") in _flat(result.output)
