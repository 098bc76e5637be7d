"""JSON endpoints of demonstration zones (示范区) and regional brands (区域品牌)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Path, Query, Request
from pydantic import BaseModel, Field

from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.kit.input_model import CleanInput
from certbridge.stats.background import current_read
from certbridge.zones import service
from certbridge.zones.figures import zone_figures

router = APIRouter(prefix="/api/v1", tags=["demonstration zones"], responses=PROBLEM_RESPONSES)
Code = Annotated[str, Path(min_length=1, max_length=30)]


class BrandIn(CleanInput):
    """A regional brand to define: the regions and schemes whose certificates may carry it."""

    code: str = Field(min_length=1, max_length=30, examples=["BEIHAI-ORGANIC"])
    name: str = Field(min_length=1, max_length=120, examples=["北海有机"])
    name_en: str | None = Field(default=None, max_length=200)
    regions: list[str] = Field(min_length=1, max_length=200, description="GB/T 2260 codes, none inside another")
    schemes: list[str] = Field(min_length=1, max_length=50, examples=[["ORGANIC"]])


class ZoneIn(BrandIn):
    """A demonstration zone to define: regions and schemes, like a brand, and what kind of zone it is."""

    name: str = Field(min_length=1, max_length=200, examples=["北海市国家有机产品认证示范区"])
    name_en: str | None = Field(default=None, max_length=300)
    kind: Literal["organic", "green", "quality", "other"]
    designated_on: date | None = None
    description: str | None = Field(default=None, max_length=4000)


class BrandOut(BaseModel):
    """A regional brand."""

    code: str
    name: str
    name_en: str | None
    regions: list[str]
    schemes: list[str]


class ZoneOut(BrandOut):
    """A demonstration zone."""

    kind: str
    designated_on: date | None
    description: str | None


class ZoneRowOut(BaseModel):
    """One region × scheme of a zone (the statistics' figures)."""

    region: str
    region_name: str
    scheme: str
    certificates: int = Field(description="Valid on the date")
    organizations: int = Field(description="Certified organizations holding the scheme")
    issued: int = Field(description="Issued from 1 January to the date")


class ZoneFiguresOut(ZoneOut):
    """A zone with its figures on a date."""

    on: date
    certificates: int
    issued: int
    rows: list[ZoneRowOut]
    targets: list[dict] = Field(description="Targets of the zone's regions: region, measure, threshold, deadline, "
                                            "value, met")


class BrandingIn(CleanInput):
    """The certificate that may carry a brand."""

    certificate_id: int = Field(ge=1, le=2**31 - 1)


class BrandingOut(BaseModel):
    """A certificate and the brand it carries."""

    certificate_id: int
    brand: str


@router.get("/zones", response_model=list[ZoneOut], summary="Demonstration zones")
def list_zones(db: ReadDB):
    """List the demonstration zones."""
    return [service.zone_state(z) for z in service.list_zones(db)]


@router.post("/zones", response_model=ZoneOut, status_code=201, summary="Define a demonstration zone")
def create_zone(item: ZoneIn, db: WriteDB, principal: AuthedPrincipal):
    """Define a demonstration zone by its regions and schemes (regulators)."""
    return service.zone_state(service.define_zone(db, principal=principal, **item.model_dump()))


@router.get("/zones/{code}", response_model=ZoneFiguresOut, summary="A zone with its figures")
def read_zone(code: Code, request: Request, on: Annotated[date | None, Query()] = None):
    """Return a zone with its statistics on a date (default today), per region and scheme, and its targets: the
    figures of the statistics (caught up to the latest checkpoint) for the zone's regions and schemes."""
    with current_read(request) as db:
        figures = zone_figures(db, service.get_zone(db, code), on or date.today())
        return {**service.zone_state(figures.zone), "on": figures.on, "certificates": figures.certificates,
                "issued": figures.issued, "rows": [r.__dict__ for r in figures.rows],
                "targets": [{"region": p.target.region_code, "measure": p.target.measure,
                             "threshold": p.target.threshold, "deadline": p.target.deadline, "value": p.value,
                             "met": p.met} for p in figures.targets]}


@router.get("/brands", response_model=list[BrandOut], summary="Regional brands")
def list_brands(db: ReadDB):
    """List the regional brands."""
    return [service.brand_state(b) for b in service.list_brands(db)]


@router.post("/brands", response_model=BrandOut, status_code=201, summary="Define a regional brand")
def create_brand(item: BrandIn, db: WriteDB, principal: AuthedPrincipal):
    """Define a regional brand: the regions and schemes whose certificates may carry it (regulators)."""
    return service.brand_state(service.define_brand(db, principal=principal, **item.model_dump()))


@router.post("/brands/{code}/certificates", response_model=BrandingOut, summary="Let a certificate carry a brand")
def brand_certificate(code: Code, item: BrandingIn, db: WriteDB, principal: AuthedPrincipal):
    """Let a valid certificate of the brand's regions and schemes carry the brand (regulators); shown on the
    certificate page and in verification answers."""
    cert = service.brand_certificate(db, principal=principal, brand_code=code, certificate_id=item.certificate_id)
    return {"certificate_id": cert.id, "brand": cert.brand_code}
