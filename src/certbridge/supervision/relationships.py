"""Declared relationships (回避) as the regulator keeps them: the list with its filters, a record found by the number
people know it by, and withdrawing a declaration with a reason.

A declaration (``directory.declare_relationship``) forces recusal from spot-check draws and licensing review teams
while it is in force: from its date, until it ends (``ends_on``) or is withdrawn (``withdrawn_on``: declared in
error, or no longer true). A withdrawn declaration stays on the record with its reason; who is related to whom
stays internal, so its events are private.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator_reader, require_writer
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, InspectorRelationship, Lab, Organization, Person
from certbridge.supervision.directory import require_inspector_or_regulator

STATUSES = ("in_force", "ended", "withdrawn")
LIST_CAP = 500  # a bureau's declarations are hundreds at most; the page says when the list is cut


@dataclass(frozen=True)
class RelationshipFilter:
    """What the regulator's list shows: a person, a kind, a status on a date, a party's name or USCC."""

    person_id: int | None = None
    kind: str | None = None
    status: str | None = None
    party: str | None = None


def status_of(rel: InspectorRelationship, on: date) -> str:
    """Return whether a declaration is in force on a date, ended, or withdrawn."""
    if rel.withdrawn_on is not None and rel.withdrawn_on <= on:
        return "withdrawn"
    if rel.ends_on is not None and rel.ends_on < on:
        return "ended"
    return "in_force"


def find_record(session: Session, object_type: str, number: str) -> int:
    """Return the id of the registry record a number names: an organization's USCC, a body's approval number or
    code, a lab's CMA number."""
    number = (number or "").strip().upper()
    if not number:
        raise InvalidInput("field.required", field="record_number")
    stmt = {"organization": select(Organization.id).where(Organization.uscc == number),
            "body": select(CertificationBody.id).where(or_(CertificationBody.approval_number == number,
                                                           CertificationBody.code == number)),
            "lab": select(Lab.id).where(Lab.cma_number == number)}.get(object_type)
    found = session.scalar(stmt.limit(1)) if stmt is not None else None
    if found is None:
        raise InvalidInput("inspector.relationship_record_unknown", field="record_number", number=number[:40])
    return found


def list_relationships(session: Session, *, principal: Principal, flt: RelationshipFilter,
                       on: date | None = None) -> list[dict[str, Any]]:
    """List declarations, newest first, with the person, the party (the record's name) and their status on a date."""
    require_regulator_reader(principal)
    on = on or date.today()
    stmt = (select(InspectorRelationship, Person.name).join(Person, Person.id == InspectorRelationship.person_id)
            .order_by(InspectorRelationship.declared_on.desc(), InspectorRelationship.id.desc()))
    if flt.person_id:
        stmt = stmt.where(InspectorRelationship.person_id == flt.person_id)
    if flt.kind:
        stmt = stmt.where(InspectorRelationship.kind == flt.kind)
    if flt.status == "withdrawn":
        stmt = stmt.where(InspectorRelationship.withdrawn_on <= on)
    elif flt.status in ("in_force", "ended"):
        live = or_(InspectorRelationship.withdrawn_on.is_(None), InspectorRelationship.withdrawn_on > on)
        ended = InspectorRelationship.ends_on < on
        stmt = stmt.where(live, ended if flt.status == "ended" else or_(InspectorRelationship.ends_on.is_(None),
                                                                        ~ended))
    if flt.party:
        text = flt.party.strip()
        named = [(kind, model) for kind, model in (("organization", Organization), ("body", CertificationBody),
                                                   ("lab", Lab))]
        records = or_(*[(InspectorRelationship.object_type == kind) & InspectorRelationship.object_id.in_(
            select(model.id).where(or_(model.name.contains(text), model.uscc == text.upper()))) for kind, model in named])
        stmt = stmt.where(or_(InspectorRelationship.party_name.contains(text),
                              InspectorRelationship.party_uscc == text.upper(), records))
    rows = session.execute(stmt.limit(LIST_CAP)).all()
    names = _record_names(session, [r for r, _ in rows])
    return [{"id": r.id, "person_id": r.person_id, "person": person, "kind": r.kind,
             "object_type": r.object_type, "object_id": r.object_id,
             "record_name": names.get((r.object_type, r.object_id)), "party_name": r.party_name,
             "party_uscc": r.party_uscc, "note": r.note, "declared_on": r.declared_on, "ends_on": r.ends_on,
             "withdrawn_on": r.withdrawn_on, "withdrawal_reason": r.withdrawal_reason, "status": status_of(r, on)}
            for r, person in rows]


def _record_names(session: Session, rels: list[InspectorRelationship]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for kind, model in (("organization", Organization), ("body", CertificationBody), ("lab", Lab)):
        ids = {r.object_id for r in rels if r.object_type == kind and r.object_id is not None}
        if ids:
            out.update({(kind, i): n for i, n in session.execute(select(model.id, model.name)
                                                                 .where(model.id.in_(ids)))})
    return out


def withdraw_relationship(session: Session, *, principal: Principal, relationship_id: int, reason: str,
                          on: date | None = None) -> InspectorRelationship:
    """Withdraw a declaration (the person or a regulator), with the reason: it no longer forces recusal."""
    require_writer(principal)
    rel = session.get(InspectorRelationship, relationship_id)
    if rel is None:
        raise NotFound("inspector.relationship_not_found", id=relationship_id)
    require_inspector_or_regulator(principal, rel.person_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("field.required", field="reason")
    if rel.withdrawn_on is not None:
        raise RuleViolation("inspector.relationship_already_withdrawn", on=rel.withdrawn_on)
    on = on or date.today()
    if on < rel.declared_on:
        raise InvalidInput("date.order", field="on", start=rel.declared_on, end=on)
    rel.withdrawn_on, rel.withdrawal_reason = on, reason
    session.flush()
    record_event(session, type="inspector.relationship_withdrawn", subject_type="inspector_relationship",
                 subject_id=rel.id, actor=principal.actor, public=False,
                 data={"state": {"withdrawn_on": on, "withdrawal_reason": reason}})
    return rel
