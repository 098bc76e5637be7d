"""A small world of certificates with histories, built through the services, for the statistics tests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from certbridge.certificates.schemas import AuditIn, CertificateIn, HolderIn, StatusChangeIn
from certbridge.certificates.service import issue_certificate
from certbridge.certificates.workflow import (
    cancel_certificate,
    restore_certificate,
    suspend_certificate,
    withdraw_certificate,
)
from certbridge.db import write_session
from certbridge.kit.uscc import generate_uscc
from certbridge.ledger.integrate import integrate_pending
from certbridge.principal import SYSTEM
from certbridge.registry import bodies, people, service

TODAY = date.today()
COUNTIES = ("450502", "450503", "450512", "450521", "440103", "440104", "110101")


@dataclass
class Story:
    """What the test world did: each certificate's status snapshots and each holder's dated regions."""

    snapshots: dict[int, list[tuple[date, dict]]] = field(default_factory=dict)
    holder: dict[int, int] = field(default_factory=dict)  # certificate → organization
    regions: dict[int, list[tuple[date, str]]] = field(default_factory=dict)  # organization → [(from, code)]
    bodies: dict[str, int] = field(default_factory=dict)


def _snap(cert) -> dict:
    return {k: getattr(cert, k) for k in ("status", "status_changed_on", "issued_on", "expires_on", "suspended_until",
                                          "status_reason", "body_id", "standard_id", "scheme_code")}


def build_story(session, seed: int, certificates: int = 24, organizations: int = 9) -> Story:
    """Register holders in several counties and issue certificates with random histories in the past."""
    rng = random.Random(seed)
    story = Story()
    for key, code in (("a", "71001"), ("b", "71002")):
        body = bodies.approve_body(session, principal=SYSTEM, code=code, approval_number=f"CNCA-R-2001-{code[-3:]}",
                                   name=f"统计测试认证中心{key}有限公司", fields=["SYS-QMS"], approved_on=date(2001, 1, 1))
        people.register_person(session, principal=SYSTEM, name=f"统计审核员{key}", kind="auditor", body_id=body.id,
                               registrations=[{"number": f"2019-N1QMS-7{code}0", "field": "QMS"}])
        story.bodies[key] = body.id
    orgs = []
    for i in range(organizations):
        county = rng.choice(COUNTIES)
        uscc = generate_uscc(rng, region=county)
        org = service.register_organization(session, principal=SYSTEM, name=f"统计测试第{i}号有限公司", uscc=uscc,
                                            region_code=county)
        orgs.append((org, uscc))
        story.regions[org.id] = [(date.min, county)]
    for n in range(certificates):
        org, uscc = rng.choice(orgs)
        key = rng.choice("ab")
        body_id, code = story.bodies[key], ("71001" if key == "a" else "71002")
        issued = TODAY - timedelta(days=rng.randint(30, 2000))
        expires = issued + timedelta(days=rng.choice([365, 1095, 1095]))
        audit = issued - timedelta(days=5)
        recent = min(TODAY, expires) - timedelta(days=5)  # surveilled: the sweep suspends nothing for overdue audits
        cert = issue_certificate(session, principal=SYSTEM, body_id=body_id, today=TODAY, draft=CertificateIn(
            number=f"{code}Q10{n:04d}R0M", scheme="QMS", standard_code="GB/T 19001", standard_version="2016",
            holder=HolderIn(name=org.name, uscc=uscc, address="测试地址"), scope="电子元器件的生产",
            issued_on=issued, expires_on=expires,
            audits=[AuditIn(kind="initial", method="FS01", start_on=audit, end_on=audit,
                            auditors=[{"registration_number": f"2019-N1QMS-7{code}0", "role": "leader"}]),
                    AuditIn(kind="surveillance", method="FS01", start_on=recent, end_on=recent,
                            auditors=[{"registration_number": f"2019-N1QMS-7{code}0", "role": "leader"}])]))
        story.holder[cert.id] = cert.organization_id
        story.snapshots[cert.id] = [(date.min, _snap(cert))]
        act = {"principal": SYSTEM, "certificate_id": cert.id, "today": TODAY}
        last = min(TODAY, expires)
        step = issued + timedelta(days=rng.randint(1, 200))
        history = rng.choice(["none", "none", "suspend", "restore", "withdraw", "cancel", "suspend_withdraw"])
        if step >= last or history == "none":
            continue
        if history in ("suspend", "restore", "suspend_withdraw"):
            suspend_certificate(session, **act, change=StatusChangeIn(reason="测试暂停", on=step,
                                                                      until=step + timedelta(days=rng.randint(20, 90))))
            story.snapshots[cert.id].append((step, _snap(cert)))
            back = step + timedelta(days=rng.randint(1, 15))
            if history == "restore" and back <= min(last, cert.suspended_until):
                restore_certificate(session, **act, change=StatusChangeIn(reason="已纠正", on=back))
                story.snapshots[cert.id].append((back, _snap(cert)))
            elif history == "suspend_withdraw" and back <= last:
                withdraw_certificate(session, **act, change=StatusChangeIn(reason="未纠正", on=back, cause="other"))
                story.snapshots[cert.id].append((back, _snap(cert)))
        elif history == "withdraw":
            withdraw_certificate(session, **act, change=StatusChangeIn(reason="测试撤销", on=step, cause="other"))
            story.snapshots[cert.id].append((step, _snap(cert)))
        elif history == "cancel":
            cancel_certificate(session, **act, change=StatusChangeIn(reason="持证人申请", on=step))
            story.snapshots[cert.id].append((step, _snap(cert)))
    for org, _ in rng.sample(orgs, 2):  # two holders move today: before today they count where they were
        county = rng.choice([c for c in COUNTIES if c != story.regions[org.id][-1][1]])
        service.update_organization(session, principal=SYSTEM, organization_id=org.id,
                                    changes={"region_code": county})
        story.regions[org.id].append((TODAY, county))
    bodies.set_body_status(session, principal=SYSTEM, body_id=story.bodies["b"], status="revoked", reason="测试吊销",
                           on=TODAY - timedelta(days=rng.randint(10, 200)))
    return story


def snapshot_row(snap: dict) -> SimpleNamespace:
    """Return a snapshot as a row-like object for StatusContext.facts."""
    return SimpleNamespace(**snap)


def integrate(sessions, settings) -> None:
    """Hash every committed event into the tree and sign a checkpoint, as the server does after each write."""
    integrate_pending(sessions, settings=settings)


@pytest.fixture
def story(sessions, settings):
    """Build the world and integrate it; return what it did."""
    with write_session(sessions) as session:
        built = build_story(session, seed=1207)
    integrate(sessions, settings)
    return built
