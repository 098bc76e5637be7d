"""Bulk issue (`certificates.bulk.issue_drafts`): same rules and same events as issuing one by one."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from sqlalchemy import select

from certbridge.certificates.bulk import issue_drafts
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.snapshots import certificate_state
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.ledger.journal import LedgerEvent, log_size
from certbridge.kit.uscc import generate_uscc
from certbridge.principal import SYSTEM
from certbridge.registry.models import Organization
from certbridge.registry.snapshots import organization_state
from tests.world import certificate_payload


def _drafts(world, count: int, **overrides) -> list[CertificateIn]:
    rng = random.Random(5)
    out = []
    for i in range(count):
        payload = certificate_payload(world, number=f"00126Q26{i:03d}R0M", **overrides)
        payload["holder"] = {"name": f"北海市批量{i}号有限公司", "uscc": generate_uscc(rng, region="450502")}
        out.append(CertificateIn.model_validate(payload))
    out.append(CertificateIn.model_validate(certificate_payload(world, number="00126Q26999R0M")))  # existing holder
    return out


def test_drafts_are_issued_with_events_that_replay_to_the_rows(sessions, world):
    with write_session(sessions) as session:
        before = log_size(session)
        assert issue_drafts(session, principal=SYSTEM, body_id=world.ids["body_a"], drafts=_drafts(world, 3),
                            today=date(2025, 6, 1)) == 4
    with write_session(sessions) as session:
        assert log_size(session) == before + 3 + 4  # three new holders, four certificates
        certs = list(session.scalars(select(Certificate).where(Certificate.number.like("00126Q26%"))))
        assert len(certs) == 4 and {c.organization_id for c in certs} >= {world.ids["org1"]}
        for subject in certs + list(session.scalars(select(Organization).where(Organization.name.like("%批量%")))):
            kind = "certificate" if isinstance(subject, Certificate) else "organization"
            state = {}
            for event in session.scalars(select(LedgerEvent).where(LedgerEvent.subject_type == kind,
                                                                   LedgerEvent.subject_id == str(subject.id))):
                state.update(event.data["state"])
            expected = certificate_state(subject) if kind == "certificate" else organization_state(subject)
            assert state == json.loads(json.dumps(expected))
        assert certs[0].audits[0].auditors[0].registration_number == "2021-N1QMS-1000001"


@pytest.mark.parametrize(("overrides", "code"), [
    ({"auditors": ("2020-N1QMS-1000003",)}, "auditor.barred"),
    ({"auditors": ("2019-N1QMS-2000001",)}, "auditor.other_body"),
    ({"auditors": ("2021-N1QMS-1000001", "2021-N1QMS-1000001")}, "audit.duplicate_auditor"),
    ({"auditors": ("2021-N1QMS-1000001", "2020-N1QMS-1000003", "2020-N1QMS-1000003")}, "auditor.barred"),
    ({"scheme": "ISMS", "standard_code": None}, "body.field_not_approved"),
    ({"issued_on": "2031-01-01"}, "certificate.issued_in_future"),
])
def test_a_refused_draft_writes_nothing(sessions, world, overrides, code):
    with write_session(sessions) as session:
        before = log_size(session)
        with pytest.raises(DomainError) as refused:
            issue_drafts(session, principal=SYSTEM, body_id=world.ids["body_a"], drafts=_drafts(world, 2, **overrides),
                         today=date(2025, 6, 1))
        assert refused.value.code == code
        session.rollback()
    with write_session(sessions) as session:
        assert log_size(session) == before
        assert session.scalar(select(Certificate.id).where(Certificate.number.like("00126Q26%"))) is None


def test_another_bodys_operator_cannot_bulk_issue(sessions, world):
    from certbridge.auth.service import authenticate_api_key
    from certbridge.errors import Forbidden

    with write_session(sessions) as session:
        operator_b = authenticate_api_key(session, world.tokens["cb_b"])
        with pytest.raises(Forbidden):
            issue_drafts(session, principal=operator_b, body_id=world.ids["body_a"], drafts=_drafts(world, 1),
                         today=date(2025, 6, 1))
