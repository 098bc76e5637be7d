"""Verification receipts: signed, anchored in a checkpoint, checkable offline, refused when tampered."""

from __future__ import annotations

import json

from certbridge.credentials.receipt_check import extract_receipt
from tests.ledger.conftest import published_keys


def _receipt(client, cert_id: int) -> dict:
    r = client.get(f"/api/v1/certificates/{cert_id}/receipt.json")
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    return r.json()


def _keys(client) -> list[str]:
    return ["--key", published_keys(client, "credential")[0], "--log-key", published_keys(client, "log")[0]]


def test_a_receipt_verifies_offline_with_the_published_keys(client, issue, act, cli, tmp_path):
    cert = issue()
    act(cert["id"], "suspend")
    act(cert["id"], "restore")
    receipt = _receipt(client, cert["id"])
    assert receipt["certificate"]["status"] == "valid" and receipt["certificate"]["valid"] is True
    assert [e["seq"] for e in receipt["events"]] == [
        e["seq"] for e in client.get(f"/api/v1/certificates/{cert['id']}/history").json()]
    assert "was Valid at" in receipt["statement"]["en"] and "有效" in receipt["statement"]["zh"]
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False))
    result = cli("verify-receipt", path, *_keys(client))
    assert result.exit_code == 0, result.output
    assert "The receipt checks out" in result.output and "Warning" not in result.output
    bare = cli("verify-receipt", path)  # no keys: checks integrity, warns about identity
    assert bare.exit_code == 0 and "Warning: no keys given" in bare.output


def test_a_withdrawn_certificate_gets_a_receipt_saying_so(client, issue, act):
    cert = issue()
    act(cert["id"], "withdraw", cause="holder")
    receipt = _receipt(client, cert["id"])
    assert receipt["certificate"]["status"] == "withdrawn" and receipt["certificate"]["valid"] is False
    assert "was Withdrawn at" in receipt["statement"]["en"]


def test_tampered_receipts_fail(client, issue, act, cli, tmp_path):
    cert = issue()
    act(cert["id"], "withdraw", cause="holder")
    receipt = _receipt(client, cert["id"])
    path = tmp_path / "receipt.json"
    claims_valid = json.loads(json.dumps(receipt))
    claims_valid["certificate"].update(status="valid", valid=True)
    path.write_text(json.dumps(claims_valid))
    result = cli("verify-receipt", path, *_keys(client))
    assert result.exit_code == 1 and "Invalid receipt signature" in result.output

    edited_event = json.loads(json.dumps(receipt))
    edited_event["events"][-1]["body"] = edited_event["events"][-1]["body"].replace("withdrawn", "valid")
    path.write_text(json.dumps(edited_event))
    assert cli("verify-receipt", path, *_keys(client)).exit_code == 1

    # Re-signed by someone else: fine with the receipt's own keys, refused with the platform's.
    from certbridge.credentials.receipt_check import RECEIPT_CONTEXT
    from certbridge.kit.canonical_json import canonical_bytes
    from certbridge.kit.signed_note import Signer, generate_key
    import base64

    forger = Signer(generate_key("certbridge.local/credential")[0])
    forged = {k: v for k, v in claims_valid.items() if k != "signature"}
    forged["keys"] = dict(forged["keys"], credential=forger.verifier_key)
    forged["signature"] = {"key": f"{forger.name}+{forger.key_id:08x}",
                           "value": base64.b64encode(forger.sign(RECEIPT_CONTEXT + canonical_bytes(forged))).decode()}
    path.write_text(json.dumps(forged))
    result = cli("verify-receipt", path, *_keys(client))
    assert result.exit_code == 1 and "which you did not give" in result.output
    result = cli("verify-receipt", path)  # even with its own key, the log contradicts the claim
    assert result.exit_code == 1 and "the log gives withdrawn" in result.output


def test_the_pdf_receipt_is_one_page_with_chinese_text_and_the_signed_json_inside(client, issue, cli, tmp_path):
    cert = issue()
    r = client.get(f"/api/v1/certificates/{cert['id']}/receipt.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = r.content
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page\n") == 1
    assert b"NotoSansCJK" in pdf or b"Noto" in pdf  # a CJK font is embedded
    receipt = extract_receipt(pdf)
    assert receipt["certificate"]["number"] == cert["number"]
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    result = cli("verify-receipt", path, *_keys(client))
    assert result.exit_code == 0, result.output


def test_cli_writes_tokens_qr_codes_and_receipts(client, issue, cli, tmp_path):
    cert = issue()
    result = cli("credentials", "token", cert["id"])
    assert result.exit_code == 0 and "/v/" in result.output
    assert cli("credentials", "qr", cert["id"], "--out", tmp_path / "qr.svg").exit_code == 0
    assert (tmp_path / "qr.svg").read_text().startswith("<svg")
    assert cli("credentials", "receipt", cert["id"], "--out", tmp_path / "r.json").exit_code == 0
    assert cli("verify-receipt", tmp_path / "r.json", *_keys(client)).exit_code == 0
    assert cli("credentials", "token", 999999).exit_code == 1
