"""Validating a bulk batch against the shared issue rules (`certificates.rules`), with its facts loaded once.

`load_rules` reads what validation needs from the registry once (bodies and fields, schemes, standards,
regions, auditor registrations, bars — a person's spread over every record of their identity) as the same
plain facts `rules` checks; `validate_specs` applies to a whole batch, item by item, the very functions
`service.issue_certificate` applies to one certificate, plus what only a batch has (uniqueness inside the
batch, renewal chains, recorded status steps checked against `workflow.TRANSITIONS`), naming the offending item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from certbridge.certificates.bulk_specs import CertificateSpec, OrganizationSpec
from certbridge.certificates.rules import (
    BarFacts,
    BodyFacts,
    RegistrationFacts,
    SchemeFacts,
    StandardFacts,
    all_person_bars,
    body_facts,
    check_audit,
    check_body_may_issue,
    check_holder,
    check_number_and_dates,
    check_product,
    check_standard_in_force,
    holder_bars_of,
    scheme_facts,
    standard_facts,
)
from certbridge.certificates.workflow import TRANSITIONS
from certbridge.errors import Conflict, InvalidInput, RuleViolation
from certbridge.ledger.journal import LedgerHead
from certbridge.kit.dates import add_months
from certbridge.kit.uscc import UsccResult, validate_uscc
from certbridge.registry.models import CertificationBody, PersonRegistration, Region, Scheme, Standard


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


_ACTION_FOR = {target: action for action, (_, target) in TRANSITIONS.items()}


@dataclass
class BulkRules:
    """The registry facts a batch is validated against, loaded once, picklable for a generator process.

    They stay true while the ledger does not move: every write appends an event, so `write_batch` accepts a
    batch only at the log position it was prepared for (the rules' own batches excepted, tracked here).
    """

    log_size: int
    bodies: dict[int, BodyFacts]
    schemes: dict[str, SchemeFacts]
    standards: dict[int, StandardFacts]
    regions: frozenset[str]
    registrations: dict[str, RegistrationFacts]
    person_bars: dict[int, list[BarFacts]]  # person id → bars on any record of the same identity
    holder_bars: dict[int, list[BarFacts]]  # organization id → listings, exits, re-application blocks
    fresh: bool  # no certificate and no organization existed when loaded: uniqueness is the batch's own


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def load_rules(session: Session, *, organization_ids: set[int] = frozenset()) -> BulkRules:
    """Load the registry facts batches are validated against (bodies, schemes, auditors, bars, regions)."""
    from certbridge.certificates.models import Certificate
    from certbridge.registry.models import Organization, Person

    bodies = {b.id: body_facts(b)
              for b in session.scalars(select(CertificationBody).options(selectinload(CertificationBody.fields)))}
    schemes = {s.code: scheme_facts(s) for s in session.scalars(select(Scheme))}
    standards = {s.id: standard_facts(s) for s in session.scalars(select(Standard))}
    registrations = {number: RegistrationFacts(*rest) for number, *rest in session.execute(
        select(PersonRegistration.number, PersonRegistration.person_id, Person.body_id, Person.name,
               PersonRegistration.status, PersonRegistration.valid_until)
        .join(Person, Person.id == PersonRegistration.person_id))}
    fresh = session.scalar(select(Certificate.id).limit(1)) is None and \
        session.scalar(select(Organization.id).limit(1)) is None
    size = session.scalar(select(LedgerHead.size).where(LedgerHead.id == 1)) or 0
    return BulkRules(size, bodies, schemes, standards, frozenset(session.scalars(select(Region.code))),
                     registrations, all_person_bars(session), holder_bars_of(session, organization_ids), fresh)


def _check_organizations(organizations: list[OrganizationSpec], rules: BulkRules,
                         checked: dict[str, UsccResult]) -> list[bool]:
    seen: set[str] = set()
    needs_check = []
    for index, org in enumerate(organizations):
        where = f"organizations[{index}]"
        result = checked.get(org.uscc) or validate_uscc(org.uscc)
        if result.status == "invalid":
            problem = result.problems[0]
            raise InvalidInput(problem.code, field=f"{where}.uscc", **problem.params)
        if result.code != org.uscc or org.uscc in seen:
            raise Conflict("organization.uscc_taken", field=f"{where}.uscc", uscc=org.uscc)
        seen.add(org.uscc)
        needs_check.append(result.status == "checksum_failed")
        if not org.name.strip() or org.name != org.name.strip():
            raise InvalidInput("field.required", field=f"{where}.name")
        if len(org.name) > 200:
            raise InvalidInput("field.too_long", field=f"{where}.name", max=200)
        if org.region_code is not None and org.region_code not in rules.regions:
            raise InvalidInput("region.unknown", field=f"{where}.region_code", code=org.region_code)
    return needs_check


def _check_steps(spec: CertificateSpec, where: str, scheme: SchemeFacts, today: date) -> tuple[str, str | None]:
    status, changed, until, reason = "valid", spec.issued_on, None, None
    for step in spec.steps:
        action = _ACTION_FOR.get(step.status)
        if action is None or status not in TRANSITIONS[action][0]:
            raise RuleViolation("certificate.transition", field=f"{where}.steps", action=action or step.status,
                                status=status, target=step.status)
        if step.on < changed:
            raise InvalidInput("certificate.date_before_last_change", field=f"{where}.steps", date=step.on,
                               last=changed)
        if step.on > today:
            raise InvalidInput("certificate.date_in_future", field=f"{where}.steps", date=step.on)
        if step.status == "suspended":
            longest = min(add_months(step.on, scheme.max_suspension_months), spec.expires_on)
            if step.until is None or step.until <= step.on or step.until > longest:
                raise InvalidInput("certificate.suspension_too_long", field=f"{where}.steps", months=scheme.max_suspension_months,
                                   latest=longest.isoformat())
        if action == "restore" and ((until is not None and step.on > until) or step.on > spec.expires_on):
            raise RuleViolation("certificate.suspension_ended", field=f"{where}.steps", until=_iso(until))
        if action == "expire" and step.on < spec.expires_on and step.reason != "renewed":
            raise RuleViolation("certificate.not_yet_expired", field=f"{where}.steps",
                                expires_on=spec.expires_on.isoformat())
        status, changed, reason = step.status, step.on, step.reason
        until = step.until if step.status == "suspended" else None
    return status, reason


def _check_audits(spec: CertificateSpec, where: str, rules: BulkRules, today: date) -> None:
    for index, audit in enumerate(spec.audits):
        prefix = f"{where}.audits[{index}]."
        if index and audit.start_on > today:  # a recorded later audit (history), not the issuing one
            raise InvalidInput("certificate.date_in_future", field=f"{prefix}start_on", date=audit.start_on)
        if index and audit.start_on < spec.issued_on:
            raise InvalidInput("date.order", field=f"{prefix}start_on", start=spec.issued_on, end=audit.start_on)
        numbers = [number for _, number, _ in audit.auditors]
        people = check_audit(audit.start_on, audit.end_on, numbers, rules.registrations, rules.person_bars,
                             spec.body_id, today, prefix=prefix)
        for (person_id, number, _), found in zip(audit.auditors, people, strict=True):
            if person_id != found:  # the batch names another person than the registration's
                raise InvalidInput("auditor.unregistered", field=f"{prefix}auditors", number=number)


def _check_certificate(spec: CertificateSpec, where: str, rules: BulkRules, today: date) -> SchemeFacts:
    body, scheme = rules.bodies.get(spec.body_id), rules.schemes.get(spec.scheme_code)
    if body is None:
        raise InvalidInput("body.not_found", field=f"{where}.body_id", id=spec.body_id)
    if scheme is None:
        raise InvalidInput("scheme.not_found", field=f"{where}.scheme", code=spec.scheme_code)
    check_body_may_issue(body, scheme, spec.scheme_code, spec.issued_on, field=f"{where}.body_id")
    number, _ = check_number_and_dates(spec.number, scheme, spec.issued_on, spec.expires_on, today, f"{where}.")
    if number != spec.number:
        raise InvalidInput("certificate.number_spaces", field=f"{where}.number", value=spec.number)
    check_product(scheme, spec.product, f"{where}.")
    if spec.standard_id is not None:
        std = rules.standards.get(spec.standard_id)
        if std is None or std.scheme_code != spec.scheme_code:
            raise InvalidInput("standard.not_found", field=f"{where}.standard_id", id=spec.standard_id)
        check_standard_in_force(std, spec.issued_on, field=f"{where}.standard_id")
    regions = rules.regions
    if spec.region_code is not None and spec.region_code not in regions:
        raise InvalidInput("region.unknown", field=f"{where}.region_code", code=spec.region_code)
    for site in spec.sites:
        if site[2] is not None and site[2] not in regions:
            raise InvalidInput("region.unknown", field=f"{where}.region_code", code=site[2])
    if not spec.scope.strip():
        raise InvalidInput("field.required", field=f"{where}.scope")
    if not spec.holder_name.strip():
        raise InvalidInput("field.required", field=f"{where}.holder_name")
    check_holder(rules.holder_bars.get(-spec.organization, ()), spec.scheme_code, today, field=f"{where}.holder")
    _check_audits(spec, where, rules, today)
    return scheme


def validate_specs(organizations: list[OrganizationSpec], certificates: list[CertificateSpec], *, rules: BulkRules,
                   today: date, uscc_results: dict[str, UsccResult] | None = None) -> list[bool]:
    """Refuse a batch that breaks a DOMAIN rule a single issue would refuse, naming the offending item.

    Returns each organization's "USCC needs a manual check" flag. `uscc_results` holds validations the
    caller already made (normalized code → result), so no code is checked twice.
    """
    needs_check = _check_organizations(organizations, rules, uscc_results or {})
    taken: set[tuple[int, str]] = set()
    finals: list[tuple[str, str | None]] = []
    successors: set[int] = set()
    for index, spec in enumerate(certificates):
        where = f"certificates[{index}]"
        scheme = _check_certificate(spec, where, rules, today)
        key = (spec.body_id, spec.number)
        if key in taken:
            raise Conflict("certificate.number_taken", field=f"{where}.number", number=spec.number,
                           body=rules.bodies[spec.body_id].name)
        taken.add(key)
        if spec.organization >= len(organizations):
            raise InvalidInput("organization.not_found", field=f"{where}.organization", id=spec.organization)
        if spec.previous is not None:
            prev = certificates[spec.previous] if 0 <= spec.previous < index else None
            if prev is not None and spec.previous in successors:
                raise RuleViolation("certificate.already_renewed", field=f"{where}.previous",
                                    successor=spec.number)
            if prev is None or finals[spec.previous] != ("expired", "renewed") or (
                    prev.body_id, prev.scheme_code, prev.organization) != (spec.body_id, spec.scheme_code,
                                                                           spec.organization):
                raise RuleViolation("certificate.transition", field=f"{where}.previous", action="renew",
                                    status=finals[spec.previous][0] if prev else "—", target="valid")
            successors.add(spec.previous)
        finals.append(_check_steps(spec, where, scheme, today))
    return needs_check


