"""Certification-body console: the form that issues a certificate (with sites and one audit)."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter
from certbridge.certificates.pages import forms as cb_forms
from certbridge.certificates.pages.console import body_warning, body_warning_text
from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.registry import choices as lookups
from certbridge.registry.bodies import get_body
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, pydantic_errors, split_general
from certbridge.web.guards import cb_operator
from certbridge.web.i18n import request_language
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
AUDIT_KINDS = ("initial", "surveillance", "recertification", "special")
AUDIT_METHODS = ("FS01", "FS02", "FS03")


def issue_page(request: Request, db: Session, values: dict, rows: int, errors: dict | None = None,
               general: str | None = None, status_code: int = 200):
    """Render the issue form with values, per-field errors and the body's current standing."""
    principal = cb_operator(request)
    lang = request_language(request)
    body = get_body(db, principal.body_id)
    warning = body_warning(body, date.today())
    return render(request, "cb/issue.html", {
        "values": values, "errors": errors or {}, "general": general, "rows": rows,
        "body": body, "warning": warning and body_warning_text(body, warning, lang),
        "schemes": lookups.scheme_options(db, lang), "standards": lookups.standard_options(db),
        "audit_kinds": AUDIT_KINDS, "audit_methods": AUDIT_METHODS,
        "fields": [f.field_code for f in body.fields],
    }, status_code=status_code)


@router.get("/cb/certificates/new")
def issue_form(request: Request, db: ReadDB):
    """Show an empty issue form."""
    cb_operator(request)
    values = {"issued_on": date.today().isoformat(), "audits[0].kind": "initial", "audits[0].method": "FS01"}
    return issue_page(request, db, values, cb_forms.SITE_ROWS)


@router.post("/cb/certificates/new")
def issue(request: Request, form: PostedForm, db: ReadDB):
    """Issue the certificate, or show the form again with what to fix next to each field."""
    principal = cb_operator(request)
    lang = request_language(request)
    rows = cb_forms.site_rows(form)
    values = cb_forms.form_values(form)
    if form.get("add_site"):
        return issue_page(request, db, values, rows)
    labels = cb_forms.labels(lang, rows)
    try:
        draft = CertificateIn.model_validate(cb_forms.draft_from_form(form, rows))
    except ValidationError as exc:
        errors, general = split_general(pydantic_errors(exc, lang, labels), set(labels))
        return issue_page(request, db, values, rows, errors, general, status_code=422)
    try:
        with write_session(request.app.state.sessions) as wdb:
            cert = issue_certificate(wdb, principal=principal, body_id=principal.body_id, draft=draft)
            cert_id, number = cert.id, cert.number
    except DomainError as exc:
        errors, general = split_general(
            domain_errors(exc, lang, labels, cb_forms.ALIASES, cb_forms.CODE_FIELDS), set(labels))
        return issue_page(request, db, values, rows, errors, general, status_code=exc.status)
    return redirect(request, f"/cb/certificates/{cert_id}",
                    flash=t(request, "Certificate %(number)s was issued and is now public.", number=number))
