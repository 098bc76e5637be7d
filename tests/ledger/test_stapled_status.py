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
    # the operator's command makes the same kind of proof (and its QR image) from the database
    made = cli("ledger", "stapled-status", "--certificate", answer["name"].split(":", 1)[1], "--png", tmp_path / "q.png")
    assert made.exit_code == 0, made.output
    assert stapled.decode(made.output.strip())["name"] == answer["name"]
    assert (tmp_path / "q.png").read_bytes()[:4] == b"\x89PNG"


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
    # the proof presented under a later checkpoint (another root): refused
    later = _stapled(client, issue()["id"])["proof"]
    moved = dict(proof, checkpoint=later["checkpoint"], tree_size=later["tree_size"],
                 body_proof=dict(proof["body_proof"], checkpoint=later["checkpoint"], tree_size=later["tree_size"]))
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(moved, log_keys=[key])
    assert caught.value.code in ("statemap.proof_failed", "offline.inclusion_failed", "statemap.latest_mismatch")
    # a body proof from another checkpoint than the certificate's: refused
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(dict(proof, body_proof=later["body_proof"]), log_keys=[key])
    assert caught.value.code == "statemap.body_other_checkpoint"
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


def test_the_verdict_from_events_follows_the_dates_they_prove():
    from certbridge.ledger.status_verdict import checkpoint_day, effective_verdict, fold_body

    cert = {"status": "valid", "status_changed_on": "2025-03-01", "issued_on": "2025-03-01",
            "expires_on": "2028-03-01", "suspended_until": None}
    body = fold_body([{"at": "2020-01-01T00:00:00Z", "data": {"state": {"status": "approved",
                                                                       "approved_on": "2020-01-01"}}}])
    assert effective_verdict(cert, body, date(2026, 12, 5)).valid
    assert effective_verdict(cert, body, date(2028, 3, 2)).status == "expired"
    assert not effective_verdict(cert, body, date(2025, 2, 28)).valid  # not yet in force
    suspended = dict(cert, status="suspended", status_changed_on="2026-06-01", suspended_until="2026-09-01")
    assert effective_verdict(suspended, body, date(2026, 8, 1)).status == "suspended"
    assert effective_verdict(suspended, body, date(2026, 9, 2)).status == "withdrawn"  # the suspension ran out
    revoked = fold_body([{"at": "2020-01-01T00:00:00Z", "data": {"state": {"status": "approved"}}},
                         {"at": "2026-11-30T02:00:00Z", "data": {"state": {"status": "revoked"}, "on": "2026-11-30"}}])
    assert revoked["status"] == "revoked" and revoked["status_changed_on"] == "2026-11-30"
    assert not effective_verdict(cert, revoked, date(2026, 12, 5)).valid  # grace not proven: never shown valid
    midnight = 1796400000  # 2026-12-05 00:00 in China, 2026-12-04 16:00 UTC
    assert checkpoint_day(midnight - 1) == date(2026, 12, 4)
    assert checkpoint_day(midnight + 3600 * 3) == date(2026, 12, 5)  # 19:00 UTC on the 4th is the 5th in China
