"""IAF CertSearch's upload template: a body's export re-imports into another body, USCC and ISO names read back."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.ledger.conftest import issue  # noqa: F401


def _sheet(data: bytes) -> list[dict[str, str]]:
    rows = list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_an_iaf_export_round_trips_through_the_iaf_import(client, world, issue):
    for _ in range(3):
        issue()
    exported = client.get(f"/api/v1/bodies/{world.ids['body_a']}/certificates/iaf.xlsx", headers=world.auth("cb_a"))
    assert exported.status_code == 200, exported.text
    rows = _sheet(exported.content)
    assert len(rows) == 3
    first = rows[0]
    assert first["Standards and Schemes"] == "ISO 9001:2015" and first["Certification Status"] == "Active"
    assert first["Certified Entity Unique ID"] == world.uscc["org1"]
    assert first["Certification Issue Date"] == "20250301" and first["Certification Type"] == "Management System"
    assert client.get(f"/api/v1/bodies/{world.ids['body_a']}/certificates/iaf.xlsx",
                      headers=world.auth("cb_b")).status_code == 403

    imported = client.post(f"/api/v1/bodies/{world.ids['body_b']}/certificates/import-iaf", headers=world.auth("cb_b"),
                           files={"file": ("cb_certs.xlsx", exported.content,
                                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 3
    again = _sheet(client.get(f"/api/v1/bodies/{world.ids['body_b']}/certificates/iaf.xlsx",
                              headers=world.auth("cb_b")).content)
    keep = [c for c in first if c != "Certification Identity Number"]
    assert [{c: r[c] for c in keep} for r in again] == [{c: r[c] for c in keep} for r in rows]
    holder = client.get(f"/api/v1/verify/holder/{world.uscc['org1']}").json()
    assert len(holder["certificates"]) == 6  # the same organization, found by the USCC the file carried


def test_an_iaf_row_with_a_bad_standard_is_reported_and_nothing_is_written(client, world):
    csv = ("Certification Identity Number,Certificate Number,Certification Status,Standards and Schemes,"
           "Certification Scope,Certification Issue Date,Certification Expiry Date,Certified Entity Name,"
           f"Certified Entity Unique ID\nX1,00213Q1,Active,ISO 99999:2030,生产,20250301,20280228,某公司,"
           f"{world.uscc['org2']}\n").encode()
    r = client.post(f"/api/v1/bodies/{world.ids['body_b']}/certificates/import-iaf", headers=world.auth("cb_b"),
                    files={"file": ("cb_certs.csv", csv, "text/csv")})
    assert r.status_code == 422 and r.json()["code"] == "import.rejected" and r.json()["created"] == 0
