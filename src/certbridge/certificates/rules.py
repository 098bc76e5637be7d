"""Eligibility checks every issuing path shares: body, holder, auditors."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, RuleViolation
from certbridge.registry.bodies import body_can_issue
from certbridge.registry.models import CertificationBody, Person, PersonRegistration, Scheme
from certbridge.registry.people import registration_usable
from certbridge.registry.restrictions import active_restrictions

PERSON_BARS = ("barred", "lifetime_ban")
ORGANIZATION_BARS = ("dishonesty_list",)


def check_body_may_issue(body: CertificationBody, scheme: Scheme, on: date) -> None:
    """Refuse if the body is not approved, its approval lapsed, or the scheme is outside its fields."""
    problem = body_can_issue(body, scheme.field_code, on)
    if problem:
        raise RuleViolation(problem, body=body.name, field_code=scheme.field_code, scheme=scheme.code)


def check_holder_may_be_certified(session: Session, organization_id: int, scheme: Scheme, on: date) -> None:
    """Refuse a listed organization or one under a re-application block for this scheme."""
    for r in active_restrictions(session, "organization", organization_id, on,
                                 ORGANIZATION_BARS + ("reapplication_block", "permanent_exit")):
        if r.kind == "reapplication_block" and r.data.get("scheme") not in (None, scheme.code):
            continue
        until = r.ends_on.isoformat() if r.ends_on else "—"
        raise RuleViolation(f"holder.{r.kind}", reason=r.reason, until=until)


def resolve_auditor(session: Session, body_id: int, registration_number: str, on: date, today: date) -> Person:
    """Return the auditor behind a registration number, refusing unregistered, foreign or barred people.

    The registration must have been valid on the audit date; a bar refuses the assignment if it is in force
    on the audit date or today (a barred person can be put on no audit, even a back-dated one).
    """
    number = registration_number.strip().upper()
    reg = session.scalar(select(PersonRegistration).where(PersonRegistration.number == number))
    if reg is None:
        raise InvalidInput("auditor.unregistered", field="auditors", number=number)
    problem = registration_usable(reg, on)
    if problem:
        raise RuleViolation(problem, number=number)
    person = reg.person
    if person.body_id != body_id:
        raise RuleViolation("auditor.other_body", number=number, name=person.name)
    bars = active_restrictions(session, "person", person.id, on, PERSON_BARS) or active_restrictions(
        session, "person", person.id, today, PERSON_BARS)
    if bars:
        raise RuleViolation("auditor.barred", number=number, name=person.name, reason=bars[0].reason)
    return person
