"""Eligibility rules every issuing path shares — single issue, bulk import, web and API: body, dates, holder, auditors.

The rules work on plain facts (`BodyFacts`, `SchemeFacts`, `RegistrationFacts`, `BarFacts`), so a caller may
load them one by one (a single issue: `registrations_of`, `person_bars_of`, `holder_bars_of`) or once for a
whole batch (`certificates.bulk_rules.load_rules`), and both get the same refusal with the same message.
Bars bind a person's identity: `person_bars_of` returns, for each person record, the bars of every record
with the same ID-document fingerprint (registry.identity).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.numbers import check_number
from certbridge.errors import InvalidInput, RuleViolation
from certbridge.kit.dates import add_months
from certbridge.registry.models import CertificationBody, Person, PersonRegistration, Restriction, Scheme, Standard
from certbridge.registry.restrictions import same_identity

PERSON_BARS = ("barred", "lifetime_ban")
ORGANIZATION_BARS = ("dishonesty_list", "permanent_exit", "reapplication_block")


class BodyFacts(NamedTuple):
    """What issuing needs of a body."""

    name: str
    status: str
    valid_until: date | None
    fields: frozenset[str]


class SchemeFacts(NamedTuple):
    """What issuing needs of a scheme (its configurable rules)."""

    kind: str
    field_code: str
    validity_years: int
    max_suspension_months: int
    number_pattern: str | None
    reapply_block_months: int


class StandardFacts(NamedTuple):
    """A standard version and its transition deadline."""

    scheme_code: str
    code: str
    version: str
    transition_deadline: date | None


class RegistrationFacts(NamedTuple):
    """An auditor registration and the person and body behind it."""

    person_id: int
    body_id: int | None
    name: str
    status: str
    valid_until: date | None


class BarFacts(NamedTuple):
    """A restriction as the rules read it; `subject_id` is the record it was imposed on."""

    kind: str
    starts_on: date
    ends_on: date | None
    lifted_on: date | None
    reason: str
    source: str | None
    scheme: str | None
    subject_id: int

    def in_force(self, on: date) -> bool:
        """Tell whether the bar applies on a date."""
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on) and (
            self.lifted_on is None or self.lifted_on > on)


# --- facts, loaded one by one --------------------------------------------------------------------------

def body_facts(body: CertificationBody) -> BodyFacts:
    """Return the facts of a body row."""
    return BodyFacts(body.name, body.status, body.valid_until, frozenset(f.field_code for f in body.fields))


def scheme_facts(scheme: Scheme) -> SchemeFacts:
    """Return the facts of a scheme row."""
    return SchemeFacts(scheme.kind, scheme.field_code, scheme.validity_years, scheme.max_suspension_months,
                       scheme.number_pattern, scheme.reapply_block_months)


def standard_facts(std: Standard) -> StandardFacts:
    """Return the facts of a standard row."""
    return StandardFacts(std.scheme_code, std.code, std.version, std.transition_deadline)


def bar_facts(r: Restriction) -> BarFacts:
    """Return the facts of a restriction row."""
    return BarFacts(r.kind, r.starts_on, r.ends_on, r.lifted_on, r.reason, r.source, (r.data or {}).get("scheme"),
                    r.subject_id)


def registrations_of(session: Session, numbers: Iterable[str]) -> dict[str, RegistrationFacts]:
    """Return the registrations with these (normalized) numbers."""
    numbers = sorted(set(numbers))
    if not numbers:
        return {}
    stmt = (select(PersonRegistration.number, PersonRegistration.person_id, Person.body_id, Person.name,
                   PersonRegistration.status, PersonRegistration.valid_until)
            .join(Person, Person.id == PersonRegistration.person_id).where(PersonRegistration.number.in_(numbers)))
    return {row[0]: RegistrationFacts(*row[1:]) for row in session.execute(stmt)}


def person_bars_of(session: Session, person_ids: Iterable[int]) -> dict[int, list[BarFacts]]:
    """Return each person's bars, those imposed on any record of the same identity included."""
    out: dict[int, list[BarFacts]] = {}
    for person_id in sorted(set(person_ids)):
        stmt = select(Restriction).where(Restriction.subject_type == "person", Restriction.kind.in_(PERSON_BARS),
                                         Restriction.subject_id.in_(same_identity("person", person_id)))
        bars = [bar_facts(r) for r in session.scalars(stmt.order_by(Restriction.id))]
        if bars:
            out[person_id] = bars
    return out


def holder_bars_of(session: Session, organization_ids: Iterable[int]) -> dict[int, list[BarFacts]]:
    """Return the listings, exits and re-application blocks of these organizations."""
    ids = sorted(set(organization_ids))
    out: dict[int, list[BarFacts]] = {}
    for start in range(0, len(ids), 900):
        stmt = select(Restriction).where(Restriction.subject_type == "organization",
                                         Restriction.subject_id.in_(ids[start:start + 900]),
                                         Restriction.kind.in_(ORGANIZATION_BARS))
        for r in session.scalars(stmt.order_by(Restriction.id)):
            out.setdefault(r.subject_id, []).append(bar_facts(r))
    return out


def identity_groups(session: Session) -> dict[int, list[int]]:
    """Return, for every person record with an ID fingerprint, the ids of all records of the same identity."""
    by_print: dict[str, list[int]] = {}
    for pid, fp in session.execute(select(Person.id, Person.id_fingerprint).where(Person.id_fingerprint.is_not(None))):
        by_print.setdefault(fp, []).append(pid)
    return {pid: ids for ids in by_print.values() if len(ids) > 1 for pid in ids}


def all_person_bars(session: Session) -> dict[int, list[BarFacts]]:
    """Return every person's bars, spread over every record of the same identity (for a whole batch)."""
    groups = identity_groups(session)
    out: dict[int, list[BarFacts]] = {}
    stmt = select(Restriction).where(Restriction.subject_type == "person", Restriction.kind.in_(PERSON_BARS))
    for r in session.scalars(stmt.order_by(Restriction.id)):
        bar = bar_facts(r)
        for pid in groups.get(r.subject_id, [r.subject_id]):
            out.setdefault(pid, []).append(bar)
    return out


# --- the rules ----------------------------------------------------------------------------------------

def check_body_may_issue(body: BodyFacts, scheme: SchemeFacts, scheme_code: str, on: date,
                         field: str | None = None) -> None:
    """Refuse if the body is not approved, its approval lapsed, or the scheme is outside its fields."""
    problem = ("body.not_approved" if body.status != "approved" else
               "body.approval_expired" if body.valid_until is not None and on > body.valid_until else
               "body.field_not_approved" if scheme.field_code not in body.fields else None)
    if problem:
        raise RuleViolation(problem, field=field, body=body.name, field_code=scheme.field_code, scheme=scheme_code)


def check_number_and_dates(raw_number: str, scheme: SchemeFacts, issued_on: date, expires_on: date | None,
                           today: date, prefix: str = "") -> tuple[str, date]:
    """Return the checked number and end date: number format, not issued in the future, validity within the scheme's."""
    number = check_number(raw_number, pattern=scheme.number_pattern, field=f"{prefix}number")
    if issued_on > today:
        raise InvalidInput("certificate.issued_in_future", field=f"{prefix}issued_on", date=issued_on)
    longest = add_months(issued_on, 12 * scheme.validity_years)
    expires_on = expires_on or longest
    if expires_on <= issued_on:
        raise InvalidInput("date.order", field=f"{prefix}expires_on", start=issued_on, end=expires_on)
    if expires_on > longest:
        raise InvalidInput("certificate.validity_too_long", field=f"{prefix}expires_on", years=scheme.validity_years)
    return number, expires_on


def check_product(scheme: SchemeFacts, product: Any, prefix: str = "") -> None:
    """Refuse a product certificate without product particulars."""
    if scheme.kind == "product" and not product:
        raise InvalidInput("certificate.product_required", field=f"{prefix}product")


def check_standard_in_force(std: StandardFacts, issued_on: date, field: str = "standard_version") -> None:
    """Refuse a standard version whose transition deadline had passed on the issue date."""
    if std.transition_deadline is not None and issued_on > std.transition_deadline:
        raise InvalidInput("standard.transition_over", field=field, code=std.code, version=std.version,
                           deadline=std.transition_deadline.isoformat())


def check_holder(bars: Iterable[BarFacts], scheme_code: str, on: date, field: str | None = None) -> None:
    """Refuse a listed or exited organization, or one under a re-application block for this scheme."""
    for bar in bars:
        if bar.in_force(on) and (bar.kind != "reapplication_block" or bar.scheme in (None, scheme_code)):
            raise RuleViolation(f"holder.{bar.kind}", field=field, reason=bar.reason,
                                until=bar.ends_on.isoformat() if bar.ends_on else "—")


def check_auditor(raw_number: str, registrations: dict[str, RegistrationFacts], bars: dict[int, list[BarFacts]],
                  body_id: int, on: date, today: date, field: str = "auditors") -> RegistrationFacts:
    """Return the registration behind a number, refusing unregistered, foreign, barred or banned people.

    A bar refuses the assignment if it is in force on the audit date or today (a barred person can be put on
    no audit, even a back-dated one), whichever record of the person's identity it was imposed on; it is
    named first, before the registrations it revoked. The registration must have been valid on the audit date.
    """
    number = raw_number.strip().upper()
    reg = registrations.get(number)
    if reg is None:
        raise InvalidInput("auditor.unregistered", field=field, number=number)
    for bar in bars.get(reg.person_id, ()):
        if bar.in_force(on) or bar.in_force(today):
            if bar.subject_id == reg.person_id:
                raise RuleViolation("auditor.barred", field=field, number=number, name=reg.name, reason=bar.reason)
            raise RuleViolation("auditor.identity_banned", field=field, number=number, name=reg.name, ban=bar.kind,
                                reason=bar.reason, source=bar.source or "—",
                                until=bar.ends_on.isoformat() if bar.ends_on else "—")
    if reg.status != "valid":
        raise RuleViolation("person.registration_not_valid", field=field, number=number)
    if reg.valid_until is not None and on > reg.valid_until:
        raise RuleViolation("person.registration_expired", field=field, number=number)
    if reg.body_id != body_id:
        raise RuleViolation("auditor.other_body", field=field, number=number, name=reg.name)
    return reg


def check_audit(start_on: date, end_on: date, numbers: list[str], registrations: dict[str, RegistrationFacts],
                bars: dict[int, list[BarFacts]], body_id: int, today: date, prefix: str = "audits[0].") -> list[int]:
    """Check an audit's dates and team; return the person id of each auditor, in order."""
    if end_on < start_on:
        raise InvalidInput("date.order", field=f"{prefix}end_on", start=start_on, end=end_on)
    if not numbers:
        raise InvalidInput("audit.no_auditors", field=f"{prefix}auditors")
    people: list[int] = []
    for number in numbers:
        reg = check_auditor(number, registrations, bars, body_id, start_on, today, field=f"{prefix}auditors")
        if reg.person_id in people:
            raise InvalidInput("audit.duplicate_auditor", field=f"{prefix}auditors", number=number)
        people.append(reg.person_id)
    return people
