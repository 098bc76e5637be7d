"""Demonstration zones and regional brands: a regulator defines them; a brand labels certificates."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.service import get_certificate
from certbridge.errors import Conflict, InvalidInput, NotFound
from certbridge.kit.dates import iso_or_none
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import RegionalBrand, Scheme
from certbridge.registry.service import check_region
from certbridge.zones.models import DemonstrationZone

ZONE_KINDS = ("organic", "green", "quality", "other")


def region_prefix(code: str) -> str:
    """Return the prefix every GB/T 2260 code inside a region starts with (450000 → 45, 450500 → 4505)."""
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def inside(code: str | None, regions: list[str]) -> bool:
    """Return True if a region code lies in (or is) one of the regions."""
    return bool(code) and any(code.startswith(region_prefix(r)) for r in regions)


def _regions(session: Session, codes: list[str]) -> list[str]:
    codes = sorted({(c or "").strip() for c in codes if (c or "").strip()})
    if not codes:
        raise InvalidInput("zone.regions_required", field="regions")
    for i, code in enumerate(codes):
        check_region(session, code, field=f"regions[{i}]")
    for outer in codes:
        for inner in codes:
            if inner != outer and inner.startswith(region_prefix(outer)):
                raise InvalidInput("zone.regions_nested", field="regions", inner=inner, outer=outer)
    return codes


def _schemes(session: Session, codes: list[str]) -> list[str]:
    codes = sorted({(c or "").strip().upper() for c in codes if (c or "").strip()})
    if not codes:
        raise InvalidInput("zone.schemes_required", field="schemes")
    for i, code in enumerate(codes):
        if session.get(Scheme, code) is None:
            raise InvalidInput("scheme.not_found", field=f"schemes[{i}]", code=code)
    return codes


def zone_state(zone: DemonstrationZone) -> dict[str, Any]:
    """Return a zone's public state."""
    return {"code": zone.code, "name": zone.name, "name_en": zone.name_en, "kind": zone.kind, "regions": zone.regions,
            "schemes": zone.schemes, "designated_on": iso_or_none(zone.designated_on), "description": zone.description}


def define_zone(session: Session, *, principal: Principal, code: str, name: str, kind: str, regions: list[str],
                schemes: list[str], name_en: str | None = None, designated_on: date | None = None,
                description: str | None = None) -> DemonstrationZone:
    """Define a demonstration zone: its regions (none inside another) and the schemes it promotes."""
    require_regulator(principal)
    code = (code or "").strip().upper()
    if not code:
        raise InvalidInput("field.required", field="code")
    if session.scalar(select(DemonstrationZone.id).where(DemonstrationZone.code == code)):
        raise Conflict("zone.code_taken", field="code", code=code)
    if kind not in ZONE_KINDS:
        raise InvalidInput("zone.kind", field="kind", value=kind, allowed=", ".join(ZONE_KINDS))
    if not (name or "").strip():
        raise InvalidInput("field.required", field="name")
    zone = DemonstrationZone(code=code, name=name.strip(), name_en=name_en, kind=kind,
                             regions=_regions(session, regions), schemes=_schemes(session, schemes),
                             designated_on=designated_on, description=description)
    session.add(zone)
    session.flush()
    record_event(session, type="zone.defined", subject_type="zone", subject_id=zone.id, actor=principal.actor,
                 data={"state": zone_state(zone)})
    return zone


def get_zone(session: Session, code: str) -> DemonstrationZone:
    """Return a zone by its code or raise NotFound."""
    zone = session.scalar(select(DemonstrationZone).where(DemonstrationZone.code == (code or "").strip().upper()))
    if zone is None:
        raise NotFound("zone.not_found", code=code)
    return zone


def list_zones(session: Session) -> list[DemonstrationZone]:
    """Return every zone by code."""
    return list(session.scalars(select(DemonstrationZone).order_by(DemonstrationZone.code)))


def brand_state(brand: RegionalBrand) -> dict[str, Any]:
    """Return a brand's public state."""
    return {"code": brand.code, "name": brand.name, "name_en": brand.name_en, "regions": brand.regions,
            "schemes": brand.schemes}


def define_brand(session: Session, *, principal: Principal, code: str, name: str, regions: list[str],
                 schemes: list[str], name_en: str | None = None) -> RegionalBrand:
    """Define a regional brand: the regions and schemes whose certificates may carry it."""
    require_regulator(principal)
    code = (code or "").strip().upper()
    if not code:
        raise InvalidInput("field.required", field="code")
    if session.get(RegionalBrand, code) is not None:
        raise Conflict("zone.code_taken", field="code", code=code)
    if not (name or "").strip():
        raise InvalidInput("field.required", field="name")
    brand = RegionalBrand(code=code, name=name.strip(), name_en=name_en, regions=_regions(session, regions),
                          schemes=_schemes(session, schemes))
    session.add(brand)
    session.flush()
    record_event(session, type="brand.defined", subject_type="brand", subject_id=code, actor=principal.actor,
                 data={"state": brand_state(brand)})
    return brand


def list_brands(session: Session) -> list[RegionalBrand]:
    """Return every regional brand by code."""
    return list(session.scalars(select(RegionalBrand).order_by(RegionalBrand.code)))


def get_brand(session: Session, code: str) -> RegionalBrand:
    """Return a brand by its code or raise NotFound."""
    brand = session.get(RegionalBrand, (code or "").strip().upper())
    if brand is None:
        raise NotFound("brand.not_found", code=code)
    return brand


def brand_certificate(session: Session, *, principal: Principal, brand_code: str, certificate_id: int):
    """Let a valid certificate of the brand's regions and schemes carry the brand (regulators)."""
    require_regulator(principal)
    brand = get_brand(session, brand_code)
    cert = get_certificate(session, certificate_id, for_update=True)
    if cert.status != "valid":
        raise InvalidInput("brand.certificate_not_valid", field="certificate_id")
    if cert.scheme_code not in brand.schemes or not inside(cert.region_code, brand.regions):
        raise InvalidInput("brand.outside", field="certificate_id", code=brand.code)
    if cert.brand_code == brand.code:
        return cert
    cert.brand_code = brand.code
    session.flush()
    record_event(session, type="certificate.branded", subject_type="certificate", subject_id=cert.id,
                 actor=principal.actor, data={"state": {"brand_code": brand.code}})
    return cert
