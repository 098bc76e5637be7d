"""The audit trail: every write and sign-in, who and from where, the ledger range it made — never a secret."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from certbridge.audit.models import AuditRecord
from tests.security.test_limits_and_headers import anonymous_csrf
from tests.world import PASSWORD

UA = "Mozilla/5.0 (audit-test)"


@pytest.fixture
def from_ip(app):
    """Return a client that connects from a known address with a known user agent."""
    with TestClient(app, client=("203.0.113.5", 51000)) as c:
        c.headers["user-agent"] = UA
        yield c


def _records(sessions) -> list[AuditRecord]:
    with sessions() as s:
        return list(s.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def test_a_write_is_audited_with_who_where_and_its_ledger_range(from_ip, world, seeded, sessions):
    r = from_ip.post(f"/api/v1/certificates/{seeded['cert_a']}/withdraw", headers=world.auth("cb_a"),
                     json={"reason": "持证组织严重违规", "cause": "holder"})
    assert r.status_code == 200
    (rec,) = _records(sessions)
    assert (rec.action, rec.outcome, rec.method) == ("write", "success", "POST")
    assert rec.route == "/api/v1/certificates/{certificate_id}/withdraw"
    assert rec.actor.startswith(f"user:{world.ids['user_cb_a']}:cb_a/key:")
    assert (rec.client_ip, rec.user_agent, rec.role) == ("203.0.113.5", UA, "cb_operator")
    with sessions() as s:
        # credit's class changes and risk's signals follow right after, each in its own transaction (credit.follow,
        # risk.follow): not the write's
        seqs = list(s.scalars(text("SELECT seq FROM ledger_event WHERE actor = :a AND type NOT LIKE 'credit.%' "
                                   "AND type NOT LIKE 'risk.%' ORDER BY seq"), {"a": rec.actor}))
    # the withdrawal and the re-application block it imposes: two events, one request
    assert (rec.seq_first, rec.seq_last) == (seqs[0], seqs[-1]) and len(seqs) == 2


def test_refused_and_invalid_writes_are_audited_too(from_ip, world, seeded, sessions):
    assert from_ip.post(f"/api/v1/certificates/{seeded['cert_a']}/suspend", headers=world.auth("cb_b"),
                        json={"reason": "越权"}).status_code == 403
    assert from_ip.post(f"/api/v1/certificates/{seeded['cert_a']}/suspend", headers=world.auth("cb_a"),
                        json={"reason": ""}).status_code == 422
    assert from_ip.post(f"/api/v1/certificates/{seeded['cert_a']}/suspend", json={"reason": "x"}).status_code == 401
    bad_key = "cbk_0123456789ab_not-the-real-secret"
    assert from_ip.post(f"/api/v1/certificates/{seeded['cert_a']}/suspend", json={"reason": "x"},
                        headers={"Authorization": f"Bearer {bad_key}"}).status_code == 401
    denied, invalid, anonymous, guessed = _records(sessions)
    assert (denied.outcome, denied.status, denied.actor.split("/")[0]) == (
        "denied", 403, f"user:{world.ids['user_cb_b']}:cb_b")
    assert (invalid.outcome, invalid.status) == ("invalid", 422)
    assert (anonymous.outcome, anonymous.actor) == ("unauthenticated", "anonymous")
    assert guessed.key_id == "0123456789ab" and "not-the-real-secret" not in guessed.actor
    assert all(r.seq_first is None for r in (denied, invalid, anonymous, guessed))


def test_sign_in_and_sign_out_are_audited_whatever_the_outcome(from_ip, world, sessions):
    token = anonymous_csrf(from_ip)
    failed = from_ip.post("/login", data={"username": "cb_a", "password": "not-my-password", "csrf_token": token},
                          follow_redirects=False)
    assert failed.status_code == 401
    ok = from_ip.post("/login", data={"username": "cb_a", "password": PASSWORD, "csrf_token": token},
                      follow_redirects=False)
    assert ok.status_code == 303
    page = from_ip.get("/")
    out_token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0] if 'name="csrf_token" value="' \
        in page.text else None
    from_ip.post("/logout", data={"csrf_token": out_token or ""}, follow_redirects=False)
    records = [r for r in _records(sessions) if r.action in ("login", "logout")]
    assert [(r.action, r.outcome) for r in records][:2] == [("login", "failed"), ("login", "success")]
    assert records[0].actor == "anonymous"  # never the typed name of a failed attempt
    assert records[1].actor == f"user:{world.ids['user_cb_a']}:cb_a"
    assert all((r.client_ip, r.user_agent) == ("203.0.113.5", UA) for r in records)
    assert records[-1].action == "logout"


def test_regulators_query_the_trail_by_actor_time_and_cursor(client, world, seeded, sessions):
    for reason in ("一", "二", "三"):
        cid = seeded["cert_a"]
        client.post(f"/api/v1/certificates/{cid}/suspend", headers=world.auth("cb_a"), json={"reason": reason})
        client.post(f"/api/v1/certificates/{cid}/restore", headers=world.auth("cb_a"), json={"reason": reason})
    client.post(f"/api/v1/certificates/{seeded['cert_b']}/suspend", headers=world.auth("cb_b"), json={"reason": "b"})
    actor = f"user:{world.ids['user_cb_a']}:cb_a"
    first = client.get("/api/v1/audit", params={"actor": actor, "limit": 4}, headers=world.auth("regulator"))
    assert first.status_code == 200
    page = first.json()
    assert len(page["items"]) == 4 and all(i["actor"].startswith(actor) for i in page["items"])
    rest = client.get("/api/v1/audit", params={"actor": actor, "cursor": page["next_cursor"]},
                      headers=world.auth("regulator")).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    future = (datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat()
    assert client.get("/api/v1/audit", params={"since": future}, headers=world.auth("regulator")).json()["items"] == []
    naive_past = (datetime.now(timezone.utc) - timedelta(minutes=5)).replace(tzinfo=None).isoformat()
    assert len(client.get("/api/v1/audit", params={"since": naive_past}, headers=world.auth("admin")).json()["items"]) == 7
    assert client.get("/api/v1/audit", headers=world.auth("cb_a")).status_code == 403
    assert client.get("/api/v1/audit", headers=world.auth("org")).status_code == 403
    assert client.get("/api/v1/audit").status_code == 401
    bad = client.get("/api/v1/audit", params={"since": "yesterday"}, headers=world.auth("regulator"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "since"


def test_no_secret_ever_reaches_the_trail(from_ip, world, sessions):
    new_key = from_ip.post(f"/api/v1/users/{world.ids['user_cb_a']}/keys", headers=world.auth("cb_a"),
                           json={"name": "ci"}).json()["token"]
    from_ip.post("/api/v1/users", headers=world.auth("admin"),
                 json={"username": "new_reg", "display_name": "新", "role": "regulator",
                       "password": "Sup3r-secret-passw0rd"})
    csrf = anonymous_csrf(from_ip)
    from_ip.post("/login", data={"username": "Sup3r-secret-passw0rd", "password": "Sup3r-secret-passw0rd",
                                 "csrf_token": csrf}, follow_redirects=False)  # a password typed in the wrong box
    from_ip.post("/login", data={"username": "new_reg", "password": "Sup3r-secret-passw0rd", "csrf_token": csrf},
                 follow_redirects=False)
    from_ip.get("/api/v1/me", headers={"Authorization": f"Bearer {new_key}"})
    from_ip.post(f"/api/v1/keys/{new_key.split('_')[1]}/revoke", headers={"Authorization": f"Bearer {new_key}"})
    from_ip.post(f"/api/v1/certificates/1/suspend?token={new_key}", headers={"X-API-Key": new_key},
                 json={"reason": "x"})
    secrets = [new_key, new_key.split("_", 2)[2], "Sup3r-secret-passw0rd", PASSWORD, *world.tokens.values()]
    with sessions() as s:
        rows = [" ".join(str(v) for v in row) for row in s.execute(text("SELECT * FROM audit_record"))]
    assert len(rows) >= 5
    dump = "\n".join(rows)
    assert not [x[:10] for x in secrets if x in dump]
    trail = from_ip.get("/api/v1/audit", params={"limit": 200}, headers=world.auth("admin")).text
    assert not [x[:10] for x in secrets if x in trail]
