"""Lists the platform enforces: the serious-dishonesty list, barred people, revoked bodies.

Every list is a `registry.restrictions` row, the one enforcement point the certificate service (issuing,
auditor assignment), verification flags and the spot-check draw (inspector assignment) consult.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.credit.models import DishonestyListing
from certbridge.credit.schemas import ListingIn
from certbridge.credit.parameters import credit_setting
from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.kit.dates import add_months
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry import bodies, people
from certbridge.registry.models import CertificationBody, Organization, Person, Restriction
from certbridge.registry.restrictions import active_restrictions, impose_restriction, lift_restriction, same_identity

LISTABLE = {"organization": Organization, "body": CertificationBody, "person": Person}


def listing_state(item: DishonestyListing) -> dict[str, Any]:
    """Return a listing's state as events carry it."""
    keys = ("subject_type", "subject_id", "party_name", "party_uscc", "reason", "decision_number", "authority",
            "penalty_id", "restriction_id", "listed_on", "ends_on", "earliest_removal_on", "removed_on",
            "removal_kind", "removal_reason")
    return {key: getattr(item, key) for key in keys}


def listing_status(item: DishonestyListing, on: date) -> str:
    """Return listed, removed_early or ended."""
    if item.removal_kind == "early":
        return "removed_early"
    if item.removal_kind == "ended" or on > item.ends_on:
        return "ended"
    return "listed"


def get_listing(session: Session, listing_id: int) -> DishonestyListing:
    """Get a dishonesty listing by its id."""
    item = session.get(DishonestyListing, listing_id)
    if item is None:
        raise NotFound("dishonesty.not_found", id=listing_id)
    return item


def list_on_dishonesty_list(session: Session, *, principal: Principal, item: ListingIn,
                            today: date | None = None) -> DishonestyListing:
    """Put a subject on the serious-dishonesty list for the configured years (3 by default)."""
    require_regulator(principal)
    today = today or date.today()
    subject = session.get(LISTABLE[item.subject_type], item.subject_id)
    if subject is None:
        raise InvalidInput("dishonesty.subject_unknown", field="subject_id", kind=item.subject_type, id=item.subject_id)
    listed_on = item.listed_on or today
    if listed_on > today:
        raise InvalidInput("dishonesty.listed_in_future", field="listed_on", date=listed_on)
    if active_restrictions(session, item.subject_type, item.subject_id, listed_on, ("dishonesty_list",)):
        raise RuleViolation("dishonesty.already_listed", name=subject.name)
    ends_on = add_months(listed_on, 12 * credit_setting(session, "dishonesty_list_years")) - timedelta(days=1)
    earliest = add_months(listed_on, 12 * credit_setting(session, "early_removal_min_years"))
    restriction = impose_restriction(
        session, principal=principal, subject_type=item.subject_type, subject_id=item.subject_id,
        kind="dishonesty_list", reason=item.reason, starts_on=listed_on, ends_on=ends_on,
        source=item.decision_number, data={"authority": item.authority})
    listing = DishonestyListing(
        subject_type=item.subject_type, subject_id=item.subject_id, party_name=subject.name,
        party_uscc=getattr(subject, "uscc", None), reason=item.reason, decision_number=item.decision_number,
        authority=item.authority, penalty_id=item.penalty_id, restriction_id=restriction.id, listed_on=listed_on,
        ends_on=ends_on, earliest_removal_on=earliest)
    session.add(listing)
    session.flush()
    record_event(session, type="dishonesty.listed", subject_type="dishonesty_listing", subject_id=listing.id,
                 actor=principal.actor, data={"state": listing_state(listing)})
    return listing


def remove_from_dishonesty_list(session: Session, *, principal: Principal, listing_id: int, obligations_met: bool,
                                reason: str, on: date | None = None) -> DishonestyListing:
    """Remove a subject early: only after the minimum time (1 year) and once its obligations are met."""
    require_regulator(principal)
    listing = get_listing(session, listing_id)
    on = on or date.today()
    if listing_status(listing, on) != "listed":
        raise RuleViolation("dishonesty.not_listed", name=listing.party_name)
    if on < listing.earliest_removal_on:
        raise RuleViolation("dishonesty.removal_too_early", earliest=listing.earliest_removal_on)
    if not obligations_met:
        raise RuleViolation("dishonesty.obligations_unmet")
    lift_restriction(session, principal=principal, restriction_id=listing.restriction_id, on=on, reason=reason)
    listing.removed_on, listing.removal_kind, listing.removal_reason = on, "early", reason.strip()
    session.flush()
    record_event(session, type="dishonesty.removed", subject_type="dishonesty_listing", subject_id=listing.id,
                 actor=principal.actor, data={"state": {"removed_on": on, "removal_kind": "early",
                                                        "removal_reason": listing.removal_reason}})
    return listing


def end_expired_listings(session: Session, *, principal: Principal, on: date | None = None) -> int:
    """Record the automatic end of listings whose period is over (the restriction already stopped biting)."""
    require_regulator(principal)
    on = on or date.today()
    due = list(session.scalars(select(DishonestyListing).where(DishonestyListing.removal_kind.is_(None),
                                                                DishonestyListing.ends_on < on)))
    for listing in due:
        listing.removed_on, listing.removal_kind = listing.ends_on + timedelta(days=1), "ended"
        record_event(session, type="dishonesty.ended", subject_type="dishonesty_listing", subject_id=listing.id,
                     actor=principal.actor, data={"state": {"removed_on": listing.removed_on, "removal_kind": "ended"}})
    session.flush()
    return len(due)


def public_listings(session: Session, *, on: date | None = None, after_id: int = 0, limit: int = 50,
                    q: str | None = None) -> list[DishonestyListing]:
    """Return the entries on the list today, for the public."""
    on = on or date.today()
    stmt = select(DishonestyListing).where(DishonestyListing.id > after_id, DishonestyListing.listed_on <= on,
                                           DishonestyListing.ends_on >= on,
                                           DishonestyListing.removal_kind.is_(None))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(DishonestyListing.party_name.like(like) | DishonestyListing.party_uscc.like(like))
    return list(session.scalars(stmt.order_by(DishonestyListing.id).limit(limit)))


def bar_person(session: Session, *, principal: Principal, person_id: int, kind: str, reason: str,
               decision_number: str, starts_on: date | None = None) -> Restriction:
    """Bar a person (5 years after a false certification conclusion, or for life) and revoke registrations."""
    require_regulator(principal)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person.not_found", id=person_id)
    starts_on = starts_on or date.today()
    if kind == "false_conclusion":
        years = credit_setting(session, "person_bar_years")
        restriction_kind, ends_on = "barred", add_months(starts_on, 12 * years) - timedelta(days=1)
    elif kind == "lifetime":
        restriction_kind, ends_on = "lifetime_ban", None
    else:
        raise InvalidInput("bar.kind_unknown", field="kind", kind=kind)
    if active_restrictions(session, "person", person_id, starts_on, (restriction_kind,)):
        raise RuleViolation("bar.already_barred", name=person.name)
    restriction = impose_restriction(session, principal=principal, subject_type="person", subject_id=person_id,
                                     kind=restriction_kind, reason=reason, starts_on=starts_on, ends_on=ends_on,
                                     source=decision_number, data={"bar": kind})
    # the bar binds the person: the registrations of every record of the same identity are revoked
    for same in session.scalars(select(Person).where(Person.id.in_(same_identity("person", person_id)))
                                .order_by(Person.id)):
        for registration in list(same.registrations):
            if registration.status == "valid":
                people.revoke_registration(session, principal=principal, number=registration.number, reason=reason)
    return restriction


def revoke_body_approval(session: Session, *, principal: Principal, body_id: int, reason: str,
                         decision_number: str, permanent_exit: bool = False,
                         on: date | None = None) -> CertificationBody:
    """Revoke a body's approval (it can issue nothing from now on), optionally with permanent exit."""
    require_regulator(principal)
    body = bodies.set_body_status(session, principal=principal, body_id=body_id, status="revoked",
                                  reason=f"{reason.strip()}（{decision_number.strip()}）", on=on)
    if permanent_exit:
        impose_restriction(session, principal=principal, subject_type="body", subject_id=body_id,
                           kind="permanent_exit", reason=reason, starts_on=on or date.today(), ends_on=None,
                           source=decision_number)
    return body
