"""Certification bodies: approval, approved fields, status."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import Conflict, InvalidInput, NotFound, RuleViolation
from certbridge.kit.text_input import normalize_identifier
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.identity import check_fingerprint
from certbridge.registry.models import BodyField, CertificationBody, CertificationField
from certbridge.registry.restrictions import refuse_if_banned, restrictions_in_force
from certbridge.registry.service import check_region, check_uscc
from certbridge.registry.snapshots import body_state

APPROVAL_NUMBER = re.compile(r"^CNCA-R-(\d{4})-(\d{3})$|^CNCA-RF-(\d{4})-(\d{2})$")
BODY_STATUSES = ("approved", "suspended", "revoked", "withdrawn")
BODY_CODE = re.compile(r"^[0-9A-Z]{2,20}$")


def get_body(session: Session, body_id: int) -> CertificationBody:
    """Get a certification body by its id."""
    body = session.get(CertificationBody, body_id)
    if body is None:
        raise NotFound("body.not_found", id=body_id)
    return body


def find_body(session: Session, ref: str) -> CertificationBody | None:
    """Find a body by its code, approval number or id."""
    ref = normalize_identifier(ref, upper=True)
    stmt = select(CertificationBody).where(
        (CertificationBody.code == ref) | (CertificationBody.approval_number == ref)
    )
    body = session.scalar(stmt)
    if body is None and ref.isdigit():
        body = session.get(CertificationBody, int(ref))
    return body


def check_fields(session: Session, codes: list[str]) -> list[str]:
    """Return approved-field codes sorted, refusing none or unknown ones."""
    codes = sorted(set(codes))
    if not codes:
        raise InvalidInput("body.fields_required", field="fields")
    known = set(session.scalars(select(CertificationField.code).where(CertificationField.code.in_(codes))))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput("body.field_unknown", field="fields", codes=", ".join(unknown))
    return codes


def check_approval_number(value: str, *, foreign_invested: bool) -> str:
    """Refuse an approval number not shaped CNCA-R-YYYY-NNN (foreign-invested CNCA-RF-YYYY-NN)."""
    value = (value or "").strip().upper()
    match = APPROVAL_NUMBER.match(value)
    if not match:
        raise InvalidInput("body.approval_number_format", field="approval_number", value=value)
    if foreign_invested != value.startswith("CNCA-RF-"):
        raise InvalidInput("body.approval_number_kind", field="approval_number", value=value)
    return value


def exits_of_identity(session: Session, *, on: date, uscc: str | None = None,
                      legal_rep_fingerprint: str | None = None) -> tuple[list, list]:
    """Return the permanent exits in force on a date on bodies with this USCC, and on bodies with this legal rep."""
    by_uscc = restrictions_in_force(session, "body", select(CertificationBody.id).where(CertificationBody.uscc == uscc),
                                    on, ("permanent_exit",)) if uscc else []
    by_rep = restrictions_in_force(session, "body", select(CertificationBody.id).where(
        CertificationBody.legal_rep_fingerprint == legal_rep_fingerprint), on, ("permanent_exit",)) \
        if legal_rep_fingerprint else []
    return by_uscc, by_rep


def approve_body(
    session: Session,
    *,
    principal: Principal,
    code: str,
    approval_number: str,
    name: str,
    fields: list[str],
    approved_on: date,
    valid_until: date | None = None,
    uscc: str | None = None,
    foreign_invested: bool = False,
    region_code: str | None = None,
    address: str | None = None,
    name_en: str | None = None,
    legal_rep_fingerprint: str | None = None,
    today: date | None = None,
) -> CertificationBody:
    """Record a certification body's approval with its approved fields.

    Permanent exit binds the USCC and the legal representative (keyed hash of their ID document,
    `registry.identity.fingerprint`): a body whose USCC or representative exited is refused under any code.
    """
    require_regulator(principal)
    code = (code or "").strip().upper()
    if not BODY_CODE.match(code):
        raise InvalidInput("body.code_format", field="code", value=code)
    approval_number = check_approval_number(approval_number, foreign_invested=foreign_invested)
    if session.scalar(select(CertificationBody.id).where(CertificationBody.code == code)):
        raise Conflict("body.code_taken", field="code", value=code)
    if session.scalar(select(CertificationBody.id).where(CertificationBody.approval_number == approval_number)):
        raise Conflict("body.approval_number_taken", field="approval_number", value=approval_number)
    if valid_until is not None and valid_until <= approved_on:
        raise InvalidInput("date.order", field="valid_until", start=approved_on, end=valid_until)
    if not (name or "").strip():
        raise InvalidInput("field.required", field="name")
    uscc = check_uscc(uscc)[0] if uscc else None
    legal_rep_fingerprint = check_fingerprint(legal_rep_fingerprint, field="legal_representative_id_number")
    by_uscc, by_rep = exits_of_identity(session, on=today or date.today(), uscc=uscc,
                                        legal_rep_fingerprint=legal_rep_fingerprint)
    refuse_if_banned(by_uscc, "body.identity_exited", uscc=uscc)
    refuse_if_banned(by_rep, "body.legal_rep_exited")
    body = CertificationBody(
        code=code, approval_number=approval_number, name=name.strip(), name_en=name_en,
        uscc=check_uscc(uscc)[0] if uscc else None, foreign_invested=foreign_invested,
        region_code=check_region(session, region_code), address=address, status="approved",
        approved_on=approved_on, valid_until=valid_until, status_changed_on=approved_on,
    )
    body.fields = [BodyField(field_code=c) for c in check_fields(session, fields)]
    body.legal_rep_fingerprint = legal_rep_fingerprint
    session.add(body)
    session.flush()
    record_event(session, type="body.approved", subject_type="body", subject_id=body.id,
                 actor=principal.actor, data={"state": body_state(body)})
    if legal_rep_fingerprint:  # not public, outside `state`: never part of the public record
        record_event(session, type="body.legal_rep_recorded", subject_type="body", subject_id=body.id,
                     actor=principal.actor, public=False, data={"legal_rep_fingerprint": legal_rep_fingerprint})
    return body


def change_body(session: Session, *, principal: Principal, body_id: int, changes: dict[str, Any],
                today: date | None = None) -> CertificationBody:
    """Change a body's particulars, approved fields or legal representative (a licensing change).

    A new representative (`legal_rep_fingerprint`, the keyed hash of their ID document) under a permanent exit is
    refused; the change is a private `body.legal_rep_changed` event (the hash never enters the public record).
    """
    require_regulator(principal)
    body = get_body(session, body_id)
    before = body_state(body)
    if changes.get("legal_rep_fingerprint"):
        rep = check_fingerprint(changes["legal_rep_fingerprint"], field="legal_representative_id_number")
        refuse_if_banned(exits_of_identity(session, on=today or date.today(), legal_rep_fingerprint=rep)[1],
                         "body.legal_rep_exited")
        if rep != body.legal_rep_fingerprint:
            record_event(session, type="body.legal_rep_changed", subject_type="body", subject_id=body.id,
                         actor=principal.actor, public=False,
                         data={"legal_rep_fingerprint": rep, "previous": body.legal_rep_fingerprint,
                               "legal_representative": changes.get("legal_representative")})
            body.legal_rep_fingerprint = rep
    if "fields" in changes:
        wanted = check_fields(session, list(changes["fields"]))
        body.fields = [f for f in body.fields if f.field_code in wanted]
        have = {f.field_code for f in body.fields}
        body.fields.extend(BodyField(field_code=c) for c in wanted if c not in have)
    for key in ("name", "name_en", "address"):
        if key in changes:
            setattr(body, key, changes[key])
    if "region_code" in changes:
        body.region_code = check_region(session, changes["region_code"])
    if "valid_until" in changes:
        body.valid_until = changes["valid_until"]
    session.flush()
    after = body_state(body)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        record_event(session, type="body.changed", subject_type="body", subject_id=body.id,
                     actor=principal.actor, data={"state": changed})
    return body


_BODY_TRANSITIONS = {
    "suspended": {"approved"},
    "approved": {"suspended"},
    "revoked": {"approved", "suspended"},
    "withdrawn": {"approved", "suspended"},
}


def set_body_status(
    session: Session, *, principal: Principal, body_id: int, status: str, reason: str, on: date | None = None
) -> CertificationBody:
    """Suspend, restore, revoke or withdraw a body's approval (on a date, today by default).

    A body not approved can issue nothing; a revoked or withdrawn body's certificates stay valid for their
    scheme's grace period from `on` (certificates/effective_status.py).
    """
    require_regulator(principal)
    if status not in _BODY_TRANSITIONS:
        raise InvalidInput("body.status_unknown", field="status", status=status)
    if not (reason or "").strip():
        raise InvalidInput("field.required", field="reason")
    body = get_body(session, body_id)
    if body.status not in _BODY_TRANSITIONS[status]:
        raise RuleViolation("body.status_transition", current=body.status, wanted=status)
    if on is not None and on > date.today():
        raise InvalidInput("body.status_date_in_future", field="on", date=on.isoformat())
    body.status, body.status_reason = status, reason.strip()
    body.status_changed_on = on or date.today()
    session.flush()
    record_event(session, type=f"body.{status}", subject_type="body", subject_id=body.id, actor=principal.actor,
                 data={"state": {"status": status, "status_reason": body.status_reason},
                       "on": body.status_changed_on.isoformat()})
    return body


def body_can_issue(body: CertificationBody, field_code: str, on: date) -> str | None:
    """Return why a body may not certify in a field on a date, or None if it may."""
    if body.status != "approved":
        return "body.not_approved"
    if body.valid_until is not None and on > body.valid_until:
        return "body.approval_expired"
    if field_code not in {f.field_code for f in body.fields}:
        return "body.field_not_approved"
    return None
