"""Receipts check every field they state, and a chain of events from issue (issue #15).

Each forgery below is re-signed with the platform's own credential key (the worst case: a stolen key, or
the server itself), so only what the log proves can catch it.
"""

from __future__ import annotations

import base64
import json

from certbridge.credentials.receipt_check import RECEIPT_CONTEXT
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.keys import credential_signer
from tests.ledger.conftest import published_keys


def _receipt(client, cert_id: int) -> dict:
    r = client.get(f"/api/v1/certificates/{cert_id}/receipt.json")
    assert r.status_code == 200, r.text
    return r.json()


def _resign(settings, receipt: dict) -> dict:
    signer = credential_signer(settings)
    unsigned = {k: v for k, v in receipt.items() if k != "signature"}
    unsigned["signature"] = {"key": f"{signer.name}+{signer.key_id:08x}",
                             "value": base64.b64encode(signer.sign(RECEIPT_CONTEXT + canonical_bytes(
                                 {k: v for k, v in unsigned.items() if k != "signature"}))).decode()}
    return unsigned


def _cli_check(client, cli, tmp_path, receipt: dict):
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False))
    return cli("verify-receipt", path, "--key", published_keys(client, "credential")[0],
               "--log-key", published_keys(client, "log")[0])


def _api_check(client, receipt: dict) -> dict:
    r = client.post("/api/v1/receipts/verify", json=receipt, headers={"Accept-Language": "en"})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_genuine_receipt_passes_the_cli_and_the_api(client, issue, act, cli, tmp_path):
    cert = issue()
    act(cert["id"], "suspend")
    act(cert["id"], "restore")
    receipt = _receipt(client, cert["id"])
    assert _cli_check(client, cli, tmp_path, receipt).exit_code == 0
    verdict = _api_check(client, receipt)
    assert verdict["valid"] is True and verdict["complete"] is True, verdict


def test_altered_fields_are_refused_even_when_re_signed(client, issue, cli, tmp_path, settings):
    cert = issue()
    receipt = _receipt(client, cert["id"])
    edits = {
        "uscc": lambda r: r["certificate"]["holder"].update(uscc="91350100M000100Y43"),
        "body": lambda r: r["certificate"]["body"].update(name="另一家认证有限公司"),
        "scheme": lambda r: r["certificate"].update(scheme="EMS"),
        "statement": lambda r: r["statement"].update(zh=r["statement"]["zh"].replace("有效", "有效（已获国家认可）")),
        "statement_en": lambda r: r["statement"].update(en="Certificate is valid and endorsed by the state."),
    }
    for name, edit in edits.items():
        forged = json.loads(json.dumps(receipt))
        edit(forged)
        forged = _resign(settings, forged)
        result = _cli_check(client, cli, tmp_path, forged)
        assert result.exit_code == 1, (name, result.output)
        assert "log" in result.output or "statement" in result.output.lower(), (name, result.output)
        verdict = _api_check(client, forged)
        assert verdict["valid"] is False, (name, verdict)


def test_a_dropped_middle_event_breaks_the_chain(client, issue, act, cli, tmp_path, settings):
    cert = issue()
    act(cert["id"], "suspend")
    act(cert["id"], "withdraw", cause="holder")
    receipt = _receipt(client, cert["id"])
    assert receipt["certificate"]["status"] == "withdrawn"
    forged = json.loads(json.dumps(receipt))
    del forged["events"][1]  # the suspension: the withdrawal now follows the issue directly
    result = _cli_check(client, cli, tmp_path, _resign(settings, forged))
    assert result.exit_code == 1 and "previous event" in result.output, result.output
    assert _api_check(client, _resign(settings, forged))["valid"] is False


def test_a_dropped_last_event_is_caught_online(client, issue, act, cli, tmp_path, settings):
    cert = issue()
    act(cert["id"], "suspend")
    receipt = _receipt(client, cert["id"])
    forged = json.loads(json.dumps(receipt))
    forged["events"] = forged["events"][:-1]  # drop the suspension, claim valid
    forged["certificate"].update(status="valid", valid=True)
    forged["statement"] = {lang: text.replace("暂停", "有效").replace("Suspended", "Valid")
                           for lang, text in forged["statement"].items()}
    forged = _resign(settings, forged)
    verdict = _api_check(client, forged)
    assert verdict["valid"] is False and "event" in verdict["message"].lower(), verdict


def test_a_dropped_last_event_is_caught_offline_by_the_state_map(client, issue, act, cli, tmp_path, settings):
    cert = issue()
    act(cert["id"], "suspend")
    receipt = _receipt(client, cert["id"])
    code = receipt["certificate"]["body"]["code"]
    names = sorted(receipt["map_proofs"])
    assert names[0] == f"body:{code}" and names[1] == f"certificate:{code}:{cert['number']}"
    assert names[2].startswith("organization:")
    genuine = _cli_check(client, cli, tmp_path, receipt)
    assert genuine.exit_code == 0 and "no later event left out" in genuine.output, genuine.output
    forged = json.loads(json.dumps(receipt))
    forged["events"] = forged["events"][:-1]  # drop the suspension, claim valid, re-sign with the real key
    forged["certificate"].update(status="valid", valid=True)
    forged["statement"] = {lang: text.replace("暂停", "有效").replace("Suspended", "Valid")
                           for lang, text in forged["statement"].items()}
    result = _cli_check(client, cli, tmp_path, _resign(settings, forged))
    assert result.exit_code == 1 and "a later event was left out" in result.output, result.output
    # with its map proofs stripped, the receipt checks but says its tail is not proven offline
    stripped = _resign(settings, {k: v for k, v in receipt.items() if k != "map_proofs"})
    result = _cli_check(client, cli, tmp_path, stripped)
    assert result.exit_code == 0 and "left off the end" in result.output, result.output
