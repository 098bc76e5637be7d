"""Filing a complaint: anyone, about a certificate, a company, a body or a product; a tracking number back.

What the filer names is resolved to the registry where it can be (a certificate number through verification,
a company by its USCC, a body by its code or approval number), which decides the responsible regulator. The
contact is never written to the log; a filer may stay anonymous. Abuse is limited per address and day
(`CERTBRIDGE_COMPLAINTS_PER_ADDRESS_PER_DAY`) on top of the request limiter and the form's CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.certificates.verification import verify_number
from certbridge.complaints.evidence import store_evidence
from certbridge.complaints.models import Complaint, ComplaintEvidence
from certbridge.complaints.routing import responsible_region
from certbridge.errors import InvalidInput, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.licensing.deadlines import calendar_for, workday_deadline
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Organization

SUBJECT_KINDS = ("certificate", "company", "body", "product")
KINDS = ("fake_certificate", "misused_mark", "product_quality", "malpractice", "other")
ACCEPT_WORKDAYS = 7
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_tracking_number(on: date) -> str:
    """Return an unguessable tracking number: TS, the filing date, eight random characters."""
    return f"TS{on:%Y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def address_hash(address: str | None) -> str | None:
    """Return the SHA-256 of a client address (kept only to count filings per address and day)."""
    return hashlib.sha256(address.encode("utf-8")).hexdigest() if address else None


def new_secret() -> str:
    """Return a follow-up secret for the filer (128 random bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def secret_hash(secret: str) -> str:
    """Return the SHA-256 of a follow-up secret (what the complaint keeps)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(item: Complaint, secret: str | None) -> bool:
    """Tell whether a follow-up secret is the one handed out when the complaint was filed (constant time)."""
    return bool(item.secret_hash and secret) and hmac.compare_digest(item.secret_hash, secret_hash(secret))


def complaint_state(c: Complaint) -> dict:
    """Return a complaint's state as its events carry it (the contact and the description stay out of the log)."""
    return {"tracking_number": c.tracking_number, "subject_kind": c.subject_kind, "kind": c.kind,
            "certificate_id": c.certificate_id, "organization_id": c.organization_id, "body_id": c.body_id,
            "region_code": c.region_code, "status": c.status, "anonymous": c.contact is None,
            "accept_due_on": c.accept_due_on, "verify_due_on": c.verify_due_on,
            "mediation_due_on": c.mediation_due_on, "result": c.result, "closed_on": c.closed_on}


def _clean(value: str | None, field: str, limit: int, required: bool = False) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput("field.required", field=field)
    if len(value) > limit:
        raise InvalidInput("field.too_long", field=field, max=limit)
    return value or None


def _resolve(session: Session, subject_kind: str, text: str, certificate_id: int | None) -> dict:
    """Find the certificate, company or body a complaint names; empty where nothing matches."""
    found: dict = {"certificate_id": None, "organization_id": None, "body_id": None}
    cert = session.get(Certificate, certificate_id) if certificate_id else None
    if cert is None and subject_kind in ("certificate", "product"):
        answer = verify_number(session, text)
        if len(answer.certificates) == 1:
            cert = session.get(Certificate, answer.certificates[0]["id"])
    if cert is not None:
        return {"certificate_id": cert.id, "organization_id": cert.organization_id, "body_id": cert.body_id}
    if subject_kind == "company":
        org = session.scalar(select(Organization).where(or_(Organization.uscc == text.upper(),
                                                            Organization.name == text)).limit(1))
        found["organization_id"] = org.id if org is not None else None
    elif subject_kind == "body":
        body = session.scalar(select(CertificationBody).where(or_(
            CertificationBody.code == text, CertificationBody.approval_number == text.upper(),
            CertificationBody.name == text)).limit(1))
        found["body_id"] = body.id if body is not None else None
    return found


def _region(session: Session, found: dict) -> str | None:
    if found["certificate_id"]:
        cert = session.get(Certificate, found["certificate_id"])
        return responsible_region(session, cert.region_code)
    if found["organization_id"]:
        return responsible_region(session, session.get(Organization, found["organization_id"]).region_code)
    if found["body_id"]:
        return responsible_region(session, session.get(CertificationBody, found["body_id"]).region_code)
    return None


def file_complaint(session: Session, *, principal: Principal, subject_kind: str, subject_text: str | None, kind: str,
                   description: str | None, contact: str | None = None, anonymous: bool = False,
                   certificate_id: int | None = None, evidence: list[tuple[str, bytes]] | None = None,
                   data_dir: Path | None = None, per_address_per_day: int = 5,
                   on: date | None = None, secret: str | None = None) -> Complaint:
    """File a complaint, store its evidence, count the acceptance deadline; return it with its tracking number.

    `secret` (the API's): kept as its SHA-256, it lets the filer read back their own filing with the number."""
    on = on or date.today()
    if subject_kind not in SUBJECT_KINDS:
        raise InvalidInput("complaint.subject_kind", field="subject_kind", allowed="、".join(SUBJECT_KINDS))
    if kind not in KINDS:
        raise InvalidInput("complaint.kind", field="kind", allowed="、".join(KINDS))
    subject_text = _clean(subject_text, "subject_text", 200, required=True)
    description = _clean(description, "description", 4000, required=True)
    contact = None if anonymous else _clean(contact, "contact", 200)
    if not anonymous and contact is None:
        raise InvalidInput("complaint.contact_or_anonymous", field="contact")
    ip_hash = address_hash(principal.client_ip)
    if ip_hash is not None:
        today_count = session.scalar(select(func.count()).select_from(Complaint).where(
            Complaint.ip_hash == ip_hash, Complaint.filed_on == on)) or 0
        if today_count >= per_address_per_day:
            raise RuleViolation("complaint.daily_cap", max=per_address_per_day)
    stored = store_evidence(data_dir, evidence) if evidence and data_dir is not None else []
    found = _resolve(session, subject_kind, subject_text, certificate_id)
    due = workday_deadline(calendar_for(), on, ACCEPT_WORKDAYS, session)
    item = Complaint(tracking_number=new_tracking_number(on), subject_kind=subject_kind, subject_text=subject_text,
                     kind=kind, description=description, contact=contact, region_code=_region(session, found),
                     status="received", filed_on=on, accept_due_on=due.due_on, ip_hash=ip_hash,
                     secret_hash=secret_hash(secret) if secret else None, **found)
    session.add(item)
    session.flush()
    for f in stored:
        session.add(ComplaintEvidence(complaint_id=item.id, sha256=f.sha256, filename=f.filename,
                                      content_type=f.content_type, size=f.size))
    record_event(session, type="complaint.filed", subject_type="complaint", subject_id=item.id, actor=principal.actor,
                 public=False, data={"state": complaint_state(item), "evidence": [f.sha256 for f in stored]})
    return item


def find_by_tracking_number(session: Session, number: str | None) -> Complaint | None:
    """Return the complaint with this tracking number (case and spaces forgiven), None if there is none."""
    number = (number or "").strip().upper()
    if not number or len(number) > 24:
        return None
    return session.scalar(select(Complaint).where(Complaint.tracking_number == number))
