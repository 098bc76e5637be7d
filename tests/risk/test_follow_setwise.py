"""Risk follows a bulk import set-wise: the batch's certificates are counted again in a few statements per 500
(`state.refresh_certificates`) and store exactly what counting them one by one (`refresh_certificate`) stores."""

from __future__ import annotations

from sqlalchemy import select, text

from certbridge.db import read_session, write_session
from certbridge.risk.compute import follow_log, recompute_all
from certbridge.risk.models import RiskAudit, RiskCertificate, RiskCount, RiskTally
from certbridge.risk.state import refresh_certificate, refresh_certificates
from tests.risk.conftest import TODAY, risk_snapshot

A1, A2 = "2021-N1QMS-1000001", "2022-N1QMS-1000002"


def _state(db) -> tuple:
    return (sorted((r.certificate_id, r.body_id, r.organization_id, r.valid, r.suspended_on, r.first_issued_on)
                   for r in db.scalars(select(RiskCertificate))),
            sorted((r.audit_id, r.certificate_id, r.body_id, r.short_on) for r in db.scalars(select(RiskAudit))),
            sorted((r.subject_type, r.subject_id, r.measure, r.n) for r in db.scalars(select(RiskCount))),
            sorted((r.subject_type, r.subject_id, r.measure, r.day, r.n) for r in db.scalars(select(RiskTally))))


def _counted(state: tuple) -> tuple:
    """The state without the count rows at zero (the follower keeps them; a rebuild makes none)."""
    return state[0], state[1], [r for r in state[2] if r[-1]], [r for r in state[3] if r[-1]]


def _certificates(sessions, world, issue, *, lose_state: bool = True) -> list[int]:
    ids = [issue(f"00126Q2520{i}R0M/4500", org="org1" if i % 2 else "org2", auditors=(A1, A2) if i % 3 else (A1,),
                 start="2025-02-20", end="2025-02-20" if i % 2 else "2025-02-24", issued_on=f"2025-03-0{1 + i % 5}")
           for i in range(7)]
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
        # The register moves on without the risk state (what the follower then counts again): a suspension, a
        # withdrawal, a certificate moved to the other body and holder, an audit made short, and (`lose_state`)
        # one whose stored state was never made.
        db.execute(text("UPDATE certificate SET status = 'suspended', status_changed_on = '2025-03-08' WHERE id = :i"),
                   {"i": ids[0]})
        db.execute(text("UPDATE certificate SET status = 'withdrawn', status_changed_on = '2025-03-09' WHERE id = :i"),
                   {"i": ids[1]})
        db.execute(text("UPDATE certificate SET body_id = :b, organization_id = :o WHERE id = :i"),
                   {"b": world.ids["body_b"], "o": world.ids["org1"], "i": ids[2]})
        db.execute(text("UPDATE audit SET end_on = start_on WHERE certificate_id = :i"), {"i": ids[3]})
        if lose_state:
            db.execute(text("DELETE FROM risk_audit WHERE certificate_id = :i"), {"i": ids[4]})
            db.execute(text("DELETE FROM risk_certificate WHERE certificate_id = :i"), {"i": ids[4]})
    return ids


def test_refreshing_certificates_set_wise_stores_what_one_by_one_stores(sessions, world, issue):
    ids = _certificates(sessions, world, issue)
    asked = [*ids, ids[0], 999_999]  # a repeated certificate and one that is not there
    with write_session(sessions) as db:
        one_by_one = {i: refresh_certificate(db, i) for i in dict.fromkeys(asked)}
        expected = _state(db)
        db.rollback()
    with write_session(sessions) as db:
        before = _state(db)
        set_wise = refresh_certificates(db, asked)
        assert _state(db) == expected != before
        assert set_wise == one_by_one
        assert set_wise[ids[2]] == {("body", world.ids["body_a"]), ("organization", world.ids["org2"])} - {
            ("organization", world.ids["org1"])}


def test_folding_a_batch_of_certificates_at_once_agrees_with_a_full_recompute(sessions, world, issue):
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
    # recomputes, then changes the register behind the risk state
    _certificates(sessions, world, issue, lose_state=False)
    with write_session(sessions) as db:
        db.execute(text("UPDATE risk_cursor SET last_seq = 0"))  # fold the whole log again, in one batch
        follow_log(db, today=TODAY)
    folded = risk_snapshot(sessions)
    with read_session(sessions) as db:
        folded_state = _counted(_state(db))
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
    with read_session(sessions) as db:
        assert _counted(_state(db)) == folded_state
    assert risk_snapshot(sessions) == folded
