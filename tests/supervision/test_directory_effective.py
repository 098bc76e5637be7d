"""The object directory of 双随机 counts a certified organization by its certificates' effective status:
a certificate past its end date (its row not swept yet) or of a body whose grace period is over certifies nobody."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from certbridge.certificates.models import Certificate
from certbridge.db import read_session, write_session
from certbridge.kit.dates import add_months
from certbridge.principal import SYSTEM
from certbridge.registry.bodies import set_body_status
from certbridge.registry.models import CertificationBody
from certbridge.supervision.directory import ObjectFilter, certificates_of, query_objects


def _organizations(sessions, on: date) -> list[int]:
    with read_session(sessions) as session:
        return [row.id for row in query_objects(session, ObjectFilter("organization"), on=on)]


def test_an_organization_whose_certificate_ended_by_date_is_not_a_certified_object(client, world, sessions, certify):
    today = date.today()
    current = certify(2, seed=31)
    ended = certify(1, seed=32, prefix="北海过期", issued_on=today - timedelta(days=1100))  # 3 years, ended 5 days ago
    with read_session(sessions) as session:
        row = session.scalars(select(Certificate).where(Certificate.organization_id == ended[0])).one()
        assert row.status == "valid" and row.expires_on < today  # recorded valid: the sweep has not run
        assert certificates_of(session, ended, today) == {}
        assert [c["number"] for c in certificates_of(session, current[:1], today)[current[0]]] == ["SV31-0000"]
    objects = _organizations(sessions, today)
    assert set(current) <= set(objects) and ended[0] not in objects
    assert ended[0] in _organizations(sessions, today - timedelta(days=30))  # still valid a month ago


def test_a_revoked_bodys_holders_leave_the_directory_when_the_grace_period_ends(client, world, sessions, certify):
    today = date.today()
    holders = certify(2, seed=33)
    with write_session(sessions) as session:
        set_body_status(session, principal=SYSTEM, body_id=world.ids["body_a"], status="revoked", reason="x",
                        on=add_months(today, -2))
    assert set(holders) <= set(_organizations(sessions, today))  # within the 3 months' grace: still certified
    with write_session(sessions) as session:
        session.get(CertificationBody, world.ids["body_a"]).status_changed_on = add_months(today, -4)
    assert not set(holders) & set(_organizations(sessions, today))
