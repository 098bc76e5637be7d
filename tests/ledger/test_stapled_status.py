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
    assert answer["text"].startswith("CBS2:") and answer["bytes"] <= 2048
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
    # the issue event needs no inclusion proof: the suspension names it by index and leaf hash
    assert len(proof["events"]) == 2 and proof["inclusion_proofs"] == [[], []]
    # dropped tail: only the issue event, whose state says "valid"
    dropped = dict(proof, events=proof["events"][:1], inclusion_proofs=[[]])
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(dropped, log_keys=[key])
    assert caught.value.code == "statemap.stapled_not_latest"
    # the latest event's state edited back to valid: its hash no longer matches the map
    edited = dict(proof, events=[proof["events"][0], proof["events"][1].replace('"suspended"', '"valid"')])
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(edited, log_keys=[key])
    assert caught.value.code == "statemap.stapled_not_latest"
    # the issue event edited (an expiry moved on): the suspension's prev_hash no longer names it
    moved_expiry = dict(proof, events=[proof["events"][0].replace('"expires_on":"', '"expires_on":"9'),
                                       proof["events"][1]])
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(moved_expiry, log_keys=[key])
    assert caught.value.code in ("offline.inclusion_failed", "statemap.chain_broken")
    # the issue event left out, the suspension alone: it settles neither the dates nor the body
    alone = dict(proof, events=proof["events"][1:], inclusion_proofs=[[]])
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(alone, log_keys=[key])
    assert caught.value.code == "statemap.stapled_incomplete"
    # the proof presented under a later checkpoint (another root): refused
    later = _stapled(client, issue()["id"])["proof"]
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(dict(proof, checkpoint=later["checkpoint"]), log_keys=[key])
    assert caught.value.code == "statemap.stapled_not_latest"
    # the body's half of the map did not change since (bodies have their own half): its part is the same bytes
    assert later["body_proof"] == proof["body_proof"]
    # the body's part left out: no effective status can be derived
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(dict(proof, body_proof=None), log_keys=[key])
    assert caught.value.code == "statemap.body_missing"


def test_a_revoked_body_makes_its_certificate_not_valid_and_carries_only_the_revocation(client, world, issue, cli,
                                                                                       tmp_path):
    cert = issue()
    key = published_keys(client, "log")[0]
    before = _stapled(client, cert["id"])["proof"]
    assert stapled.check_stapled(before, log_keys=[key])["valid"]
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/status", headers=world.auth("regulator"),
                    json={"status": "revoked", "reason": "不再符合审批条件"})
    assert r.status_code == 200, r.text
    answer = _stapled(client, cert["id"])
    proof = answer["proof"]
    assert [json_type(e) for e in proof["body_proof"]["events"]] == ["body.revoked"]  # it settles the verdict
    result = stapled.check_stapled(proof, log_keys=[key])
    assert result["valid"] is False
    path = tmp_path / "stapled.txt"
    path.write_text(answer["text"])
    out = cli("verify-status", "--stapled", path, "--key", key)
    assert out.exit_code == 1 and "Not valid" in out.output
    # the body's part from before the revocation, under the new checkpoint: refused, never "valid"
    with pytest.raises(OfflineCheckError) as caught:
        stapled.check_stapled(dict(proof, body_proof=before["body_proof"]), log_keys=[key])
    assert caught.value.code == "statemap.stapled_not_latest"


def json_type(body: str) -> str:
    return json.loads(body)["type"]


def test_an_old_cbs1_proof_still_checks_and_a_cut_cbs2_text_is_refused(client, issue, app):
    from certbridge.db import read_session
    from certbridge.ledger.status_proofs import status_bundle

    cert = issue()
    answer = _stapled(client, cert["id"])
    key = published_keys(client, "log")[0]
    with read_session(app.state.sessions) as session:
        bundle = status_bundle(session, answer["name"])

    def v1(b):  # the form v1 made: every field of a status bundle, the latest event's inclusion proof left out
        out = {k: v for k, v in b.items() if k not in ("log_keys", "body_proof")}
        out["inclusion_proofs"] = [*out["inclusion_proofs"][:-1], []]
        return out

    old = {**v1(bundle), "format": stapled.FORMAT_V1, "valid_days": 7, "body_proof": v1(bundle["body_proof"])}
    text = stapled.encode(old)
    assert text.startswith("CBS1:")
    assert stapled.check_stapled(stapled.decode(text), log_keys=[key])["valid"]
    with pytest.raises(OfflineCheckError) as caught:
        stapled.decode(answer["text"][:-9])
    assert caught.value.code == "statemap.stapled_form"


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
        stapled.decode("CBS2:%%%")
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
