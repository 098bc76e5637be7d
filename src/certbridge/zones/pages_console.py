"""The regulator's console page of demonstration zones (示范区) and regional brands (区域品牌): the lists, a form to
define each, and a form to let a certificate carry a brand — what the JSON API offers, for people."""

from __future__ import annotations

import re

from fastapi import Depends, FastAPI, Request
from sqlalchemy import select

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter, add_routes
from certbridge.certificates.models import Certificate
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput
from certbridge.i18n.catalog import render as message
from certbridge.registry import choices as lookups
from certbridge.registry.models import CertificationBody
from certbridge.web import guards
from certbridge.web.forms import form_values_of, parse_date
from certbridge.web.i18n import N_
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry
from certbridge.web.page_actions import form_done, page_language, render_page, require_form_token
from certbridge.web.posted import PostedForm
from certbridge.zones import service

PAGE = "/regulator/zones"
router = APIRouter(include_in_schema=False, dependencies=[Depends(require_form_token)])
_SEPARATORS = re.compile(r"[\s,，、;；]+")
# The API's limits (zones/api.py), checked here so a long input is a message, not a database error.
ZONE_LIMITS = {"code": 30, "name": 200, "name_en": 300, "description": 4000}
BRAND_LIMITS = {"code": 30, "name": 120, "name_en": 200}


def _codes(value: str | None) -> list[str]:
    return [part for part in _SEPARATORS.split(value or "") if part]


def _checked(values: dict[str, str], limits: dict[str, int]) -> None:
    for key, limit in limits.items():
        if len(values.get(key) or "") > limit:
            raise InvalidInput("field.too_long", field=key, max=limit)


@router.get(PAGE)
def zones_console(request: Request, db: ReadDB):
    """List zones and brands with the forms to define them and to brand a certificate."""
    guards.regulator(request)
    lang = page_language(request)
    brands = service.list_brands(db)
    return render_page(request, "zones/console.html", zones=service.list_zones(db), brands=brands,
                       brand_options=[(b.code, f"{b.name}（{b.code}）") for b in brands],
                       scheme_options=lookups.scheme_options(db, lang))


@router.post(PAGE)
def define_zone(request: Request, form: PostedForm):
    """Define a demonstration zone from the form."""
    principal = guards.regulator(request)
    values = form_values_of(form, ("code", "name", "name_en", "kind", "regions", "designated_on", "description"))
    schemes = [s for s in form.getlist("schemes") if isinstance(s, str)]
    try:
        _checked(values, ZONE_LIMITS)
        designated_on = parse_date(values["designated_on"], "designated_on")
        with write_session(request.app.state.sessions) as wdb:
            zone = service.define_zone(wdb, principal=principal, code=values["code"], name=values["name"],
                                       name_en=values["name_en"] or None, kind=values["kind"],
                                       regions=_codes(values["regions"]), schemes=schemes,
                                       designated_on=designated_on, description=values["description"] or None)
            code = zone.code
    except DomainError as exc:
        return form_done(request, PAGE, exc, form)
    return form_done(request, PAGE, success=message("zone.defined", page_language(request), code=code))


@router.post("/regulator/brands")
def define_brand(request: Request, form: PostedForm):
    """Define a regional brand from the form."""
    principal = guards.regulator(request)
    values = form_values_of(form, ("code", "name", "name_en", "regions"))
    schemes = [s for s in form.getlist("schemes") if isinstance(s, str)]
    try:
        _checked(values, BRAND_LIMITS)
        with write_session(request.app.state.sessions) as wdb:
            brand = service.define_brand(wdb, principal=principal, code=values["code"], name=values["name"],
                                         name_en=values["name_en"] or None, regions=_codes(values["regions"]),
                                         schemes=schemes)
            code = brand.code
    except DomainError as exc:
        return form_done(request, PAGE, exc, form)
    return form_done(request, PAGE, success=message("brand.defined", page_language(request), code=code))


@router.post("/regulator/brands/certificates")
def brand_certificate(request: Request, form: PostedForm, db: ReadDB):
    """Let a certificate, named by its issuing body's code and its number, carry a brand."""
    principal = guards.regulator(request)
    values = form_values_of(form, ("brand_code", "body_code", "number"))
    try:
        cert_id = _certificate_id(db, values["body_code"], values["number"])
        with write_session(request.app.state.sessions) as wdb:
            service.brand_certificate(wdb, principal=principal, brand_code=values["brand_code"],
                                      certificate_id=cert_id)
    except DomainError as exc:
        return form_done(request, PAGE, exc, form)
    return form_done(request, PAGE, success=message("brand.certificate_branded", page_language(request),
                                                    number=values["number"], code=values["brand_code"]))


def _certificate_id(db, body_code: str, number: str) -> int:
    number, body_code = (number or "").strip().upper(), (body_code or "").strip().upper()
    if not number:
        raise InvalidInput("field.required", field="number")
    found = db.scalar(select(Certificate.id).join(CertificationBody, CertificationBody.id == Certificate.body_id)
                      .where(Certificate.number == number, CertificationBody.code == body_code))
    if found is None:
        raise InvalidInput("brand.certificate_unknown", field="number", number=number[:60], body=body_code[:20])
    return found


def install(app: FastAPI) -> None:
    """Mount the console page and its header link."""
    add_routes(app, router)
    add_nav_entry(NavEntry(PAGE, N_("Zones and brands"), roles=REGULATORS, area="regulator", order=77))
