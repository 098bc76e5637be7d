"""The subjects of risk — bodies, certified organizations, auditors — by name and responsible region."""

from __future__ import annotations

from sqlalchemy.orm import Session

from certbridge.complaints.routing import responsible_region
from certbridge.registry.models import CertificationBody, Organization, Person

MODELS = {"body": CertificationBody, "organization": Organization, "person": Person}


def subject_row(session: Session, kind: str, sid: int):
    """Return the registry row of a subject (None if it is gone)."""
    model = MODELS.get(kind)
    return session.get(model, sid) if model is not None else None


def subject_name(session: Session, kind: str, sid: int) -> str:
    """Return the name a regulator knows a subject by."""
    row = subject_row(session, kind, sid)
    return row.name if row is not None else f"{kind} {sid}"


def subject_region(session: Session, kind: str, sid: int) -> str | None:
    """Return the region whose regulator answers for a subject: its own, or (an auditor) its body's."""
    row = subject_row(session, kind, sid)
    if row is None:
        return None
    code = row.region_code
    if code is None and kind == "person" and row.body_id:
        body = session.get(CertificationBody, row.body_id)
        code = body.region_code if body is not None else None
    return responsible_region(session, code)
