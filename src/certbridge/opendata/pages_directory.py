"""The public-service directory pages: find a lab by test parameter and standard, or a body by scheme; compare."""

from __future__ import annotations

from fastapi import FastAPI, Request

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter, add_routes
from certbridge.errors import DomainError
from certbridge.opendata.directory import compare_labs, search_bodies, search_labs
from certbridge.registry import choices as lookups
from certbridge.web.i18n import request_language
from certbridge.web.nav import NavEntry, add_nav_entry
from certbridge.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/directory")
def directory(request: Request, db: ReadDB, kind: str = "lab", parameter: str = "", standard: str = "",
              scheme: str = "", region: str = ""):
    """Show the directory search and, once asked, the providers that fit."""
    lang = request_language(request)
    query = {"kind": "body" if kind == "body" else "lab", "parameter": parameter[:100], "standard": standard[:100],
             "scheme": scheme[:20], "region": region[:6]}
    providers, errors = None, {}
    asked = any(query[k] for k in ("parameter", "standard", "scheme"))
    if asked:
        try:
            if query["kind"] == "body":
                providers = search_bodies(db, scheme=query["scheme"], region=query["region"])
            else:
                providers = search_labs(db, parameter=query["parameter"], standard=query["standard"],
                                        region=query["region"])
        except DomainError as exc:
            errors[exc.field or "parameter"] = exc.message(lang)
    return render(request, "directory/search.html", {
        "q": query, "providers": providers, "errors": errors, "scheme_names": lookups.scheme_names(db, lang)},
        status_code=422 if errors else 200)


@router.get("/directory/compare")
def compare(request: Request, db: ReadDB):
    """Show up to four labs side by side."""
    ids = [int(v) for v in request.query_params.getlist("lab")[:4] if v.isdigit() and len(v) < 10]
    return render(request, "directory/compare.html", {"labs": compare_labs(db, lab_ids=ids)})


def install(app: FastAPI) -> None:
    """Mount the directory pages and link them from the header."""
    add_routes(app, router)
    add_nav_entry(NavEntry("/directory", "Find a lab or body", order=45))
