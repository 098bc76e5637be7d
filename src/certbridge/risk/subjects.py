"""The subjects of risk — bodies, certified organizations, auditors — by name and responsible region."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.complaints.routing import responsible_region
from certbridge.registry.models import CertificationBody, Organization, Person

MODELS = {"body": CertificationBody, "organization": Organization, "person": Person}


def load_subjects(session: Session, kind: str, ids: list[int]) -> None:
    """Read many subjects' rows (and auditors' bodies) in a few statements, so that `subject_name` and
    `subject_region` of each then find them in the session without a statement of their own."""
    model = MODELS.get(kind)
    if model is None:
        return
    bodies: set[int] = set()
    for start in range(0, len(ids), 500):
        for row in session.scalars(select(model).where(model.id.in_(ids[start:start + 500]))):
            if kind == "person" and row.region_code is None and row.body_id:
                bodies.add(row.body_id)
    wanted = sorted(bodies)
    for start in range(0, len(wanted), 500):
        session.scalars(select(CertificationBody).where(CertificationBody.id.in_(wanted[start:start + 500]))).all()


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
