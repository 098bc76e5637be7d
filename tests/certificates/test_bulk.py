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


def test_bulk_events_name_their_subjects_previous_event_like_every_other_event(sessions, world):
    from certbridge.certificates.bulk import load_rules, next_positions, prepare_batch, write_batch
    from certbridge.certificates.bulk import AuditSpec, CertificateSpec, StatusStep
    from datetime import datetime, timezone

    with write_session(sessions) as session:
        start = next_positions(session)
        rules = load_rules(session, organization_ids={world.ids["org1"]})
        spec = CertificateSpec(
            number="00126Q26401R0M", body_id=world.ids["body_a"], organization=-world.ids["org1"], scheme_code="QMS",
            standard_id=None, issued_on=date(2025, 3, 1), expires_on=date(2028, 2, 28), holder_name="北海市海城区示例电子有限公司",
            holder_address=None, region_code="450502", scope="电子元器件的设计和生产",
            audits=[AuditSpec("initial", "FS01", date(2025, 2, 20), date(2025, 2, 22),
                              [(world.ids["a1"], "2021-N1QMS-1000001", "leader")])],
            steps=[StatusStep("suspended", date(2025, 5, 1), "监督审核未按期实施", until=date(2025, 11, 1)),
                   StatusStep("valid", date(2025, 6, 1), "整改完成")])
        batch = prepare_batch([], [spec], rules=rules, start=start, actor=SYSTEM.actor,
                              at=datetime.now(timezone.utc), dialect=session.get_bind().dialect.name,
                              today=date(2025, 6, 2))
        write_batch(session, principal=SYSTEM, batch=batch)
    with write_session(sessions) as session:
        cert = session.scalar(select(Certificate).where(Certificate.number == "00126Q26401R0M"))
        bodies = [json.loads(e.body) for e in session.scalars(select(LedgerEvent).where(
            LedgerEvent.subject_type == "certificate", LedgerEvent.subject_id == str(cert.id)).order_by(LedgerEvent.seq))]
        assert [b["prev"] for b in bodies] == [None] + [b["seq"] for b in bodies[:-1]]


def test_bulk_import_refuses_to_write_over_a_hole_in_the_log(sessions, world):
    from sqlalchemy import text

    with write_session(sessions) as session:
        last = log_size(session) - 1
        session.execute(text("DELETE FROM ledger_event WHERE seq = :s"), {"s": last})
    with write_session(sessions) as session:
        with pytest.raises(DomainError) as refused:
            issue_drafts(session, principal=SYSTEM, body_id=world.ids["body_a"], drafts=_drafts(world, 2),
                         today=date(2025, 6, 1))
        assert refused.value.code == "ledger.append_over_hole"


def test_a_batch_is_refused_when_its_number_or_new_holder_was_taken_since_it_was_checked(sessions, world):
    """The write step's probes (`bulk._check_unique_in_database`) name the number or the USCC taken meanwhile."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    from certbridge.certificates import bulk

    with write_session(sessions) as session:  # 00126Q26000R0M, for a new holder
        issue_drafts(session, principal=SYSTEM, body_id=world.ids["body_a"], drafts=_drafts(world, 1)[:1],
                     today=date(2025, 6, 1))
        taken = session.scalar(select(Organization.uscc).where(Organization.name == "北海市批量0号有限公司"))
    with write_session(sessions) as session:  # the number of the batch's first draft, taken after the check
        with pytest.raises(DomainError) as refused:
            drafts = _drafts(world, 3)[1:]
            original = bulk.prepare_batch

            def taken_meanwhile(*args, **kwargs):
                session.execute(text("UPDATE certificate SET number = '00126Q26001R0M' "
                                     "WHERE number = '00126Q26000R0M'"))
                return original(*args, **kwargs)

            bulk.prepare_batch = taken_meanwhile
            try:
                issue_drafts(session, principal=SYSTEM, body_id=world.ids["body_a"], drafts=drafts,
                             today=date(2025, 6, 1))
            finally:
                bulk.prepare_batch = original
        assert (refused.value.code, refused.value.params["number"]) == ("certificate.number_taken", "00126Q26001R0M")
        session.rollback()
    with write_session(sessions) as session:  # a new holder prepared against a registry that did not have it yet
        spec = bulk.OrganizationSpec(uscc=taken, name="北海市批量0号有限公司", address=None, region_code=None)
        batch = bulk.prepare_batch([spec], [], rules=bulk.load_rules(session), start=bulk.next_positions(session),
                                   actor=SYSTEM.actor, at=datetime.now(timezone.utc),
                                   dialect=session.get_bind().dialect.name, today=date(2025, 6, 1))
        with pytest.raises(DomainError) as refused:
            bulk.write_batch(session, principal=SYSTEM, batch=batch)
        assert (refused.value.code, refused.value.params["uscc"]) == ("organization.uscc_taken", taken)
        session.rollback()
