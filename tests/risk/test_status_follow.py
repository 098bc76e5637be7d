"""A certificate's status changes are followed with only the signals that read statuses, and still agree with a
full recompute after a random history."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import StatusChangeIn
from certbridge.certificates.workflow import restore_certificate, suspend_certificate, withdraw_certificate
from certbridge.db import write_session
from certbridge.principal import SYSTEM
from certbridge.risk.compute import follow_log, recompute_all
from tests.risk.conftest import TODAY, risk_snapshot


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
