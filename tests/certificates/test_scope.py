"""A body touches only its own certificates; anonymous and other roles are refused; nothing changes."""

from __future__ import annotations

import pytest

from tests.world import certificate_payload

WRITE_ACTIONS = ["suspend", "restore", "withdraw", "cancel", "expire"]


def _event_count(client, cert_id):
    return len(client.get(f"/api/v1/certificates/{cert_id}/history").json())


@pytest.mark.parametrize("role", ["cb_b", "lab", "inspector", "org"])
@pytest.mark.parametrize("action", WRITE_ACTIONS + ["scope", "renew", "audits"])
def test_other_roles_cannot_touch_body_a_certificates(client, world, issue, role, action):
    cert = issue()
    before = _event_count(client, cert["id"])
    bodies = {"scope": {"scope": "x", "reason": "y"}, "renew": {"number": "N-2", "issued_on": "2025-06-01"},
              "audits": {"kind": "special", "start_on": "2025-06-01", "end_on": "2025-06-01",
                         "auditors": [{"registration_number": "2021-N1QMS-1000001"}]}}
    r = client.post(f"/api/v1/certificates/{cert['id']}/{action}", headers=world.auth(role),
                    json=bodies.get(action, {"reason": "越权操作"}))
    assert r.status_code == 403, r.text
    after = client.get(f"/api/v1/certificates/{cert['id']}").json()
    assert after["status"] == "valid" and after["version"] == cert["version"]
    assert _event_count(client, cert["id"]) == before


@pytest.mark.parametrize("action", WRITE_ACTIONS)
def test_anonymous_writes_get_401(client, issue, action):
    cert = issue()
    r = client.post(f"/api/v1/certificates/{cert['id']}/{action}", json={"reason": "x"})
    assert r.status_code == 401 and r.json()["code"] == "auth.required"


def test_cannot_issue_for_another_body(client, world):
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_b"),
                    json=certificate_payload(world))
    assert r.status_code == 403 and r.json()["code"] == "auth.other_body"
    assert "本机构" in r.json()["detail"]


def test_regulator_may_act_for_any_body(client, world, issue):
    cert = issue()
    r = client.post(f"/api/v1/certificates/{cert['id']}/suspend", headers=world.auth("regulator"),
                    json={"reason": "监管部门责令暂停"})
    assert r.status_code == 200
    history = client.get(f"/api/v1/certificates/{cert['id']}/history").json()
    assert history[-1]["actor"].startswith(f"user:{world.ids['user_regulator']}:regulator")


def test_revoked_and_read_only_keys(client, world, issue):
    new = client.post(f"/api/v1/users/{world.ids['user_cb_a']}/keys", headers=world.auth("cb_a"),
                      json={"name": "只读", "read_only": True}).json()
    cert = issue()
    ro = client.post(f"/api/v1/certificates/{cert['id']}/suspend", headers={"Authorization": f"Bearer {new['token']}"},
                     json={"reason": "x"})
    assert ro.status_code == 403 and ro.json()["code"] == "auth.read_only_key"
    assert client.post(f"/api/v1/keys/{new['key_id']}/revoke", headers=world.auth("cb_a")).status_code == 200
    revoked = client.get("/api/v1/me", headers={"Authorization": f"Bearer {new['token']}"})
    assert revoked.status_code == 401 and revoked.json()["code"] == "auth.key_revoked"
    listed = client.get(f"/api/v1/users/{world.ids['user_cb_a']}/keys", headers=world.auth("cb_a")).json()
    assert all("token" not in k and "secret_hash" not in k for k in listed)
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer cbk_nope_nope"})
    assert bad.status_code == 401 and bad.json()["code"] == "auth.bad_key"
