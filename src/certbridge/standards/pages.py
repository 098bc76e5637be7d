"""Pages of the standards service: public search and a standard's page; the regulator's catalogue import."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, FastAPI, Request
from starlette.datastructures import UploadFile

from certbridge.api.deps import ReadDB
from certbridge.api.pagination import decode_cursor, encode_cursor
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import write_session
from certbridge.proficiency.queries import restricted_labs
from certbridge.standards import service
from certbridge.standards.catalogue import COLUMNS, import_catalogue
from certbridge.standards.numbers import kind_of
from certbridge.web.csrf import require_csrf
from certbridge.web.guards import regulator
from certbridge.web.i18n import N_, request_language
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry
from certbridge.web.posted import PostedForm
from certbridge.web.templating import query_url, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
PAGE_SIZE = 30
KIND_LABELS = {"national_mandatory": N_("National, mandatory (GB)"),
               "national_recommended": N_("National, recommended (GB/T)"),
               "national_guidance": N_("National guidance (GB/Z)"), "industry": N_("Industry standard"),
               "local": N_("Local standard (DB)"), "group": N_("Group standard (T/)"),
               "international": N_("International (ISO, IEC)"), "foreign": N_("Foreign national standard")}
STATUS_LABELS = {"current": N_("Current"), "superseded": N_("Superseded"),
                 "withdrawn": N_("Withdrawn (no longer in force)")}
DEGREE_LABELS = {"IDT": N_("IDT — identical"), "MOD": N_("MOD — modified"), "NEQ": N_("NEQ — not equivalent")}


def _number(std) -> str:
    return f"{std.code}{':' if kind_of(std.code) in ('international', 'foreign') else '-'}{std.version}"


def _common() -> dict:
    return {"kind_of": kind_of, "kinds": KIND_LABELS, "statuses": STATUS_LABELS, "degrees": DEGREE_LABELS,
            "number": _number}


@router.get("/standards")
def standards(request: Request, db: ReadDB):
    """Search standards by number fragment or title (Chinese or English), optionally by status."""
    qp = request.query_params
    q = (qp.get("q") or "").strip()[:100] or None
    status = qp.get("status") if qp.get("status") in STATUS_LABELS else None
    items = service.search_standards(db, q, status=status, after_id=decode_cursor(qp.get("cursor")),
                                     limit=PAGE_SIZE + 1) if (q or status) else []
    values = {k: v for k, v in {"q": q, "status": status}.items() if v}
    next_url = (query_url("/standards", values, cursor=encode_cursor(items[PAGE_SIZE - 1].id))
                if len(items) > PAGE_SIZE else None)
    return render(request, "standards/search.html", {"items": items[:PAGE_SIZE], "values": values,
                                                     "next_url": next_url, "searched": bool(q or status),
                                                     **_common()})


@router.get("/standards/{standard_id}")
def standard_page(request: Request, db: ReadDB, standard_id: Id):
    """Show a standard: status, versions, supersession and deadlines, equivalences, schemes, labs."""
    story = service.standard_story(db, standard_id, date.today())
    return render(request, "standards/standard.html", {
        "s": story, "restricted": restricted_labs(db, [lab.id for lab, _ in story.labs]),
        "lang": request_language(request), **_common()})


@router.get("/regulator/standards")
def import_form(request: Request):
    """Show the standards catalogue import form and its columns."""
    regulator(request)
    return render(request, "standards/import.html", {"columns": COLUMNS, "report": None, "errors": {}})


@router.post("/regulator/standards/import")
def import_post(request: Request, form: PostedForm):
    """Import a standards catalogue file: all rows or none; every bad row is listed."""
    principal = regulator(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "standards/import.html", {
            "columns": COLUMNS, "report": None,
            "errors": {"file": t(request, "Choose a CSV, XLSX or JSON file.")}}, status_code=422)
    max_bytes = request.app.state.settings.import_max_file_bytes
    data = upload.file.read(max_bytes + 1)
    dry_run = form.get("dry_run") == "1"
    with write_session(request.app.state.sessions) as wdb:
        report = import_catalogue(wdb, principal=principal, filename=upload.filename, data=data, dry_run=dry_run,
                                  lang=request_language(request), max_bytes=max_bytes)
        if report.errors or dry_run:
            wdb.rollback()
    return render(request, "standards/import.html", {"columns": COLUMNS, "report": report, "errors": {}},
                  status_code=422 if report.errors else 200)


def install(app: FastAPI) -> None:
    """Mount the standards pages and their header links."""
    add_routes(app, router)
    add_nav_entry(NavEntry("/standards", N_("Standards"), order=45))
    add_nav_entry(NavEntry("/regulator/standards", N_("Standards catalogue"), roles=REGULATORS, area="regulator",
                           order=75))
