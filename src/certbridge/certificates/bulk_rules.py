"""The rules a bulk batch is validated against, as plain data, and the set-wise checks themselves.

`load_rules` reads what validation needs from the registry once (bodies and fields, schemes, standards,
regions, auditor registrations, bars); `validate_specs` applies to a whole batch the same DOMAIN rules that
`service.issue_certificate` and `workflow` apply to one certificate, naming the offending item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from certbridge.certificates.numbers import check_number
from certbridge.certificates.workflow import TRANSITIONS
from certbridge.errors import Conflict, InvalidInput, RuleViolation
from certbridge.ledger.journal import LedgerHead
from certbridge.kit.dates import add_months
from certbridge.kit.uscc import UsccResult, validate_uscc
from certbridge.registry.models import CertificationBody, PersonRegistration, Region, Restriction, Scheme, Standard

if TYPE_CHECKING:
    from certbridge.certificates.bulk import CertificateSpec, OrganizationSpec

ORGANIZATION_BARS = ("dishonesty_list", "permanent_exit", "reapplication_block")
PERSON_BARS = ("barred", "lifetime_ban")


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
    bodies: dict[int, tuple]  # id → (name, status, valid_until, fields)
    schemes: dict[str, tuple]  # code → (kind, field_code, validity_years, max_suspension_months, pattern, block)
    standards: dict[int, tuple]  # id → (scheme_code, code, version, transition_deadline)
    regions: frozenset[str]
    registrations: dict[str, tuple]  # number → (person_id, body_id, name, status, valid_until)
    person_bars: dict[int, list[tuple]]  # person_id → [(starts, ends, lifted, reason, data)]
    holder_bars: dict[int, list[tuple]]  # organization_id → [(starts, ends, lifted, reason, kind, scheme)]
    fresh: bool  # no certificate and no organization existed when loaded: uniqueness is the batch's own


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def load_rules(session: Session, *, organization_ids: set[int] = frozenset()) -> BulkRules:
    """Load the registry facts batches are validated against (bodies, schemes, auditors, bars, regions)."""
    from certbridge.certificates.models import Certificate
    from certbridge.registry.models import Organization, Person

    bodies = {b.id: (b.name, b.status, b.valid_until, frozenset(f.field_code for f in b.fields))
              for b in session.scalars(select(CertificationBody).options(selectinload(CertificationBody.fields)))}
    schemes = {s.code: (s.kind, s.field_code, s.validity_years, s.max_suspension_months, s.number_pattern,
                        s.reapply_block_months) for s in session.scalars(select(Scheme))}
    standards = {s.id: (s.scheme_code, s.code, s.version, s.transition_deadline) for s in session.scalars(select(Standard))}
    registrations = {reg.number: (reg.person_id, body_id, name, reg.status, reg.valid_until) for reg, body_id, name
                     in session.execute(select(PersonRegistration, Person.body_id, Person.name)
                                        .join(Person, Person.id == PersonRegistration.person_id))}
    person_bars: dict[int, list] = {}
    for r in session.scalars(select(Restriction).where(Restriction.subject_type == "person",
                                                       Restriction.kind.in_(PERSON_BARS))):
        person_bars.setdefault(r.subject_id, []).append((r.starts_on, r.ends_on, r.lifted_on, r.reason, r.kind))
    holder_bars: dict[int, list] = {}
    for part in _chunks(sorted(organization_ids)):
        for r in session.scalars(select(Restriction).where(Restriction.subject_type == "organization",
                                                           Restriction.subject_id.in_(part),
                                                           Restriction.kind.in_(ORGANIZATION_BARS))):
            holder_bars.setdefault(r.subject_id, []).append(
                (r.starts_on, r.ends_on, r.lifted_on, r.reason, r.kind, (r.data or {}).get("scheme")))
    fresh = session.scalar(select(Certificate.id).limit(1)) is None and \
        session.scalar(select(Organization.id).limit(1)) is None
    size = session.scalar(select(LedgerHead.size).where(LedgerHead.id == 1)) or 0
    return BulkRules(size, bodies, schemes, standards, frozenset(session.scalars(select(Region.code))),
                     registrations, person_bars, holder_bars, fresh)


def _in_force(bar: tuple, on: date) -> bool:
    starts, ends, lifted = bar[0], bar[1], bar[2]
    return starts <= on and (ends is None or ends >= on) and (lifted is None or lifted > on)


def _usable(reg: tuple, on: date) -> str | None:
    if reg[3] != "valid":
        return "person.registration_not_valid"
    if reg[4] is not None and on > reg[4]:
        return "person.registration_expired"
    return None


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


def _check_steps(spec: CertificateSpec, where: str, scheme: tuple, today: date) -> tuple[str, str | None]:
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
            longest = min(add_months(step.on, scheme[3]), spec.expires_on)
            if step.until is None or step.until <= step.on or step.until > longest:
                raise InvalidInput("certificate.suspension_too_long", field=f"{where}.steps", months=scheme[3],
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
    registrations, person_bars = rules.registrations, rules.person_bars
    for index, audit in enumerate(spec.audits):
        start_on = audit.start_on
        if audit.end_on < start_on:
            raise InvalidInput("date.order", field=f"{where}.audits[{index}].end_on", start=start_on, end=audit.end_on)
        if not audit.auditors:
            raise InvalidInput("audit.no_auditors", field=f"{where}.audits[{index}].auditors")
        if index and start_on > today:
            raise InvalidInput("certificate.date_in_future", field=f"{where}.audits[{index}].start_on", date=start_on)
        if index and start_on < spec.issued_on:
            raise InvalidInput("date.order", field=f"{where}.audits[{index}].start_on", start=spec.issued_on,
                               end=start_on)
        seen = set()
        for person_id, number, _role in audit.auditors:
            reg = registrations.get(number)
            problem = ("auditor.unregistered" if reg is None or reg[0] != person_id else _usable(reg, start_on)
                       or ("auditor.other_body" if reg[1] != spec.body_id else None))
            bars = person_bars.get(person_id, ())
            if problem or bars or person_id in seen:
                _refuse_auditor(problem, bars, person_id in seen, number, reg, f"{where}.audits[{index}].auditors",
                                start_on, today)
            seen.add(person_id)


def _refuse_auditor(problem: str | None, bars: list[tuple], repeated: bool, number: str, reg: tuple | None,
                    field: str, start_on: date, today: date) -> None:
    # Raises in the order the checks were made one by one: registration, body, bars, repetition.
    if problem == "auditor.unregistered":
        raise InvalidInput(problem, field=field, number=number)
    if problem == "auditor.other_body":
        raise RuleViolation(problem, field=field, number=number, name=reg[2])
    if problem:
        raise RuleViolation(problem, field=field, number=number)
    for bar in bars:
        if _in_force(bar, start_on) or _in_force(bar, today):
            raise RuleViolation("auditor.barred", field=field, number=number, name=reg[2], reason=bar[3])
    if repeated:
        raise InvalidInput("audit.duplicate_auditor", field=field, number=number)


def _check_certificate(spec: CertificateSpec, where: str, rules: BulkRules, today: date) -> tuple:
    body, scheme = rules.bodies.get(spec.body_id), rules.schemes.get(spec.scheme_code)
    if body is None:
        raise InvalidInput("body.not_found", field=f"{where}.body_id", id=spec.body_id)
    if scheme is None:
        raise InvalidInput("scheme.not_found", field=f"{where}.scheme", code=spec.scheme_code)
    name, status, valid_until, fields = body
    problem = ("body.not_approved" if status != "approved" else
               "body.approval_expired" if valid_until is not None and spec.issued_on > valid_until else
               "body.field_not_approved" if scheme[1] not in fields else None)
    if problem:
        raise RuleViolation(problem, field=f"{where}.body_id", body=name, field_code=scheme[1], scheme=spec.scheme_code)
    if check_number(spec.number, pattern=scheme[4], field=f"{where}.number") != spec.number:
        raise InvalidInput("certificate.number_spaces", field=f"{where}.number", value=spec.number)
    if spec.issued_on > today:
        raise InvalidInput("certificate.issued_in_future", field=f"{where}.issued_on", date=spec.issued_on)
    if spec.expires_on <= spec.issued_on:
        raise InvalidInput("date.order", field=f"{where}.expires_on", start=spec.issued_on, end=spec.expires_on)
    if spec.expires_on > add_months(spec.issued_on, 12 * scheme[2]):
        raise InvalidInput("certificate.validity_too_long", field=f"{where}.expires_on", years=scheme[2])
    if scheme[0] == "product" and not spec.product:
        raise InvalidInput("certificate.product_required", field=f"{where}.product")
    if spec.standard_id is not None:
        std = rules.standards.get(spec.standard_id)
        if std is None or std[0] != spec.scheme_code:
            raise InvalidInput("standard.not_found", field=f"{where}.standard_id", id=spec.standard_id)
        if std[3] is not None and spec.issued_on > std[3]:
            raise InvalidInput("standard.transition_over", field=f"{where}.standard_id", code=std[1],
                               version=std[2], deadline=std[3].isoformat())
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
    for bar in rules.holder_bars.get(-spec.organization, ()):
        if _in_force(bar, today) and (bar[4] != "reapplication_block" or bar[5] in (None, spec.scheme_code)):
            raise RuleViolation(f"holder.{bar[4]}", field=f"{where}.holder", reason=bar[3],
                                until=bar[1].isoformat() if bar[1] else "—")
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
                           body=rules.bodies[spec.body_id][0])
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


