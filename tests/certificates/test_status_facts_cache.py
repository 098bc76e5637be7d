"""Verify serves body, standard and scheme facts from memory: never stale across connections, never from a rollback."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from certbridge.certificates.verification import verify_number
from certbridge.db import make_engine, read_session, write_session


def _verify(client, number, **params):
    return client.get("/api/v1/verify", params={"number": number, **params}).json()


def _listed(client, number):
    return client.get("/api/v1/certificates", params={"q": number}).json()["items"][0]


def test_a_write_by_another_connection_is_seen_by_the_next_verify(client, world, issue, database_url):
    cert = issue()
    number = cert["number"]
    assert _verify(client, number)["reason"] == "valid"  # facts now held in memory
    assert _listed(client, number)["body"]["status"] == "approved"
    other = make_engine(database_url)  # another process's connection: plain SQL, no ORM, no app
    try:
        with other.begin() as conn:
            conn.execute(text("UPDATE certification_body SET status = 'revoked', status_changed_on = :on, "
                              "name = '改名后的认证机构' WHERE id = :id"),
                         {"on": date.today() - timedelta(days=2), "id": world.ids["body_a"]})
        for answer in (_verify(client, number), _verify(client, number, body="00126")):  # pooled and session paths
            view = answer["certificates"][0]
            assert view["body"]["status"] == "revoked" and view["body"]["name"] == "改名后的认证机构"
            assert answer["reason"] == "valid_with_warnings"  # within the grace period, with its reason
            assert "body_revoked" in [r["code"] for r in view["reasons"]]
        assert _listed(client, number)["body"]["status"] == "revoked"
        with other.begin() as conn:  # the grace months of the scheme shortened to nothing: the grace is over
            conn.execute(text("UPDATE scheme SET body_revoked_grace_months = 0 WHERE code = :code"),
                         {"code": cert["scheme"]})
        assert _verify(client, number)["outcome"] == "not_valid"
        with other.begin() as conn:  # the standard superseded with a deadline passed
            conn.execute(text("UPDATE certification_body SET status = 'approved' WHERE id = :id"),
                         {"id": world.ids["body_a"]})
            conn.execute(text("UPDATE standard SET transition_deadline = :on WHERE id = (SELECT standard_id FROM "
                              "certificate WHERE id = :cert)"), {"on": date.today() - timedelta(days=1),
                                                                 "cert": cert["id"]})
        lapsed = _verify(client, number)
        assert lapsed["outcome"] == "not_valid" and lapsed["certificates"][0]["status"] == "expired"
        assert "standard_transition_over" in [r["code"] for r in lapsed["certificates"][0]["reasons"]]
    finally:
        other.dispose()


def test_facts_seen_inside_a_rolled_back_transaction_are_never_served(client, app, world, issue):
    number = issue()["number"]
    sessions = app.state.sessions
    with sessions() as session:  # a writer revokes the body, verifies in its own transaction, then rolls back
        session.execute(text("UPDATE certification_body SET status = 'revoked', status_changed_on = :on "
                             "WHERE id = :id"), {"on": date.today(), "id": world.ids["body_a"]})
        inside = verify_number(session, number)
        assert inside.certificates[0]["body"]["status"] == "revoked"
        session.rollback()
    with read_session(sessions) as session:
        assert verify_number(session, number).certificates[0]["body"]["status"] == "approved"
    assert _verify(client, number)["reason"] == "valid"
    with write_session(sessions) as session:  # a later committed write gets a version of its own
        session.execute(text("UPDATE certification_body SET status = 'suspended', status_changed_on = :on "
                             "WHERE id = :id"), {"on": date.today(), "id": world.ids["body_a"]})
    assert _verify(client, number)["certificates"][0]["body"]["status"] == "suspended"
