"""Auditors, inspectors and experts, their registrations and affiliations."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from certbridge.errors import Conflict, InvalidInput, NotFound, RuleViolation
from certbridge.kit.text_input import normalize_identifier
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.identity import check_fingerprint
from certbridge.registry.models import CertificationBody, Person, PersonRegistration
from certbridge.registry.restrictions import refuse_if_banned, restrictions_in_force, same_identity
from certbridge.registry.service import check_region
from certbridge.registry.snapshots import person_state

PERSON_KINDS = ("auditor", "inspector", "expert")
PERSON_BANS = ("barred", "lifetime_ban")


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


def identity_bans(session: Session, *, on: date, person_id: int | None = None, fingerprint: str | None = None,
                  numbers: list[str] = ()) -> list:
    """Return the bans in force on a date on the identity of a record, an ID fingerprint or registration numbers."""
    ids = select(Person.id).where(or_(
        Person.id_fingerprint == fingerprint if fingerprint else false(),
        Person.id.in_(select(PersonRegistration.person_id).where(PersonRegistration.number.in_(list(numbers))))
        if numbers else false(),
        Person.id.in_(same_identity("person", person_id)) if person_id is not None else false()))
    return restrictions_in_force(session, "person", ids, on, PERSON_BANS)


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
    id_fingerprint: str | None = None,
    today: date | None = None,
) -> Person:
    """Register an auditor, inspector or expert; an auditor belongs to one body only.

    `id_fingerprint` is the keyed hash of the ID document (`registry.identity.fingerprint`). A person whose
    identity — that fingerprint, or a registration number they held — is barred or banned is refused.
    """
    require_regulator(principal)
    id_fingerprint = check_fingerprint(id_fingerprint)
    numbers = [(r.get("number") or "").strip().upper() for r in registrations]
    refuse_if_banned(identity_bans(session, on=today or date.today(), fingerprint=id_fingerprint, numbers=numbers),
                     "person.identity_banned")
    if kind not in PERSON_KINDS:
        raise InvalidInput("person.kind_unknown", field="kind", kind=kind)
    if not (name or "").strip():
        raise InvalidInput("field.required", field="name")
    if kind == "auditor" and body_id is None:
        raise InvalidInput("person.auditor_needs_body", field="body_id")
    if body_id is not None and session.get(CertificationBody, body_id) is None:
        raise InvalidInput("body.not_found", field="body_id", id=body_id)
    person = Person(name=name.strip(), kind=kind, body_id=body_id, employer=employer,
                    region_code=check_region(session, region_code), id_fingerprint=id_fingerprint)
    session.add(person)
    session.flush()
    for reg in registrations:
        _add_registration(session, person, reg)
    session.flush()
    record_event(session, type="person.registered", subject_type="person", subject_id=person.id,
                 actor=principal.actor, public=is_public(person), data={"state": person_state(person)})
    if id_fingerprint:
        _record_identity(session, principal, person)
    return person


def _record_identity(session: Session, principal: Principal, person: Person) -> None:
    # Never public, and outside `state`: the fingerprint is not part of the public record replay compares.
    record_event(session, type="person.identity_recorded", subject_type="person", subject_id=person.id,
                 actor=principal.actor, public=False, data={"id_fingerprint": person.id_fingerprint})


def record_id_document(session: Session, *, principal: Principal, person_id: int, id_fingerprint: str,
                       today: date | None = None) -> Person:
    """Record the ID-document fingerprint of a person registered without one (records made before it was asked)."""
    require_regulator(principal)
    person = get_person(session, person_id)
    fingerprint = check_fingerprint(id_fingerprint)
    if fingerprint is None:
        raise InvalidInput("field.required", field="id_number")
    if person.id_fingerprint is not None and person.id_fingerprint != fingerprint:
        raise Conflict("person.identity_recorded", field="id_number")
    person.id_fingerprint = fingerprint
    session.flush()
    _record_identity(session, principal, person)
    return person


def _add_registration(session: Session, person: Person, reg: dict[str, Any]) -> PersonRegistration:
    number = (reg.get("number") or "").strip().upper()
    if not number:
        raise InvalidInput("field.required", field="registrations.number")
    if find_registration(session, number) is not None:
        refuse_if_banned(identity_bans(session, on=date.today(), numbers=[number]), "person.identity_banned")
        raise Conflict("person.registration_taken", field="registrations.number", value=number)
    item = PersonRegistration(number=number, field=reg.get("field"), level=reg.get("level"),
                              status=reg.get("status", "valid"), valid_until=reg.get("valid_until"))
    person.registrations.append(item)
    return item


def add_registration(session: Session, *, principal: Principal, person_id: int, registration: dict[str, Any]) -> Person:
    """Add a registration to a person."""
    require_regulator(principal)
    person = get_person(session, person_id)
    refuse_if_banned(identity_bans(session, on=date.today(), person_id=person.id), "person.identity_banned")
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
    if body_id is not None:
        refuse_if_banned(identity_bans(session, on=date.today(), person_id=person.id), "person.identity_banned")
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
