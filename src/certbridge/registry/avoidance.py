"""Avoidance (回避) rules shared by spot checks and licensing review teams: who may not inspect or review whom."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.kit.chinese_text import normalize_name
from certbridge.registry.models import Person, Restriction

# Restrictions on a person that keep them off every inspection and review.
INSPECTOR_BARS = ("barred", "lifetime_ban")


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
