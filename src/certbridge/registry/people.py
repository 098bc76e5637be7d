"""Auditors, inspectors and experts, their registrations and affiliations."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import Conflict, InvalidInput, NotFound, RuleViolation
from certbridge.kit.text_input import normalize_identifier
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Person, PersonRegistration
from certbridge.registry.service import check_region
from certbridge.registry.snapshots import person_state

PERSON_KINDS = ("auditor", "inspector", "expert")


def is_public(person: Person) -> bool:
    """Tell whether a person and their events are public: auditors are; inspectors and experts are not."""
    return person.kind == "auditor"


def get_person(session: Session, person_id: int) -> Person:
    """Get a person by id."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person.not_found", id=person_id)
    return person


def find_registration(session: Session, number: str) -> PersonRegistration | None:
    """Find a registration by its number."""
    return session.scalar(select(PersonRegistration).where(PersonRegistration.number == normalize_identifier(number, upper=True)))


def register_person(
    session: Session,
    *,
    principal: Principal,
    name: str,
    kind: str,
    body_id: int | None = None,
    employer: str | None = None,
    region_code: str | None = None,
    registrations: list[dict[str, Any]] = (),
) -> Person:
    """Register an auditor, inspector or expert; an auditor belongs to one body only."""
    require_regulator(principal)
    if kind not in PERSON_KINDS:
        raise InvalidInput("person.kind_unknown", field="kind", kind=kind)
    if not (name or "").strip():
        raise InvalidInput("field.required", field="name")
    if kind == "auditor" and body_id is None:
        raise InvalidInput("person.auditor_needs_body", field="body_id")
    if body_id is not None and session.get(CertificationBody, body_id) is None:
        raise InvalidInput("body.not_found", field="body_id", id=body_id)
    person = Person(name=name.strip(), kind=kind, body_id=body_id, employer=employer,
                    region_code=check_region(session, region_code))
    session.add(person)
    session.flush()
    for reg in registrations:
        _add_registration(session, person, reg)
    session.flush()
    record_event(session, type="person.registered", subject_type="person", subject_id=person.id,
                 actor=principal.actor, public=is_public(person), data={"state": person_state(person)})
    return person


def _add_registration(session: Session, person: Person, reg: dict[str, Any]) -> PersonRegistration:
    number = (reg.get("number") or "").strip().upper()
    if not number:
        raise InvalidInput("field.required", field="registrations.number")
    if find_registration(session, number) is not None:
        raise Conflict("person.registration_taken", field="registrations.number", value=number)
    item = PersonRegistration(number=number, field=reg.get("field"), level=reg.get("level"),
                              status=reg.get("status", "valid"), valid_until=reg.get("valid_until"))
    person.registrations.append(item)
    return item


def add_registration(session: Session, *, principal: Principal, person_id: int, registration: dict[str, Any]) -> Person:
    """Add a registration to a person."""
    require_regulator(principal)
    person = get_person(session, person_id)
    _add_registration(session, person, registration)
    session.flush()
    record_event(session, type="person.registration_added", subject_type="person", subject_id=person.id,
                 actor=principal.actor, public=is_public(person),
                 data={"state": {"registrations": person_state(person)["registrations"]}})
    return person


def revoke_registration(session: Session, *, principal: Principal, number: str, reason: str) -> Person:
    """Revoke a registration (e.g. after a false certification conclusion)."""
    require_regulator(principal)
    reg = find_registration(session, number)
    if reg is None:
        raise NotFound("person.registration_not_found", number=number)
    if reg.status == "revoked":
        raise RuleViolation("person.registration_already_revoked", number=number)
    reg.status = "revoked"
    session.flush()
    person = reg.person
    record_event(session, type="person.registration_revoked", subject_type="person", subject_id=person.id,
                 actor=principal.actor, public=is_public(person),
                 data={"state": {"registrations": person_state(person)["registrations"]}, "reason": reason})
    return person


def change_affiliation(session: Session, *, principal: Principal, person_id: int, body_id: int | None,
                       employer: str | None = None) -> Person:
    """Move a person to another body or employer (an auditor works for one body only)."""
    require_regulator(principal)
    person = get_person(session, person_id)
    if person.kind == "auditor" and body_id is None:
        raise InvalidInput("person.auditor_needs_body", field="body_id")
    if body_id is not None and session.get(CertificationBody, body_id) is None:
        raise InvalidInput("body.not_found", field="body_id", id=body_id)
    person.body_id, person.employer = body_id, employer if employer is not None else person.employer
    session.flush()
    record_event(session, type="person.affiliation_changed", subject_type="person", subject_id=person.id,
                 actor=principal.actor, public=is_public(person),
                 data={"state": {"body_id": body_id, "employer": person.employer}})
    return person


def registration_usable(reg: PersonRegistration, on: date) -> str | None:
    """Return why a registration cannot be used on a date, or None."""
    if reg.status != "valid":
        return "person.registration_not_valid"
    if reg.valid_until is not None and on > reg.valid_until:
        return "person.registration_expired"
    return None
