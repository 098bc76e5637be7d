"""The public state of registry records as events carry it and replay rebuilds it."""

from __future__ import annotations

from typing import Any

from certbridge.registry.models import CertificationBody, Lab, Organization, Person, Restriction
from certbridge.kit.dates import iso_or_none as _iso


def organization_state(org: Organization) -> dict[str, Any]:
    """Return an organization's state."""
    return {
        "uscc": org.uscc,
        "uscc_needs_check": bool(org.uscc_needs_check),
        "name": org.name,
        "name_en": org.name_en,
        "address": org.address,
        "region_code": org.region_code,
        "industry": org.industry,
        "merged_into_id": org.merged_into_id,
        "identifiers": sorted([i.scheme, i.value] for i in org.identifiers),
        **({"country": org.country} if org.country else {}),  # only foreign organizations carry the key
    }


def body_state(body: CertificationBody) -> dict[str, Any]:
    """Return a certification body's state."""
    return {
        "code": body.code,
        "approval_number": body.approval_number,
        "name": body.name,
        "name_en": body.name_en,
        "uscc": body.uscc,
        "foreign_invested": bool(body.foreign_invested),
        "region_code": body.region_code,
        "address": body.address,
        "status": body.status,
        "status_reason": body.status_reason,
        "approved_on": _iso(body.approved_on),
        "valid_until": _iso(body.valid_until),
        "fields": sorted(f.field_code for f in body.fields),
        **({"country": body.country, "foreign_id": body.foreign_id} if body.country else {}),  # foreign bodies
    }


def lab_state(lab: Lab) -> dict[str, Any]:
    """Return a lab's state."""
    return {
        "cma_number": lab.cma_number,
        "name": lab.name,
        "uscc": lab.uscc,
        "region_code": lab.region_code,
        "address": lab.address,
        "status": lab.status,
        "qualified_on": _iso(lab.qualified_on),
        "valid_until": _iso(lab.valid_until),
        "capabilities": [[c.category, c.item, c.standard] for c in lab.capabilities],
        # public; only labs that recorded one carry the key (older events have none)
        **({"legal_representative": lab.legal_representative} if lab.legal_representative else {}),
    }


def person_state(person: Person) -> dict[str, Any]:
    """Return a person's state."""
    return {
        "name": person.name,
        "kind": person.kind,
        "body_id": person.body_id,
        "employer": person.employer,
        "region_code": person.region_code,
        "registrations": [
            [r.number, r.field, r.level, r.status, _iso(r.valid_until)] for r in person.registrations
        ],
    }


def restriction_state(r: Restriction) -> dict[str, Any]:
    """Return a restriction's state."""
    return {
        "subject_type": r.subject_type,
        "subject_id": r.subject_id,
        "kind": r.kind,
        "reason": r.reason,
        "starts_on": _iso(r.starts_on),
        "ends_on": _iso(r.ends_on),
        "lifted_on": _iso(r.lifted_on),
        "source": r.source,
    }
