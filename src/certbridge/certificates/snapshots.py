"""The public state of a certificate, as events carry it and replay rebuilds it."""

from __future__ import annotations

from typing import Any

from certbridge.certificates.models import Audit, Certificate
from certbridge.kit.dates import iso_or_none as _iso


def sites_state(cert: Certificate) -> list[list[Any]]:
    """Return a certificate's sites."""
    return [[s.name, s.address, s.region_code, s.scope] for s in cert.sites]


def audit_state(audit: Audit) -> dict[str, Any]:
    """Return one audit with its auditors."""
    return {
        "kind": audit.kind,
        "method": audit.method,
        "start_on": _iso(audit.start_on),
        "end_on": _iso(audit.end_on),
        "auditors": [[a.person_id, a.registration_number, a.role] for a in audit.auditors],
    }


def certificate_state(cert: Certificate) -> dict[str, Any]:
    """Return a certificate's full state (what `certificate.issued` carries)."""
    return {
        "number": cert.number,
        "body_id": cert.body_id,
        "organization_id": cert.organization_id,
        "scheme_code": cert.scheme_code,
        "standard_id": cert.standard_id,
        "status": cert.status,
        "status_reason": cert.status_reason,
        "status_changed_on": _iso(cert.status_changed_on),
        "suspended_until": _iso(cert.suspended_until),
        "issued_on": _iso(cert.issued_on),
        "expires_on": _iso(cert.expires_on),
        "cycle": cert.cycle,
        "previous_id": cert.previous_id,
        "holder_name": cert.holder_name,
        "holder_address": cert.holder_address,
        "region_code": cert.region_code,
        "scope": cert.scope,
        "scope_en": cert.scope_en,
        "product": cert.product,
        "certification_mode": cert.certification_mode,
        "last_surveillance_on": _iso(cert.last_surveillance_on),
        "sites": sites_state(cert),
        "audits": [audit_state(a) for a in cert.audits],
        **({"grade": cert.grade} if cert.grade else {}),  # only graded certificates carry the key
        **international_state(cert),
    }


def international_state(cert: Certificate) -> dict[str, Any]:
    """Return the keys only some certificates carry: accreditation, country abroad, regional brand."""
    out: dict[str, Any] = {}
    if cert.accreditation_body_id:
        out.update(accreditation_body_id=cert.accreditation_body_id, accreditation_number=cert.accreditation_number)
    if cert.country:
        out["country"] = cert.country
    if cert.brand_code:
        out["brand_code"] = cert.brand_code
    return out
