"""A registry of suppliers for open-data tests: a few hundred organizations with certificates, issued in bulk."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from certbridge.certificates.bulk import issue_drafts
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn, StatusChangeIn
from certbridge.certificates.workflow import suspend_certificate
from certbridge.db import write_session
from certbridge.kit.uscc import generate_uscc
from certbridge.ledger.integrate import integrate_pending
from certbridge.principal import SYSTEM
from tests.world import certificate_payload

CHARS = "宏泰瑞丰鑫源恒通华晟嘉盛永兴德润安康博远金鼎天成卓越"
TRADES = ("电子", "机械", "食品", "化工", "纺织", "建材")


@dataclass
class Suppliers:
    """The organizations made: name, USCC and certificate number, by index; and the look-alike pair."""

    names: list[str] = field(default_factory=list)
    usccs: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    twins: tuple[str, str] = ("北海市星光电子有限公司", "北海星光电子有限公司")


def make_suppliers(sessions, settings, world, count: int = 300) -> Suppliers:
    """Issue one QMS certificate to each of `count` new organizations (and two look-alikes), suspend the first
    one's, and sign a checkpoint."""
    rng = random.Random(20)
    out = Suppliers()
    pairs = [a + b for a in CHARS for b in CHARS if a != b]
    rng.shuffle(pairs)
    drafts = []
    for i in range(count):
        name = f"广西{pairs[i]}{TRADES[i % len(TRADES)]}有限公司"
        uscc = generate_uscc(rng, region="450502")
        number = f"00126Q26{i:04d}R0M"
        out.names.append(name)
        out.usccs.append(uscc)
        out.numbers.append(number)
        payload = certificate_payload(world, number=number)
        payload["holder"] = {"name": name, "uscc": uscc}
        drafts.append(CertificateIn.model_validate(payload))
    for j, twin in enumerate(out.twins):
        payload = certificate_payload(world, number=f"00126Q27{j:04d}R0M")
        payload["holder"] = {"name": twin, "uscc": generate_uscc(rng, region="450502")}
        drafts.append(CertificateIn.model_validate(payload))
    with write_session(sessions) as session:
        issue_drafts(session, principal=SYSTEM, body_id=world.ids["body_a"], drafts=drafts)
        first = session.scalar(select(Certificate.id).where(Certificate.number == out.numbers[0]))
        suspend_certificate(session, principal=SYSTEM, certificate_id=first,
                            change=StatusChangeIn(reason="监督审核未按期进行"))
    integrate_pending(sessions, settings=settings)
    return out


@pytest.fixture
def suppliers(sessions, settings, world) -> Suppliers:
    """Return 300 suppliers with a valid QMS certificate each, in the log and under a checkpoint."""
    return make_suppliers(sessions, settings, world)
