"""Pages of demonstration zones: the list and a zone's figures, targets and certificates together."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, FastAPI, Request

from certbridge.api.routing import APIRouter, add_routes
from certbridge.registry import choices as lookups
from certbridge.stats.background import current_read
from certbridge.stats.overview import parse_day
from certbridge.web.csrf import require_csrf
from certbridge.web.i18n import N_, gettext, request_language
from certbridge.web.nav import NavEntry, add_nav_entry
from certbridge.web.templating import render
from certbridge.zones import pages_console, service
from certbridge.zones.figures import zone_figures

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
KIND_LABELS = {"organic": N_("Organic products"), "green": N_("Green products"), "quality": N_("Quality"),
               "other": N_("Other")}


@router.get("/zones")
def zones_page(request: Request):
    """List the demonstration zones."""
    with current_read(request) as db:
        return render(request, "zones/zones.html", {"zones": service.list_zones(db)})


@router.get("/zones/{code}")
def zone_page(request: Request, code: str):
    """Show a zone's statistics per region and scheme, its regions' targets and its certificates."""
    lang = request_language(request)
    with current_read(request) as db:
        zone = service.get_zone(db, code[:30])
        figures = zone_figures(db, zone, parse_day(request.query_params.get("on"), date.today()))
        return render(request, "zones/zone.html", {
            "zone": zone, "f": figures, "lang": lang, "scheme_names": lookups.scheme_names(db, lang),
            "kind_label": gettext(lang, KIND_LABELS[zone.kind])})


def install(app: FastAPI) -> None:
    """Mount the zone pages and their header link."""
    add_routes(app, router)
    add_nav_entry(NavEntry("/zones", N_("Demonstration zones"), order=82))
    pages_console.install(app)
