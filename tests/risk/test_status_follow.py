"""A certificate's status changes are followed with only the signals that read statuses, and still agree with a
full recompute after a random history; the risk state each event keeps (risk/state.py) agrees with the one a full
recompute rebuilds."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import StatusChangeIn
from certbridge.certificates.workflow import restore_certificate, suspend_certificate, withdraw_certificate
from certbridge.complaints.filing import file_complaint
from certbridge.db import read_session, write_session
from certbridge.principal import ANONYMOUS, SYSTEM
from certbridge.risk.compute import follow_log, recompute_all, recompute_in_chunks
from certbridge.risk.models import RiskAudit, RiskCertificate, RiskCount, RiskTally
from tests.risk.conftest import TODAY, risk_snapshot

A1, A2 = "2021-N1QMS-1000001", "2022-N1QMS-1000002"


def test_status_changes_followed_one_by_one_agree_with_a_full_recompute(sessions, world, issue):
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
    ids = [issue(f"00126Q2520{i}R0M/4500", org=("org1", "org2")[i % 2], auditors=("2021-N1QMS-1000001",
                                                                                    "2022-N1QMS-1000002"))
           for i in range(6)]
    with write_session(sessions) as db:
        follow_log(db, today=TODAY)
    rng = random.Random(1207)
    for step in range(12):
        with write_session(sessions) as db:
            certs = {c.id: c for c in db.scalars(select(Certificate).where(Certificate.id.in_(ids)))}
            valid = [i for i in ids if certs[i].status == "valid"]
            suspended = [i for i in ids if certs[i].status == "suspended"]
            action = rng.choice(["suspend"] * 2 + (["restore", "withdraw"] if suspended else []))
            act = {"principal": SYSTEM, "today": TODAY}
            change = StatusChangeIn(reason="抽查", on=TODAY, until=TODAY + timedelta(days=30), cause="other")
            if action == "suspend" and valid:
                suspend_certificate(db, certificate_id=rng.choice(valid), change=change, **act)
            elif action == "restore":
                restore_certificate(db, certificate_id=rng.choice(suspended), change=change, **act)
            elif suspended:
                withdraw_certificate(db, certificate_id=rng.choice(suspended), change=change, **act)
        with write_session(sessions) as db:
            counts = follow_log(db, today=TODAY)
        assert "person" not in counts, counts  # a status change leaves the auditors' signals alone
    incremental = risk_snapshot(sessions)
    assert any(s[2] == "suspensions" and s[0] == "body" and s[3] >= 3 for s in incremental[0])
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
    assert risk_snapshot(sessions) == incremental


def _state(sessions) -> tuple:
    """The risk state the events keep (risk/state.py), zero counts left out."""
    with read_session(sessions) as db:
        return (sorted(tuple(r) for r in db.execute(select(
                    RiskCertificate.certificate_id, RiskCertificate.body_id, RiskCertificate.organization_id,
                    RiskCertificate.valid, RiskCertificate.suspended_on, RiskCertificate.first_issued_on))),
                sorted(tuple(r) for r in db.execute(select(RiskAudit.audit_id, RiskAudit.body_id, RiskAudit.short_on))),
                sorted(tuple(r) for r in db.execute(select(RiskCount.subject_id, RiskCount.measure, RiskCount.n)
                                                    .where(RiskCount.n != 0))),
                sorted(tuple(r) for r in db.execute(select(RiskTally.subject_id, RiskTally.day, RiskTally.n)
                                                    .where(RiskTally.n != 0))))


@pytest.mark.parametrize("seed", [7, 1208])
def test_issues_and_status_changes_kept_in_the_risk_state_agree_with_a_full_recompute(sessions, world, issue, seed):
    """Each event moves the kept counts (valid certificates, first issues per day, short audits, suspensions);
    after a random history of issues with short and long audits (one or two auditors, often overlapping: double
    bookings) and status changes, the kept state and every signal, score and class are what a full recompute
    rebuilds from the register."""
    rng = random.Random(seed)
    with write_session(sessions) as db:
        item = file_complaint(db, principal=ANONYMOUS, subject_kind="body", subject_text="机构", kind="malpractice",
                              description="未到现场", anonymous=True, on=TODAY)
        db.flush()
        item.body_id = world.ids["body_a"]  # the complaint rate needs a complaint against the body
        recompute_all(db, today=TODAY)
    ids: list[int] = []
    act = {"principal": SYSTEM, "today": TODAY}
    start, org = TODAY, "org1"  # of the previous issue
    for step in range(14):
        with write_session(sessions) as db:
            certs = {c.id: c for c in db.scalars(select(Certificate).where(Certificate.id.in_(ids)))}
        valid = [i for i in ids if certs[i].status == "valid"]
        suspended = [i for i in ids if certs[i].status == "suspended"]
        action = rng.choice(["issue"] * 3 + (["suspend"] * 2 if valid else []) +
                            (["restore", "withdraw"] if suspended else []))
        # the first: a one-day initial audit, short of the two days; the second: the same auditor that day at the
        # other company (a double booking); then audits with one or two auditors, often overlapping
        action = "issue" if step < 2 else action
        change = StatusChangeIn(reason="抽查", on=TODAY, until=TODAY + timedelta(days=30), cause="other")
        if action == "issue":
            start = TODAY - timedelta(days=rng.randrange(8, 60)) if step != 1 else start
            org = rng.choice(("org1", "org2")) if step != 1 else {"org1": "org2", "org2": "org1"}[org]
            days = rng.choice((0, 1, 2)) if step else 0
            ids.append(issue(f"00126Q2530{seed % 10}{step:02d}R0M/4500", org=org, start=start.isoformat(),
                             end=(start + timedelta(days=days)).isoformat(),
                             issued_on=(start + timedelta(days=7)).isoformat(),
                             auditors=(A1,) if step < 2 else rng.choice(((A1,), (A1,), (A1, A2), (A2,)))))
        else:
            with write_session(sessions) as db:
                if action == "suspend":
                    suspend_certificate(db, certificate_id=rng.choice(valid), change=change, **act)
                elif action == "restore":
                    restore_certificate(db, certificate_id=rng.choice(suspended), change=change, **act)
                else:
                    withdraw_certificate(db, certificate_id=rng.choice(suspended), change=change, **act)
        with write_session(sessions) as db:
            follow_log(db, today=TODAY)
    incremental, kept = risk_snapshot(sessions), _state(sessions)
    signals = {s[2] for s in incremental[0] if s[0] == "body"}
    assert {"complaint_rate", "pace", "short_audits"} <= signals, signals
    signals = {s[2] for s in incremental[0] if s[0] == "person"}  # the auditors' set-wise signals, followed too
    assert {"auditor_load", "short_audits", "double_booked"} <= signals, signals
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
    assert _state(sessions) == kept
    assert risk_snapshot(sessions) == incremental
    # the daily job's recompute, a few subjects per transaction, gives the same
    assert recompute_in_chunks(sessions, today=TODAY, chunk=2)["body"] >= 1
    assert _state(sessions) == kept and risk_snapshot(sessions) == incremental
