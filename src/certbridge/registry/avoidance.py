"""Avoidance (回避) rules shared by spot checks and licensing review teams: who may not inspect or review whom —
the barred, a party's own staff, and anyone who declared a relationship with the party."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from certbridge.kit.chinese_text import normalize_name
from certbridge.registry.models import CertificationBody, InspectorRelationship, Lab, Organization, Person, Restriction

# Restrictions on a person that keep them off every inspection and review.
INSPECTOR_BARS = ("barred", "lifetime_ban")
PARTY_MODELS = {"organization": Organization, "body": CertificationBody, "lab": Lab}


def barred_people(session: Session, on: date) -> set[int]:
    """Return the ids of people barred (for a term or for life) on a date."""
    stmt = select(Restriction.subject_id).where(
        Restriction.subject_type == "person", Restriction.kind.in_(INSPECTOR_BARS), Restriction.starts_on <= on,
        Restriction.ends_on.is_(None) | (Restriction.ends_on >= on),
        Restriction.lifted_on.is_(None) | (Restriction.lifted_on > on))
    return set(session.scalars(stmt))


def same_employer(person: Person, party_name: str, body_id: int | None = None) -> bool:
    """Tell whether a person works for the party (its body, or an employer of the same name)."""
    if body_id is not None and person.body_id == body_id:
        return True
    return bool(person.employer) and normalize_name(person.employer) == normalize_name(party_name or "")


def _party_records(session: Session, party_uscc: str | None, records: Iterable[tuple[str, int]]) -> set[tuple]:
    found = set(records)
    if party_uscc:
        for kind, model in PARTY_MODELS.items():
            found.update((kind, i) for i in session.scalars(select(model.id).where(model.uscc == party_uscc)))
    return found


def in_force(on: date):
    """The condition of a declared relationship in force on a date: declared, not ended, not withdrawn."""
    rel = InspectorRelationship
    return and_(rel.declared_on <= on, or_(rel.ends_on.is_(None), rel.ends_on >= on),
                or_(rel.withdrawn_on.is_(None), rel.withdrawn_on > on))


def declared_relationships(session: Session, person_ids: Iterable[int], *, on: date, party_name: str | None,
                           party_uscc: str | None = None,
                           records: Iterable[tuple[str, int]] = ()) -> dict[int, InspectorRelationship]:
    """Return, per person, a relationship in force on a date that they declared with the party: by its USCC, its
    name, or a registry record of it (the given ones and every organization, body or lab with its USCC)."""
    people = list(dict.fromkeys(person_ids))
    if not people:
        return {}
    stmt = select(InspectorRelationship).where(
        InspectorRelationship.person_id.in_(people), in_force(on))
    known = _party_records(session, party_uscc, records)
    name = normalize_name(party_name or "")
    found: dict[int, InspectorRelationship] = {}
    for rel in session.scalars(stmt.order_by(InspectorRelationship.id)):
        if ((party_uscc and rel.party_uscc == party_uscc) or (name and normalize_name(rel.party_name or "") == name)
                or (rel.object_type, rel.object_id) in known):
            found.setdefault(rel.person_id, rel)
    return found
