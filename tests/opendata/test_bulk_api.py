"""The supplier-list API and the offline check from the command line."""

from __future__ import annotations

import json

from tests.ledger.conftest import cli, published_keys  # noqa: F401


def test_a_list_posted_to_the_api_gets_a_receipt_the_command_line_accepts(suppliers, client, cli, tmp_path):
    rows = [{"uscc": suppliers.usccs[5]}, {"name": suppliers.names[6]}, {"number": suppliers.numbers[7]},
            {"name": "不存在的供应商商行"}, {"name": suppliers.names[8], "standard": "ISO 9001:2015"}]
    r = client.post("/api/v1/bulk-verifications", json={"name": "招标供应商", "rows": rows})
    assert r.status_code == 200, r.text
    receipt = r.json()
    assert [x["outcome"] for x in receipt["rows"]] == ["valid", "valid", "valid", "not_found", "valid"]
    assert receipt["rows"][0]["organization"]["name"] == suppliers.names[5]
    path = tmp_path / "bulk-receipt.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    keys = [*sum((["--key", k] for k in published_keys(client, "credential")), []),
            *sum((["--log-key", k] for k in published_keys(client, "log")), [])]
    result = cli("verify-bulk-receipt", str(path), *keys)
    assert result.exit_code == 0, result.output
    assert "5 rows: valid 4" in result.output
    assert "State-map proof holds: the latest event of 4 certificates" in result.output
    receipt["rows"][3]["outcome"] = "valid"
    path.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    refused = cli("verify-bulk-receipt", str(path), *keys)
    assert refused.exit_code == 1

    pdf = client.post("/api/v1/bulk-verifications?format=pdf", json={"rows": rows})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    check = client.post("/api/v1/bulk-receipts/verify", json=r.json())
    assert check.json()["valid"] is True


def test_a_list_file_is_verified_and_bad_input_says_what_was_wrong(suppliers, client):
    csv = f"供应商名称,统一社会信用代码\n{suppliers.names[1]},\n,{suppliers.usccs[2]}\n".encode("gbk")
    r = client.post("/api/v1/bulk-verifications/file", files={"file": ("名单.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text
    assert [x["match"] for x in r.json()["rows"]] == ["name_exact", "uscc"]
    bad = client.post("/api/v1/bulk-verifications/file", files={"file": ("x.csv", "甲,乙\n1,2\n".encode(), "text/csv")},
                      headers={"Accept-Language": "en"})
    assert bad.status_code == 422
    assert "No column we recognise" in bad.json()["detail"]


def test_a_long_list_runs_as_a_job_whose_receipt_is_fetched_by_its_token(suppliers, client):
    csv = "统一社会信用代码\n" + "\n".join(suppliers.usccs[:50]) + "\n"
    started = client.post("/api/v1/bulk-verifications/jobs", files={"file": ("long.csv", csv.encode(), "text/csv")})
    assert started.status_code == 202, started.text
    client.app.state.jobs.wait_idle()
    done = client.get(started.json()["status_url"])
    assert done.status_code == 200 and done.json()["summary"]["rows"] == 50
    assert done.json()["summary"]["valid"] == 49  # the first supplier's certificate is suspended
    assert client.get("/api/v1/bulk-verifications/" + "x" * 24).status_code == 404
