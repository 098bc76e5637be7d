"""Certification-body console: its certificates, one certificate, and its data as XLSX (a background job)."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.certificates.export_job import KIND as EXPORT_KIND
from certbridge.certificates.export_job import export_work
from certbridge.certificates.models import STATUSES, Certificate
from certbridge.certificates.pages.public import certificate_history
from certbridge.certificates.presenters import detail, status_options, summary
from certbridge.certificates.queries import CertificateFilter
from certbridge.certificates.service import get_certificate
from certbridge.db import read_session
from certbridge.errors import DomainError, NotFound
from certbridge.principal import Principal
from certbridge.registry import choices as lookups
from certbridge.certificates.pages.listing import certificate_list
from certbridge.registry.bodies import get_body
from certbridge.web.csrf import require_csrf
from certbridge.web.guards import cb_operator
from certbridge.web.i18n import request_language
from certbridge.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
PAGE_SIZE = 25
ACTION_ORDER = ("change_scope", "audit", "renew", "suspend", "restore", "withdraw", "cancel", "expire")


def body_warning(body, today: date) -> str | None:
    """Return the message code of why a body cannot issue now (status or lapsed approval), if any."""
    if body.status != "approved":
        return "body.not_approved"
    if body.valid_until is not None and today > body.valid_until:
        return "body.approval_expired"
    return None



def own_certificate(db: Session, principal: Principal, certificate_id: int) -> Certificate:
    """Return a certificate of the operator's own body; another body's is simply not there (404)."""
    cert = get_certificate(db, certificate_id)
    if cert.body_id != principal.body_id:
        raise NotFound("certificate.not_found", id=certificate_id)
    return cert


@router.get("/cb")
def cb_home(request: Request, db: ReadDB):
    """List the body's own certificates with a search box and filters."""
    principal = cb_operator(request)
    lang = request_language(request)
    body = get_body(db, principal.body_id)
    qp = request.query_params
    status = qp.get("status") if qp.get("status") in STATUSES else None
    values = {k: v for k, v in {"q": (qp.get("q") or "").strip()[:100] or None, "status": status,
                                 "scheme": (qp.get("scheme") or "").strip()[:20] or None}.items() if v}
    flt = CertificateFilter(q=values.get("q"), status=status, scheme=values.get("scheme"), body_id=body.id)
    problem = None
    listing = {"certificates": [], "next_url": None, "first_url": None, "total": None, "sort": None,
               "list_values": values}
    try:
        listing = certificate_list(request, db, flt, base="/cb", values=values, page_size=PAGE_SIZE)
    except DomainError as exc:
        problem = exc.message(lang)
    warning = body_warning(body, date.today())
    return render(request, "cb/home.html", {
        "body": body, "body_name": lookups.body_name(body, lang), "values": values, "problem": problem,
        "certificates": [summary(db, c, lang) for c in listing["certificates"]], "next_url": listing["next_url"],
        "first_url": listing["first_url"], "total": listing["total"], "sort": listing["sort"],
        "list_values": listing["list_values"],
        "warning": warning and body_warning_text(body, warning, lang),
        "statuses": status_options(lang), "schemes": lookups.scheme_options(db, lang),
        "scheme_names": lookups.scheme_names(db, lang),
    })


def body_warning_text(body, code: str, lang: str) -> str:
    """Render why a body cannot issue, in the page language."""
    from certbridge.i18n.catalog import render as render_message

    return render_message(code, lang, body=body.name, field_code="", scheme="")


@router.get("/cb/certificates/{certificate_id}")
def cb_certificate(request: Request, db: ReadDB, certificate_id: Id):
    """Show one of the body's certificates with the actions its status allows."""
    principal = cb_operator(request)
    lang = request_language(request)
    cert = own_certificate(db, principal, certificate_id)
    view = detail(db, cert, lang)
    allowed = set(view["allowed_actions"]) | ({"audit"} if cert.status in ("valid", "suspended") else set())
    return render(request, "cb/certificate.html", {
        "c": view, "actions": [a for a in ACTION_ORDER if a in allowed],
        "scheme_name": lookups.scheme_names(db, lang).get(cert.scheme_code, cert.scheme_code),
        "history": certificate_history(db, cert.id),
        "region": lookups.region_name(db, cert.region_code),
    })


@router.post("/cb/export")
def cb_export(request: Request):
    """Start the export of every certificate of the body (XLSX, import layout) as a background job; show it."""
    principal = cb_operator(request)
    with read_session(request.app.state.sessions) as db:
        body = get_body(db, principal.body_id)
        body_id, body_code = body.id, body.code
    work = export_work(request.app.state.sessions, request.app.state.settings.data_dir, body_id=body_id,
                       body_code=body_code)
    job_id = request.app.state.jobs.submit(kind=EXPORT_KIND, principal=principal, work=work,
                                           title=f"certificates-{body_code}.xlsx", body_id=body_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
