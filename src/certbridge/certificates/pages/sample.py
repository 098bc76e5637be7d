"""The console's sample CSV: one row that imports cleanly for the signed-in body, built from its own registers.

A fixed sample row cannot work for every body (its auditors, fields and numbers differ), so the row is made
from what the body really has: a scheme in its approved fields with a current standard, one of its own auditors
whose registration is valid, a holder with a valid 统一社会信用代码 and a certificate number not yet used.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.kit.uscc import generate_uscc
from certbridge.registry.models import (BodyField, CertificationBody, Organization, Person, PersonRegistration,
                                        Scheme, Standard)
from certbridge.registry.people import registration_usable
from certbridge.registry.restrictions import active_restrictions

COLUMNS = ("number", "scheme", "standard_code", "standard_version", "holder_name", "holder_uscc",
           "holder_address", "scope", "issued_on", "site_name", "site_address", "audit_kind", "audit_start_on",
           "audit_end_on", "auditors")
FALLBACK_ROW = ("00126Q26001R0M/4500", "QMS", "GB/T 19001", "2016", "北海市海城区示例电子有限公司", "",
                "广西北海市海城区北京路 1 号", "电子元器件的设计和生产", "2025-03-01", "", "", "初次认证", "2025-02-20",
                "2025-02-21", "2021-N1QMS-1000001;2022-N1QMS-1000002")
HOLDER_NAME = "北海市海城区示例电子有限公司"


def _scheme_and_standard(db: Session, body_id: int) -> tuple[Scheme, Standard] | None:
    fields = select(BodyField.field_code).where(BodyField.body_id == body_id)
    rows = db.execute(select(Scheme, Standard).join(Standard, Standard.scheme_code == Scheme.code)
                      .where(Scheme.field_code.in_(fields), Scheme.number_pattern.is_(None),
                             Standard.superseded_by_id.is_(None))
                      .order_by(Scheme.code != "QMS", Scheme.code, Standard.id)).first()
    return (rows[0], rows[1]) if rows else None


def _auditor(db: Session, body_id: int, scheme: str, audit_on: date) -> str | None:
    regs = db.scalars(select(PersonRegistration).join(Person, Person.id == PersonRegistration.person_id)
                      .where(Person.body_id == body_id, PersonRegistration.status == "valid")
                      .order_by(PersonRegistration.field != scheme, PersonRegistration.id).limit(50))
    for reg in regs:
        if registration_usable(reg, audit_on) is None and not any(
                active_restrictions(db, "person", reg.person_id, day, ("barred", "lifetime_ban"))
                for day in (audit_on, date.today())):
            return reg.number
    return None


def _free_number(db: Session, body: CertificationBody, today: date) -> str:
    taken = set(db.scalars(select(Certificate.number).where(Certificate.body_id == body.id,
                                                            Certificate.number.like(f"{body.code}Q{today:%y}9%"))))
    for n in range(1, 100_000):
        number = f"{body.code}Q{today:%y}9{n:04d}R0M"
        if number not in taken:
            return number
    return f"{body.code}Q{today:%y}{random.randrange(10**6):06d}R0M"  # pragma: no cover - 99 999 samples taken


def _holder(db: Session, body: CertificationBody) -> tuple[str, str]:
    rng = random.Random(body.id)
    for _ in range(20):
        uscc = generate_uscc(rng, region="450502")
        existing = db.scalar(select(Organization.name).where(Organization.uscc == uscc))
        if existing is None or existing == HOLDER_NAME:
            return HOLDER_NAME, uscc
    return existing, uscc  # pragma: no cover - twenty collisions in a row


def sample_row(db: Session, body_id: int | None, today: date | None = None) -> tuple[str, ...]:
    """Return a sample row that this body can import as it is (the fixed fallback when it has no register)."""
    today = today or date.today()
    body = db.get(CertificationBody, body_id) if body_id else None
    found = _scheme_and_standard(db, body.id) if body else None
    audit_on = today - timedelta(days=10)
    auditor = _auditor(db, body.id, found[0].code, audit_on) if found else None
    if body is None or found is None or auditor is None:
        return FALLBACK_ROW
    scheme, standard = found
    name, uscc = _holder(db, body)
    return (_free_number(db, body, today), scheme.code, standard.code, standard.version, name, uscc,
            "广西北海市海城区北京路 1 号", "电子元器件的设计和生产", today.isoformat(), "", "", "初次认证",
            audit_on.isoformat(), (audit_on + timedelta(days=1)).isoformat(), auditor)
