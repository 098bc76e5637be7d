"""The auditors' signals (load, double booking, short audits) are computed set-wise in SQL: on random audits they
equal a brute-force per-auditor computation — every auditor's audits read one by one, every pair of them compared —
for all auditors at once, for a few, and with other windows; and what the full recompute stores is the same."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from certbridge.certificates.models import Audit, AuditAuditor, Certificate
from certbridge.complaints.routing import responsible_region
from certbridge.db import read_session, write_session
from certbridge.registry.models import CertificationBody, Organization, Person, Scheme
from certbridge.risk.compute import recompute_all
from certbridge.risk.models import EarlyWarning, RiskAuditMinimum, RiskSignal
from certbridge.risk.auditors import EVIDENCE_MAX, auditor_signals
from tests.risk.conftest import TODAY

KINDS = ("initial", "surveillance", "recertification", "special")


def _random_audits(db, world, rng: random.Random) -> list[int]:
    """Auditors with random audits: a few clustered in the last months (overlaps, often of two companies), some
    long ago or outside the windows, one-day and reversed ones; return the auditors."""
    schemes = list(db.scalars(select(Scheme.code).order_by(Scheme.code).limit(2)))
    db.add(RiskAuditMinimum(scheme_code=schemes[-1], audit_kind="surveillance", min_days=3))  # a scheme's own
    orgs = [world.ids["org1"], world.ids["org2"]]
    for i in range(2):
        org = Organization(name=f"随机企业{i}", search_name=f"随机企业{i}", region_code="450502")
        db.add(org)
        db.flush()
        orgs.append(org.id)
    people = [world.ids[k] for k in ("a1", "a2", "a3", "b1")]
    for i in range(4):
        person = Person(name=f"随机审核员{i}", kind="auditor", body_id=world.ids["body_a"], region_code="450502")
        db.add(person)
        db.flush()
        people.append(person.id)
    audits = rng.randrange(60, 120)
    for i in range(audits):
        ago = rng.randrange(-5, 120) if rng.random() < 0.7 else rng.randrange(100, 800)
        start = TODAY - timedelta(days=ago)
        end = start + timedelta(days=rng.choice((-1, 0, 0, 1, 1, 2, 3, 6, 20)))
        cert = Certificate(number=f"RND{rng.randrange(10**9)}-{i}", body_id=world.ids["body_a"],
                           organization_id=rng.choice(orgs), scheme_code=rng.choice(schemes), status="valid",
                           status_changed_on=start, issued_on=start, expires_on=start + timedelta(days=1095),
                           holder_name="企业", scope="范围")
        db.add(cert)
        db.flush()
        audit_id = db.execute(insert(Audit).values(certificate_id=cert.id, kind=rng.choice(KINDS), method="FS01",
                                                   start_on=start, end_on=end).returning(Audit.id)).scalar_one()
        for n, person in enumerate(rng.sample(people, rng.choice((1, 1, 2, 3)))):
            db.execute(insert(AuditAuditor).values(audit_id=audit_id, person_id=person, registration_number="R",
                                                   role="leader" if n == 0 else "member"))
    return people


def _oracle(db, people: list[int], today: date, windows: dict[str, int]) -> dict[str, dict]:
    """The auditors' signals by brute force: each auditor's audits read on their own and every pair compared."""
    minimum = {(s, k): d for s, k, d in db.execute(select(RiskAuditMinimum.scheme_code, RiskAuditMinimum.audit_kind,
                                                          RiskAuditMinimum.min_days))}
    out: dict[str, dict] = {signal: {} for signal in windows}
    for person in people:
        rows = db.execute(select(Audit.id, Audit.start_on, Audit.end_on, Certificate.organization_id,
                                 Certificate.number, Audit.kind, Certificate.scheme_code)
                          .join(AuditAuditor, AuditAuditor.audit_id == Audit.id)
                          .join(Certificate, Certificate.id == Audit.certificate_id)
                          .where(AuditAuditor.person_id == person)).all()
        rows = sorted(rows, key=lambda r: (r.start_on, r.id))

        def within(signal, rows=rows):
            since = today - timedelta(days=windows[signal])
            return [r for r in rows if since < r.start_on <= today]

        if "auditor_load" in windows and (audits := within("auditor_load")):
            days = {r.start_on + timedelta(days=i) for r in audits
                    for i in range(max((r.end_on - r.start_on).days + 1, 1))}
            out["auditor_load"][person] = (float(len(days)), {"audits": len(audits)})
        if "double_booked" in windows:
            audits = within("double_booked")
            pairs = [{"audits": [a.id, b.id], "certificates": [a.number, b.number], "day": b.start_on.isoformat()}
                     for i, a in enumerate(audits) for b in audits[i + 1:]
                     if b.start_on <= a.end_on and b.organization_id != a.organization_id]
            if pairs:
                out["double_booked"][person] = (float(len(pairs)), {"pairs": pairs[:EVIDENCE_MAX]})
        if "short_audits" in windows:
            short = []
            for r in within("short_audits"):
                need = minimum.get((r.scheme_code, r.kind), minimum.get(("*", r.kind)))
                if need and (r.end_on - r.start_on).days + 1 < need:
                    short.append({"audit": r.id, "certificate": r.number, "days": (r.end_on - r.start_on).days + 1,
                                  "minimum": need})
            if short:
                out["short_audits"][person] = (float(len(short)), {"audits": short[:EVIDENCE_MAX]})
    return out


@pytest.mark.parametrize("seed", [5, 1207, 20261207])
def test_set_wise_auditor_signals_equal_a_brute_force_per_auditor_computation(sessions, world, seed):
    rng = random.Random(seed)
    with write_session(sessions) as db:
        people = _random_audits(db, world, rng)
    defaults = {"auditor_load": 365, "double_booked": 730, "short_audits": 730}
    with read_session(sessions) as db:
        for windows in (defaults, {"auditor_load": 30, "double_booked": 45, "short_audits": 60},
                        {"double_booked": 90}, {"auditor_load": 1000, "short_audits": 14}):
            expected = _oracle(db, people, TODAY, windows)
            assert auditor_signals(db, None, TODAY, windows) == expected, windows
            few = sorted(rng.sample(people, 3))
            assert auditor_signals(db, few, TODAY, windows) == {
                signal: {p: v for p, v in values.items() if p in few} for signal, values in expected.items()}
        expected = _oracle(db, people, TODAY, defaults)
    # something to compare: double bookings of two companies, and short audits, on random data
    assert expected["double_booked"] and expected["short_audits"] and expected["auditor_load"]
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
    with read_session(sessions) as db:
        stored = {(s.signal, s.subject_id): (s.value, s.evidence) for s in db.scalars(select(RiskSignal).where(
            RiskSignal.subject_type == "person", RiskSignal.signal.in_(sorted(defaults))))}
    assert stored == {(signal, p): v for signal, values in expected.items() for p, v in values.items()}
    # each double-booked auditor's warning names the auditor and goes to the bureau of the auditor's region (its
    # body's if it has none), all raised by the one recompute
    with read_session(sessions) as db:
        warned = {w.subject_id: (w.subject_name, w.region_code) for w in db.scalars(select(EarlyWarning).where(
            EarlyWarning.subject_type == "person", EarlyWarning.reason == "double_booked"))}
        wanted = {}
        for p in expected["double_booked"]:
            person = db.get(Person, p)
            code = person.region_code or db.get(CertificationBody, person.body_id).region_code
            wanted[p] = (person.name, responsible_region(db, code))
    assert warned == wanted and all(region for _name, region in warned.values())
