"""Registry writes: organizations and their identifiers. Bodies, labs, people: see sibling modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import Conflict, InvalidInput, NotFound
from certbridge.kit.chinese_text import normalize_name
from certbridge.kit.text_input import normalize_identifier
from certbridge.kit.uscc import validate_uscc
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry import search
from certbridge.registry.models import Organization, OrganizationIdentifier, Region
from certbridge.registry.snapshots import organization_state

IDENTIFIER_SCHEMES = ("uscc", "org_code", "reg_no", "vat", "lei", "duns", "foreign")  # foreign: "CC:home-register id"


def check_uscc(code: str, *, field: str = "uscc") -> tuple[str, bool]:
    """Validate a USCC; return (normalized code, needs manual check) or raise with the reason."""
    result = validate_uscc(code)
    if result.status == "invalid":
        problem = result.problems[0]
        raise InvalidInput(problem.code, field=field, **problem.params)
    return result.code, result.status == "checksum_failed"


def check_region(session: Session, code: str | None, *, field: str = "region_code") -> str | None:
    """Refuse a region code that is not in the GB/T 2260 table."""
    if code is None or code == "":
        return None
    if session.get(Region, code) is None:
        raise InvalidInput("region.unknown", field=field, code=code)
    return code


def get_organization(session: Session, organization_id: int) -> Organization:
    """Get an organization by its id."""
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFound("organization.not_found", id=organization_id)
    return org


def find_organization_by_uscc(session: Session, uscc: str) -> Organization | None:
    """Find an organization by its 统一社会信用代码."""
    return session.scalar(select(Organization).where(Organization.uscc == normalize_identifier(uscc, upper=True)))


def _check_name(name: str | None, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("field.required", field=field)
    if len(name) > 200:
        raise InvalidInput("field.too_long", field=field, max=200)
    return name


def _organization_from_fields(session: Session, org: Organization, fields: dict[str, Any]) -> None:
    if "name" in fields:
        org.name = _check_name(fields["name"])
        org.search_name = normalize_name(org.name)
    for key in ("name_en", "address", "industry"):
        if key in fields:
            setattr(org, key, (fields[key] or None))
    if "region_code" in fields:
        org.region_code = check_region(session, fields["region_code"])


def _sync_identifiers(session: Session, org: Organization, identifiers: list[tuple[str, str]]) -> None:
    wanted = {(s, v.strip().upper()) for s, v in identifiers if v and v.strip()}
    if org.uscc:
        wanted.add(("uscc", org.uscc))
    for scheme, value in wanted:
        if scheme not in IDENTIFIER_SCHEMES:
            raise InvalidInput("organization.identifier_scheme", field="identifiers", scheme=scheme)
        owner = session.scalar(
            select(OrganizationIdentifier.organization_id).where(
                OrganizationIdentifier.scheme == scheme, OrganizationIdentifier.value == value
            )
        )
        if owner is not None and owner != org.id:
            raise Conflict("organization.identifier_taken", field="identifiers", scheme=scheme, value=value)
    have = {(i.scheme, i.value): i for i in org.identifiers}
    for key, ident in have.items():
        if key not in wanted:
            org.identifiers.remove(ident)
    for scheme, value in sorted(wanted - set(have)):
        org.identifiers.append(OrganizationIdentifier(scheme=scheme, value=value))


def register_organization(
    session: Session,
    *,
    principal: Principal,
    name: str,
    uscc: str | None,
    address: str | None = None,
    region_code: str | None = None,
    name_en: str | None = None,
    industry: str | None = None,
    identifiers: list[tuple[str, str]] = (),
    authorize: bool = True,
) -> Organization:
    """Register an organization after validating its USCC; refuses a duplicate code."""
    if authorize:
        require_regulator(principal)
    needs_check = False
    if uscc:
        uscc, needs_check = check_uscc(uscc)
        if find_organization_by_uscc(session, uscc) is not None:
            raise Conflict("organization.uscc_taken", field="uscc", uscc=uscc)
    org = Organization(uscc=uscc or None, uscc_needs_check=needs_check)
    if uscc and region_code is None:
        region_code = uscc[2:8] if session.get(Region, uscc[2:8]) else None
    _organization_from_fields(
        session, org, {"name": name, "address": address, "region_code": region_code, "name_en": name_en,
                       "industry": industry}
    )
    session.add(org)
    session.flush()
    _sync_identifiers(session, org, list(identifiers))
    session.flush()
    search.index_organization(session, org)
    record_event(
        session, type="organization.registered", subject_type="organization", subject_id=org.id,
        actor=principal.actor, data={"state": organization_state(org)},
    )
    return org


def foreign_key(country: str, foreign_id: str | None, *, field: str = "foreign_id") -> str:
    """Return the identifier a foreign organization is keyed by: "country:registration id" (upper-case)."""
    value = normalize_identifier(foreign_id or "", upper=True)
    if not value:
        raise InvalidInput("field.required", field=field)
    key = f"{country}:{value}"
    if len(key) > 40:
        raise InvalidInput("field.too_long", field=field, max=37)
    return key


def foreign_organization(session: Session, *, principal: Principal, name: str, country: str, foreign_id: str | None,
                         address: str | None = None, name_en: str | None = None, field: str = "foreign_id",
                         authorize: bool = True) -> Organization:
    """Return the foreign organization (no USCC) keyed by its country and home-register id, registering it the
    first time; `country` is a checked ISO 3166-1 alpha-2 code other than CN."""
    key = foreign_key(country, foreign_id, field=field)
    org = session.scalar(select(Organization).join(OrganizationIdentifier).where(
        OrganizationIdentifier.scheme == "foreign", OrganizationIdentifier.value == key))
    if org is not None:
        return org
    if authorize:
        require_regulator(principal)
    org = Organization(uscc=None, uscc_needs_check=False, country=country)
    _organization_from_fields(session, org, {"name": name, "address": address, "name_en": name_en})
    session.add(org)
    session.flush()
    org.identifiers.append(OrganizationIdentifier(scheme="foreign", value=key))
    session.flush()
    search.index_organization(session, org)
    record_event(session, type="organization.registered", subject_type="organization", subject_id=org.id,
                 actor=principal.actor, data={"state": organization_state(org)})
    return org


def update_organization(
    session: Session, *, principal: Principal, organization_id: int, changes: dict[str, Any]
) -> Organization:
    """Change an organization's name, address, region or identifiers."""
    require_regulator(principal)
    org = get_organization(session, organization_id)
    before = organization_state(org)
    if "uscc" in changes and changes["uscc"] != org.uscc:
        code, needs_check = check_uscc(changes["uscc"])
        other = find_organization_by_uscc(session, code)
        if other is not None and other.id != org.id:
            raise Conflict("organization.uscc_taken", field="uscc", uscc=code)
        org.uscc, org.uscc_needs_check = code, needs_check
    _organization_from_fields(session, org, changes)
    if "identifiers" in changes:
        _sync_identifiers(session, org, list(changes["identifiers"]))
    elif "uscc" in changes:
        _sync_identifiers(session, org, [(i.scheme, i.value) for i in org.identifiers if i.scheme != "uscc"])
    session.flush()
    after = organization_state(org)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        search.index_organization(session, org)
        record_event(
            session, type="organization.updated", subject_type="organization", subject_id=org.id,
            actor=principal.actor, data={"state": changed},
        )
    return org


def merge_organizations(
    session: Session, *, principal: Principal, source_id: int, target_id: int, reason: str
) -> Organization:
    """Merge a duplicate organization into another, keeping its identifiers and the history."""
    require_regulator(principal)
    if source_id == target_id:
        raise InvalidInput("organization.merge_self", field="target_id")
    source, target = get_organization(session, source_id), get_organization(session, target_id)
    moved = [(i.scheme, i.value) for i in source.identifiers]
    source.identifiers.clear()
    source.merged_into_id = target.id
    source_uscc, source.uscc = source.uscc, None
    session.flush()
    _sync_identifiers(session, target, [(i.scheme, i.value) for i in target.identifiers] + moved)
    if target.uscc is None and source_uscc:
        target.uscc = source_uscc
    session.flush()
    record_event(
        session, type="organization.merged", subject_type="organization", subject_id=source.id,
        actor=principal.actor, data={"state": organization_state(source), "into": target.id, "reason": reason},
    )
    record_event(
        session, type="organization.updated", subject_type="organization", subject_id=target.id,
        actor=principal.actor, data={"state": organization_state(target), "merged_from": source.id},
    )
    return target
