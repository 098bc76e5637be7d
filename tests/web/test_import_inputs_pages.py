"""Console bulk upload: a file over the limit is a 413 page saying so; invisible characters removed are listed."""

from __future__ import annotations

from tests.web.conftest import follow_job, post_form

HEADER = "证书编号,认证项目,认证依据,标准版本,获证组织名称,统一社会信用代码,认证范围,颁证日期,审核开始日期,审核员注册号\n"


def _row(number, uscc, name="北海市海城区示例电子有限公司", scope="电子元器件的设计和生产"):
    return f"{number},QMS,GB/T 19001,2016,{name},{uscc},{scope},2025-03-01,2025-02-20,2021-N1QMS-1000001\n"


def _upload(client, data: bytes, name="certs.csv"):
    """Upload a file and return the page its check job ends on (the report)."""
    return follow_job(client, post_form(client, "/cb/import", files={"file": (name, data, "text/csv")}))


def test_a_file_over_the_limit_is_a_413_page_in_chinese_and_english(client, world, signed_in):
    client.app.state.settings = client.app.state.settings.model_copy(update={"import_max_file_bytes": 1024 * 1024})
    signed_in("cb_a")
    data = (HEADER + "".join(_row(f"00126Q2{i:05d}R0M", world.uscc["org1"]) for i in range(12_000))).encode()
    r = _upload(client, data)
    assert r.status_code == 413 and "文件超过 1 MB 上限" in r.text
    assert "不超过 1 MB" in client.get("/cb/import").text  # the form states the configured limit
    client.cookies.set("lang", "en")
    r = _upload(client, data)
    assert r.status_code == 413 and "exceeds the 1 MB limit" in r.text


def test_a_huge_cell_is_a_422_page_naming_row_and_column(client, world, signed_in):
    signed_in("cb_a")
    data = (HEADER + _row("00126Q26301R0M", world.uscc["org1"], scope="范" * 140_000)).encode()
    r = _upload(client, data)
    assert r.status_code == 422 and "第 2 行「认证范围」列超过 10000 个字符" in r.text


def test_removed_invisible_characters_are_listed_by_row(client, world, signed_in):
    signed_in("cb_a")
    data = (HEADER + _row("00126Q26302R0M", world.uscc["org1"])
            + _row("00126Q26303R0M", world.uscc["org1"], name="北海市海城区\u200b示例电子有限公司")).encode()
    r = _upload(client, data)
    assert r.status_code == 200, r.text
    listed = r.text.split('id="row-warnings"')[1].split("</table>")[0]
    assert '<td data-label="行号">3</td>' in listed and "不可见字符" in listed and "获证组织名称" in listed


def _wide(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_the_verify_page_and_the_search_box_fold_full_width_and_invisible_input(client, world, make_certificate):
    make_certificate("00126Q26011R0M/4500")
    typed = "\u200b" + _wide("00126q26011r0m/4500") + "\ufeff"
    page = client.get("/verify", params={"number": typed}).text
    assert "证书 00126Q26011R0M/4500 真实有效" in page
    home = client.get("/", params={"q": _wide(world.uscc["org1"]) + "\u200b"}).text
    assert "00126Q26011R0M/4500" in home and "真实有效" in home


def test_the_issue_form_folds_a_full_width_number_and_uscc(client, sessions, world, signed_in):
    from sqlalchemy import select

    from certbridge.certificates.models import Certificate
    from certbridge.db import read_session
    from certbridge.registry.models import Organization
    from tests.web.conftest import post_form as post

    signed_in("cb_a")
    form = {"number": _wide("00126Q26401R0M"), "scheme": "QMS", "standard": "GB/T 19001|2016", "issued_on": "2025-03-01",
            "holder.name": "北海市海城区\u200b示例电子有限公司\u202e", "holder.uscc": _wide(world.uscc["org1"]),
            "scope": "电子元器件的设计和生产", "audits[0].kind": "initial", "audits[0].method": "FS01",
            "audits[0].start_on": "2025-02-20", "audits[0].end_on": "2025-02-21",
            "audits[0].auditors": _wide("2021-N1QMS-1000001")}
    r = post(client, "/cb/certificates/new", data=form)
    assert r.status_code == 303, r.text[-3000:]
    with read_session(sessions) as db:
        cert = db.scalar(select(Certificate).where(Certificate.number == "00126Q26401R0M"))
        assert cert is not None and cert.holder_name == "北海市海城区示例电子有限公司"
        assert db.scalar(select(Organization.uscc).where(Organization.id == cert.organization_id)) == world.uscc["org1"]
