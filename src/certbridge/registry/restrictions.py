"""Bars that every service enforces: barred people, listed organizations, re-application blocks.

A bar on a person or a body binds its identity, not the record it was imposed on: `active_restrictions`
of a person includes the restrictions of every person record with the same ID-document fingerprint, and of
a body those of every body with the same USCC (registry.identity), so a new record or a new code sheds nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Person, Restriction
from certbridge.registry.snapshots import restriction_state

SUBJECT_TYPES = ("body", "person", "organization")
KINDS = ("barred", "dishonesty_list", "reapplication_block", "lifetime_ban", "permanent_exit")


def active_restrictions(
    session: Session, subject_type: str, subject_id: int, on: date, kinds: tuple[str, ...] = KINDS
) -> list[Restriction]:
    """Return the restrictions in force on a subject on a date, those of its other records included."""
    stmt = select(Restriction).where(
        Restriction.subject_type == subject_type,
        Restriction.subject_id.in_(same_identity(subject_type, subject_id)),
        Restriction.kind.in_(kinds),
        Restriction.starts_on <= on,
        or_(Restriction.ends_on.is_(None), Restriction.ends_on >= on),
        or_(Restriction.lifted_on.is_(None), Restriction.lifted_on > on),
    )
    return list(session.scalars(stmt.order_by(Restriction.id)))


def same_identity(subject_type: str, subject_id: int):
    """Return a selectable of the ids of every record that is the same person (fingerprint) or body (USCC)."""
    if subject_type == "person":
        mine = select(Person.id_fingerprint).where(Person.id == subject_id).scalar_subquery()
        return select(Person.id).where(or_(Person.id == subject_id, Person.id_fingerprint == mine))
    if subject_type == "body":
        mine = select(CertificationBody.uscc).where(CertificationBody.id == subject_id).scalar_subquery()
        return select(CertificationBody.id).where(or_(CertificationBody.id == subject_id,
                                                      CertificationBody.uscc == mine))
    return [subject_id]


def restrictions_in_force(session: Session, subject_type: str, ids, on: date, kinds: tuple[str, ...]) -> list[Restriction]:
    """Return the restrictions of these kinds in force on a date on any of these subject ids (a list or select)."""
    stmt = select(Restriction).where(
        Restriction.subject_type == subject_type, Restriction.subject_id.in_(ids), Restriction.kind.in_(kinds),
        Restriction.starts_on <= on, or_(Restriction.ends_on.is_(None), Restriction.ends_on >= on),
        or_(Restriction.lifted_on.is_(None), Restriction.lifted_on > on))
    return list(session.scalars(stmt.order_by(Restriction.id)))


def refuse_if_banned(bans: list[Restriction], code: str, **params) -> None:
    """Raise RuleViolation `code` naming the first ban, its kind, reason, decision and end, if there is one."""
    if bans:
        ban = bans[0]
        raise RuleViolation(code, ban=ban.kind, reason=ban.reason, source=ban.source or "—",
                            until=ban.ends_on.isoformat() if ban.ends_on else "—", **params)


def impose_restriction(
    session: Session,
    *,
    principal: Principal | None,
    subject_type: str,
    subject_id: int,
    kind: str,
    reason: str,
    starts_on: date,
    ends_on: date | None,
    source: str | None = None,
    data: dict | None = None,
    actor: str | None = None,
) -> Restriction:
    """Impose a restriction (regulators; the certificate workflow for re-application blocks)."""
    if principal is not None:
        require_regulator(principal)
    if subject_type not in SUBJECT_TYPES:
        raise InvalidInput("restriction.subject_unknown", field="subject_type", value=subject_type)
    if kind not in KINDS:
        raise InvalidInput("restriction.kind_unknown", field="kind", value=kind)
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("date.order", field="ends_on", start=starts_on, end=ends_on)
    item = Restriction(subject_type=subject_type, subject_id=subject_id, kind=kind, reason=reason,
                       starts_on=starts_on, ends_on=ends_on, source=source, data=data or {})
    session.add(item)
    session.flush()
    record_event(session, type="restriction.imposed", subject_type="restriction", subject_id=item.id,
                 actor=actor or (principal.actor if principal else "system"),
                 data={"state": restriction_state(item)})
    return item


def lift_restriction(session: Session, *, principal: Principal, restriction_id: int, on: date, reason: str) -> Restriction:
    """Lift a restriction early (credit repair, early removal from a list)."""
    require_regulator(principal)
    item = session.get(Restriction, restriction_id)
    if item is None:
        raise NotFound("restriction.not_found", id=restriction_id)
    if item.lifted_on is not None:
        raise RuleViolation("restriction.already_lifted", id=restriction_id)
    item.lifted_on = on
    session.flush()
    record_event(session, type="restriction.lifted", subject_type="restriction", subject_id=item.id,
                 actor=principal.actor, data={"state": {"lifted_on": on.isoformat()}, "reason": reason})
    return item
