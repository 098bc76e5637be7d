"""Fixtures of the risk and complaint tests: the page helpers of tests/web, and certificates with chosen audits."""

from __future__ import annotations

from datetime import date

import pytest

from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.service import issue_certificate
from sqlalchemy import select

from certbridge.db import read_session, write_session
from certbridge.principal import SYSTEM
from certbridge.risk.models import RiskScore, RiskSignal
from tests.web.conftest import make_certificate, signed_in  # noqa: F401  (fixtures shared with the page tests)
from tests.world import certificate_payload

TODAY = date(2025, 3, 10)  # every signal here is computed as of this day


def risk_snapshot(sessions) -> tuple[set, set]:
    """Every stored signal (with its evidence) and score, for comparing an incremental fold with a recompute."""
    with read_session(sessions) as db:
        signals = {(s.subject_type, s.subject_id, s.signal, s.value, s.triggered, repr(sorted(s.evidence.items())))
                   for s in db.scalars(select(RiskSignal))}
        scores = {(r.subject_type, r.subject_id, r.score, r.risk_class) for r in db.scalars(select(RiskScore))}
    return signals, scores


@pytest.fixture
def issue(sessions, world):
    """Issue a certificate of body A with one audit: dates, auditors' registration numbers, holder, kind."""

    def _issue(number: str, *, org: str = "org1", start: str = "2025-02-20", end: str = "2025-02-21",
               auditors=("2021-N1QMS-1000001",), kind: str = "initial", issued_on: str = "2025-03-01") -> int:
        payload = certificate_payload(world, number=number, org=org, issued_on=issued_on)
        payload["audits"] = [{"kind": kind, "method": "FS01", "start_on": start, "end_on": end,
                              "auditors": [{"registration_number": n, "role": "leader" if i == 0 else "member"}
                                           for i, n in enumerate(auditors)]}]
        draft = CertificateIn.model_validate(payload)
        with write_session(sessions) as db:
            return issue_certificate(db, principal=SYSTEM, body_id=world.ids["body_a"], draft=draft, today=TODAY).id

    return _issue
