"""Stapled status: a certificate's status proof small enough for a QR code, checked offline, never "valid" for a
certificate that was not valid on its checkpoint's day, and refused when forged or stale."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from certbridge.ledger import stapled
from certbridge.ledger.offline import OfflineCheckError
from tests.ledger.conftest import published_keys


def _stapled(client, cert_id):
    r = client.get(f"/api/v1/certificates/{cert_id}/stapled-status")
    assert r.status_code == 200, r.text
    return r.json()


def test_a_valid_certificate_staples_a_small_proof_that_checks_offline(client, issue, cli, tmp_path):
    cert = issue()
    answer = _stapled(client, cert["id"])
    assert answer["text"].startswith("CBS1:") and answer["bytes"] <= 2048
    assert answer["valid_days"] == 7 and answer["valid_until"]
    assert stapled.decode(answer["text"]) == answer["proof"]
    png = client.get(f"/api/v1/certificates/{cert['id']}/stapled-status.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    key = published_keys(client, "log")[0]
    path = tmp_path / "stapled.txt"
    path.write_text(answer["text"])
    result = cli("verify-status", "--stapled", path, "--key", key)
    assert result.exit_code == 0, result.output
    assert "Valid as of " in result.output and "witnessed by none" in result.output
    zh = cli("verify-status", "--stapled", path, "--key", key, lang="zh")
    assert zh.exit_code == 0 and "有效，截至 " in zh.output
    # the API's whole JSON answer works as well as the bare text
    (tmp_path / "answer.json").write_text(json.dumps(answer))
    assert cli("verify-status", "--stapled", tmp_path / "answer.json", "--key", key).exit_code == 0


def test_an_expired_certificate_is_never_shown_valid_though_its_last_event_says_valid(client, issue, cli, tmp_path):
    # issued years ago, ended yesterday: the log's last event still records "valid" (the sweep has not run)
    yesterday = date.today() - timedelta(days=1)
    cert = issue(issued_on=(yesterday - timedelta(days=700)).isoformat(), expires_on=yesterday.isoformat())
    proof = _stapled(client, cert["id"])["proof"]
    key = published_keys(client, "log")[0]
    result = stapled.check_stapled(proof, log_keys=[key])
    assert result["recorded_status"] == "valid"
    assert result["status"] == "expired" and result["valid"] is False
    path = tmp_path / "stapled.json"
    path.write_text(json.dumps(proof))
    out = cli("verify-status", "--stapled", path, "--key", key)
    assert out.exit_code == 1 and "Not valid" in out.output and "expired" in out.output


def test_a_suspension_dropped_or_a_state_edited_is_refused(client, issue, act):
    cert = issue()
    act(cert["id"], "suspend")
    proof = _stapled(client, cert["id"])["proof"]
    key = published_keys(client, "log")[0]
    assert stapled.check_stapled(proof, log_keys=[key])["status"] == "suspended"
    # dropped tail: only the issue event, whose state says "valid"
    dropped = dict(proof, events=proof["events"][:1], inclusion_proofs=[[]])
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(dropped, log_keys=[key])
    assert caught.value.code == "statemap.latest_mismatch"
    # the latest event's state edited back to valid: its hash no longer matches the map
    edited = dict(proof, events=[proof["events"][0], proof["events"][1].replace('"suspended"', '"valid"')])
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(edited, log_keys=[key])
    assert caught.value.code == "statemap.latest_mismatch"
    # the body's proof left out: no effective status can be derived
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(dict(proof, body_proof=None), log_keys=[key])
    assert caught.value.code == "statemap.body_missing"


def test_a_stale_proof_is_refused_even_with_its_validity_edited(client, issue):
    cert = issue()
    proof = _stapled(client, cert["id"])["proof"]
    key = published_keys(client, "log")[0]
    later = datetime.now(timezone.utc) + timedelta(days=8)
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(proof, log_keys=[key], now=later)
    assert caught.value.code == "statemap.stale"
    with pytest.raises(OfflineCheckError) as caught:  # valid_days is not signed: the verifier's limit holds
        stapled.check_stapled(dict(proof, valid_days=3650), log_keys=[key], now=later)
    assert caught.value.code == "statemap.stale"
    assert stapled.check_stapled(proof, log_keys=[key], now=later - timedelta(days=2))["valid"]


def test_garbage_and_absent_certificates_get_no_stapled_proof(client, issue):
    with pytest.raises(OfflineCheckError):
        stapled.decode("CBS1:%%%")
    with pytest.raises(OfflineCheckError):
        stapled.decode("not a proof")
    assert client.get("/api/v1/certificates/999999/stapled-status").status_code == 404


def test_base45_round_trips():
    for data in (b"", b"\x00", b"ab", bytes(range(256)), b"\xff\xff\xff"):
        assert stapled.b45decode(stapled.b45encode(data)) == data
    assert stapled.b45encode(b"AB") == "BB8"  # RFC 9285, section 4.3
