"""JSON endpoints of organization classes: record them, read the reference data, count coverage."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.orgclasses import coverage as coverage_queries
from certbridge.orgclasses.region_groups import REGION_GROUPS
from certbridge.orgclasses.sectors import DIVISIONS, SECTIONS
from certbridge.orgclasses.service import class_state, classify_organization
from certbridge.orgclasses.size_rules import RULES

router = APIRouter(prefix="/api/v1", tags=["organization classes"], responses=PROBLEM_RESPONSES)


class ClassesIn(BaseModel):
    """An organization's sector and figures (the size class is computed from them when they allow)."""

    sector_code: str | None = Field(default=None, max_length=4, description="GB/T 4754-2017: C or C38")
    size_industry: str | None = Field(default=None, max_length=30,
                                      description="Industry of the size rules (default: from the sector)")
    size_class: Literal["large", "medium", "small", "micro"] | None = Field(
        default=None, description="Kept only when the figures cannot decide the class")
    employees: int | None = Field(default=None, ge=0)
    revenue_10k: int | None = Field(default=None, ge=0, description="营业收入, 万元")
    assets_10k: int | None = Field(default=None, ge=0, description="资产总额, 万元")
    service_company: bool | None = Field(default=None, description="Default: sector sections F–T")


class ClassesOut(BaseModel):
    """An organization's classes."""

    organization_id: int
    size_class: str | None
    size_industry: str | None
    employees: int | None
    revenue_10k: int | None
    assets_10k: int | None
    sector_code: str | None
    service_company: bool


class CoverageOut(BaseModel):
    """Certified organizations on a date, by a class; the groups sum to the total."""

    as_of: date
    by: str
    total: int
    groups: dict[str, int]


@router.put("/organizations/{organization_id}/classes", response_model=ClassesOut, summary="Record classes")
def put_classes(organization_id: Id, item: ClassesIn, db: WriteDB, principal: AuthedPrincipal):
    """Record an organization's sector, figures and service flag; the size class follows the national rule."""
    data = item.model_dump()
    org = classify_organization(db, principal=principal, organization_id=organization_id,
                                size_class_=data.pop("size_class"), **data)
    return {"organization_id": org.id, **class_state(org)}


@router.get("/coverage", response_model=CoverageOut, summary="Certified organizations by class")
def coverage(db: ReadDB, by: Literal["size_class", "sector", "region_group", "service_company"] = "size_class",
             as_of: Annotated[date | None, Query()] = None,
             scheme: Annotated[str | None, Query(max_length=20)] = None,
             grade: Annotated[str | None, Query(max_length=30)] = None):
    """Count organizations holding a certificate in force on a date, by size class, sector section or region."""
    as_of = as_of or date.today()
    groups = coverage_queries.coverage(db, as_of, by, scheme_code=scheme.upper() if scheme else None,
                                       grade=grade.upper() if grade else None)
    total = coverage_queries.certified_count(db, as_of, scheme_code=scheme.upper() if scheme else None,
                                             grade=grade.upper() if grade else None)
    return {"as_of": as_of, "by": by, "total": total, "groups": groups}


@router.get("/reference/organization-classes", summary="Size rules, sectors and region groups")
def reference():
    """Return the reference data: size thresholds per industry, GB/T 4754 sections and divisions, region groups."""
    return {
        "size_rules": {k: {"name": r.name, "name_en": r.name_en, "limits": {i: list(v) for i, v in r.limits.items()}}
                       for k, r in RULES.items()},
        "sections": {k: {"name": zh, "name_en": en, "divisions": [f"{d:02d}" for d in divs]}
                     for k, (zh, en, divs) in SECTIONS.items()},
        "divisions": DIVISIONS,
        "region_groups": {k: {"name": zh, "name_en": en, "provinces": list(p)} for k, (zh, en, p) in
                          REGION_GROUPS.items()},
    }
