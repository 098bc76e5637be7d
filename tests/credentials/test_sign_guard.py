"""The server never signs, nor says valid, beyond what its log proves (issue #15).

A certificate row inserted straight into the database, or edited behind the services' back, gets no token,
no receipt, and no "valid" from the online token check: before signing, the server folds the certificate's
own events and compares them with the row.
"""

from __future__ import annotations

from sqlalchemy import text

from certbridge.certificates.models import Certificate
from certbridge.credentials.service import token_payload
from certbridge.credentials.tokens import sign_token
from certbridge.db import read_session, write_session
from certbridge.ledger.keys import credential_signer


def _sql(sessions, statement: str, **params) -> None:
    with write_session(sessions) as session:
        session.execute(text(statement), params)


def _check(client, token: str, lang: str = "en") -> dict:
    r = client.get("/api/v1/tokens/verify", params={"token": token}, headers={"Accept-Language": lang})
    assert r.status_code == 200, r.text
    return r.json()


def _old_token(sessions, settings, cert_id: int) -> str:
    """A token as the server signed it before it checked the log (what an attacker may already hold)."""
    signer = credential_signer(settings)
    with read_session(sessions) as db:
        cert = db.get(Certificate, cert_id)
        payload = token_payload(db, cert, issuer=settings.instance_name, key_id=f"{signer.key_id:08x}")
    return sign_token(payload, signer)


def _insert_copy(sessions, source_id: int, number: str) -> int:
    columns = ("body_id", "organization_id", "scheme_code", "standard_id", "status", "status_reason",
               "status_changed_on", "suspended_until", "issued_on", "expires_on", "cycle", "previous_id",
               "holder_name", "holder_address", "region_code", "scope", "scope_en", "product",
               "certification_mode", "last_surveillance_on", "version", "created_at", "updated_at")
    _sql(sessions, f"INSERT INTO certificate (number, {', '.join(columns)}) "
                   f"SELECT :number, {', '.join(columns)} FROM certificate WHERE id = :id", number=number, id=source_id)
    with read_session(sessions) as db:
        return db.scalar(text("SELECT id FROM certificate WHERE number = :n"), {"n": number})


def test_a_row_inserted_straight_into_the_database_gets_no_token_and_never_verifies(client, issue, sessions,
                                                                                      settings):
    source = issue()
    forged = _insert_copy(sessions, source["id"], "00126Q26999R0M/4500")
    for path in ("token", "qr.svg", "qr.png", "receipt.json"):
        r = client.get(f"/api/v1/certificates/{forged}/{path}", headers={"Accept-Language": "en"})
        assert r.status_code == 503, (path, r.status_code)
        assert "no issue event" in r.json()["detail"], r.json()
    # A token signed for it before the server checked its log is authentic, but never "valid".
    check = _check(client, _old_token(sessions, settings, forged))
    assert check["authentic"] is True and check["valid_now"] is False
    assert check["reason"] == "token.not_in_log"
    assert "no issue event" in check["message"]
    zh = _check(client, _old_token(sessions, settings, forged), lang="zh")
    assert "证书真实有效" not in zh["message"] and "追溯日志" in zh["message"]
    # The genuine certificate it was copied from still gets its token.
    assert client.get(f"/api/v1/certificates/{source['id']}/token").status_code == 200


def test_a_row_edited_from_suspended_back_to_valid_gets_no_signed_receipt(client, issue, act, sessions, settings):
    cert = issue()
    token = client.get(f"/api/v1/certificates/{cert['id']}/token").json()["token"]
    act(cert["id"], "suspend")
    _sql(sessions, "UPDATE certificate SET status = 'valid', status_reason = NULL, suspended_until = NULL "
                   "WHERE id = :id", id=cert["id"])
    r = client.get(f"/api/v1/certificates/{cert['id']}/receipt.json", headers={"Accept-Language": "en"})
    assert r.status_code == 503, r.text
    assert "status" in r.json()["detail"] and "differs from its log" in r.json()["detail"]
    assert client.get(f"/api/v1/certificates/{cert['id']}/receipt.pdf").status_code == 503
    assert client.get(f"/api/v1/certificates/{cert['id']}/token").status_code == 503
    check = _check(client, token)
    assert check["authentic"] is True and check["valid_now"] is False
    assert check["reason"] == "token.log_differs" and "status" in check["changed_fields"]
    # The page still renders, without a QR code it cannot sign.
    page = client.get(f"/certificates/{cert['id']}")
    assert page.status_code == 200 and 'class="qr"' not in page.text


def test_a_certificate_written_through_the_services_is_signed_as_before(client, issue, act):
    cert = issue()
    act(cert["id"], "suspend")
    act(cert["id"], "restore")
    assert client.get(f"/api/v1/certificates/{cert['id']}/receipt.json").status_code == 200
    token = client.get(f"/api/v1/certificates/{cert['id']}/token").json()["token"]
    assert _check(client, token)["valid_now"] is True
