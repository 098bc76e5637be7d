"""Recording an organization's classes: size (entered or computed from its figures), sector, service flag."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.ledger.journal import record_event
from certbridge.orgclasses.sectors import TERTIARY, normalize_sector
from certbridge.orgclasses.size_rules import RULES, SIZE_CLASSES, industry_for_sector, size_class
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import Organization
from certbridge.registry.service import get_organization

FIGURES = ("employees", "revenue_10k", "assets_10k")


def class_state(org: Organization) -> dict[str, Any]:
    """Return the organization's class fields as recorded in its events."""
    return {"size_class": org.size_class, "size_industry": org.size_industry, "employees": org.employees,
            "revenue_10k": org.revenue_10k, "assets_10k": org.assets_10k, "sector_code": org.sector_code,
            "service_company": org.service_company}


def _figure(name: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("orgclass.figure_not_number", field=name, value=value) from None
    if number < 0:
        raise InvalidInput("orgclass.figure_negative", field=name, value=value)
    return number


def classify_organization(
    session: Session, *, principal: Principal, organization_id: int, sector_code: str | None = None,
    size_industry: str | None = None, size_class_: str | None = None, service_company: bool | None = None,
    employees: Any = None, revenue_10k: Any = None, assets_10k: Any = None,
) -> Organization:
    """Record an organization's sector and figures; its size class is computed when the figures allow it.

    An entered size class is kept only when the figures cannot decide one; figures that decide a class win (the
    class follows the national rule, not a claim). The service flag defaults to the tertiary sections F–T.
    """
    require_regulator(principal)
    org = get_organization(session, organization_id)
    sector = None
    if sector_code:
        sector = normalize_sector(sector_code)
        if sector is None:
            raise InvalidInput("orgclass.sector_unknown", field="sector_code", value=sector_code)
    industry = size_industry or industry_for_sector(sector)
    if industry is not None and industry not in RULES:
        raise InvalidInput("orgclass.industry_unknown", field="size_industry", value=size_industry,
                           known=", ".join(RULES))
    if size_class_ is not None and size_class_ not in SIZE_CLASSES:
        raise InvalidInput("orgclass.size_unknown", field="size_class", value=size_class_)
    figures = {name: _figure(name, value) for name, value in
               (("employees", employees), ("revenue_10k", revenue_10k), ("assets_10k", assets_10k))}
    computed = size_class(industry, **figures) if industry else None
    before = class_state(org)
    org.sector_code, org.size_industry = sector, industry
    org.employees, org.revenue_10k, org.assets_10k = figures["employees"], figures["revenue_10k"], figures["assets_10k"]
    org.size_class = computed or size_class_
    org.service_company = service_company if service_company is not None else bool(sector and sector[0] in TERTIARY)
    session.flush()
    after = class_state(org)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        # Under "classes", not "state": the organization's replayed state (registry snapshots) leaves classes out.
        record_event(session, type="organization.classified", subject_type="organization", subject_id=org.id,
                     actor=principal.actor, data={"classes": changed, "computed": computed is not None})
    return org
