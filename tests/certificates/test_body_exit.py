"""A body's approval is revoked (here with permanent exit): its certificates may move to another body."""

from __future__ import annotations

from datetime import date

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
