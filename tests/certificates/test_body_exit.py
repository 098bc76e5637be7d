"""A body's approval is revoked (here with permanent exit): its certificates may move to another body."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from certbridge.certificates.workflow import sweep_due
from certbridge.db import read_session, write_session
from certbridge.kit.dates import add_months
from certbridge.registry.models import Restriction
from tests.world import certificate_payload

TODAY = date.today().isoformat()


def _cert_of_body_b(client, world):
    r = client.post(f"/api/v1/bodies/{world.ids['body_b']}/certificates", headers=world.auth("cb_b"),
                    json=certificate_payload(world, number="00213Q26001R0M", org="org2",
                                             auditors=("2019-N1QMS-2000001",)))
    assert r.status_code == 201, r.text
    return r.json()


def _revoke_body_b(client, world):
    r = client.post(f"/api/v1/credit/bodies/{world.ids['body_b']}/revoke", headers=world.auth("regulator"),
                    json={"reason": "出具虚假认证证书", "decision_number": "国认监罚〔2026〕3号", "permanent_exit": True})
    assert r.status_code == 200, r.text


def _transfer(client, world, cert_id, role="cb_a", body="body_a", number="00126Q26900R0M"):
    return client.post(f"/api/v1/bodies/{world.ids[body]}/transfers", headers=world.auth(role),
                       json={"certificate_id": cert_id, "number": number, "issued_on": TODAY,
                             "audits": [{"kind": "recertification", "method": "FS01", "start_on": TODAY,
                                         "end_on": TODAY, "auditors": [{"registration_number": "2021-N1QMS-1000001",
                                                                        "role": "leader"}]}]})


def test_certificate_of_an_exited_body_moves_to_another_body(client, world):
    old = _cert_of_body_b(client, world)
    refused = _transfer(client, world, old["id"])
    assert refused.status_code == 409 and refused.json()["code"] == "certificate.transfer_not_open"
    _revoke_body_b(client, world)

    moved = _transfer(client, world, old["id"])
    assert moved.status_code == 201, moved.text
    new = moved.json()
    assert new["number"] == "00126Q26900R0M" and new["status"] == "valid"
    assert new["expires_on"] == old["expires_on"]  # the same cycle, at another body
    before = client.get(f"/api/v1/certificates/{old['id']}").json()
    assert before["status"] == "cancelled" and before["status_reason"] == "transferred"
    history = client.get(f"/api/v1/certificates/{old['id']}/history").json()
    assert history[-1]["type"] == "certificate.cancelled"
    assert history[-1]["data"]["transferred_to_id"] == new["id"]
    again = _transfer(client, world, old["id"], number="00126Q26901R0M")
    assert again.status_code == 409 and again.json()["code"] == "certificate.transfer_not_open"


def test_transfer_goes_through_every_issue_rule(client, world):
    old = _cert_of_body_b(client, world)
    _revoke_body_b(client, world)
    # a barred auditor on the transfer review is refused exactly as on any issue
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/transfers", headers=world.auth("cb_a"),
                    json={"certificate_id": old["id"], "number": "00126Q26900R0M", "issued_on": TODAY,
                          "audits": [{"kind": "recertification", "method": "FS01", "start_on": TODAY, "end_on": TODAY,
                                      "auditors": [{"registration_number": "2020-N1QMS-1000003", "role": "leader"}]}]})
    assert r.status_code == 409 and r.json()["code"] == "auditor.barred"
    assert client.get(f"/api/v1/certificates/{old['id']}").json()["status"] == "valid"  # nothing half done
    other = _transfer(client, world, old["id"], role="cb_b", body="body_b")
    assert other.status_code == 409 and other.json()["code"] == "certificate.transfer_same_body"


def _revoke_body_b_on(client, world, on: date):
    r = client.post(f"/api/v1/credit/bodies/{world.ids['body_b']}/revoke", headers=world.auth("regulator"),
                    json={"reason": "出具虚假认证证书", "decision_number": "国认监罚〔2026〕4号", "on": on.isoformat()})
    assert r.status_code == 200, r.text


def test_transfer_is_refused_once_the_grace_period_is_over(client, world):
    old = _cert_of_body_b(client, world)
    revoked_on = add_months(date.today(), -3)  # the 3 months' last day was yesterday
    _revoke_body_b_on(client, world, revoked_on)
    refused = _transfer(client, world, old["id"])
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    last_day = (add_months(revoked_on, 3) - timedelta(days=1)).isoformat()
    assert problem["code"] == "certificate.transfer_grace_over"
    assert last_day in problem["detail"] and revoked_on.isoformat() in problem["detail"]
    assert client.get(f"/api/v1/certificates/{old['id']}").json()["status"] == "withdrawn"  # by its verdict


def test_transfer_on_the_last_day_of_the_grace_period_is_accepted(client, world):
    old = _cert_of_body_b(client, world)
    revoked_on = add_months(date.today(), -3) + timedelta(days=1)  # the grace period's last day is today
    _revoke_body_b_on(client, world, revoked_on)
    moved = _transfer(client, world, old["id"])
    assert moved.status_code == 201, moved.text


def test_a_certificate_withdrawn_at_the_end_of_the_grace_blocks_no_new_certification(client, world, sessions):
    old = _cert_of_body_b(client, world)
    _revoke_body_b_on(client, world, add_months(date.today(), -3))
    with write_session(sessions) as session:
        assert sweep_due(session, on=date.today())["withdrawn"] == 1
    assert client.get(f"/api/v1/certificates/{old['id']}").json()["status"] == "withdrawn"
    with read_session(sessions) as session:
        blocks = session.scalars(select(Restriction).where(
            Restriction.subject_type == "organization", Restriction.subject_id == old["holder"]["organization_id"],
            Restriction.kind == "reapplication_block")).all()
    assert blocks == []
    # the holder applies to another body the same day: a new certificate, no block
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                    json=certificate_payload(world, number="00126Q26950R0M", org="org2"))
    assert r.status_code == 201, r.text
