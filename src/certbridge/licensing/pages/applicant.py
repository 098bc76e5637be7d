"""The applicant's pages: my cases and notices, the application form (申请、变更、延续、注销), a case with
its steps and deadlines, attachments, and the applicant's own steps (submit, correct, rectified, withdraw)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.db import write_session
from certbridge.errors import DomainError, NotFound
from certbridge.licensing import case_flow, cases
from certbridge.licensing.attachments import attachment_path
from certbridge.licensing.case_models import CaseAttachment
from certbridge.licensing.case_views import case_detail, cases_of_applicant, reviewer_options
from certbridge.licensing.notices import notice_text, notices_for_applicant
from certbridge.licensing.pages.common import applicant_principal, labels, refuse_unless_correctable, send_notices
from certbridge.registry import choices as lookups
from certbridge.registry.identity import with_legal_rep_fingerprint
from certbridge.registry.models import CertificationBody, Lab
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, form_values_of, split_general, text
from certbridge.web.guards import signed_in
from certbridge.web.i18n import request_language
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
TEXT_FIELDS = ("name", "uscc", "address", "legal_representative", "legal_representative_id_number", "capital_wan", "auditors", "capabilities", "sites",
               "equipment", "personnel", "valid_until", "reason", "contact_email", "procedure")


@router.get("/licensing")
def my_cases(request: Request, db: ReadDB):
    """Show the applicant's cases with each step's deadline and days left, and the latest notices."""
    principal = applicant_principal(request)
    lang = request_language(request)
    notices = [{"text": notice_text(n, lang), "at": n.created_at, "case_id": n.case_id}
               for n in notices_for_applicant(db, principal.user_id)]
    return render(request, "licensing/my_cases.html", {"cases": cases_of_applicant(db, principal.user_id, lang),
                                                       "notices": notices})


def _kind_and_subject(request: Request, values: dict[str, Any]) -> tuple[str, str, int | None]:
    kind = values.get("kind") or request.query_params.get("kind") or "application"
    subject_type = values.get("subject_type") or request.query_params.get("subject_type") or "lab"
    raw = values.get("subject_id") or request.query_params.get("subject_id") or ""
    kind = kind if kind in case_flow.KINDS else "application"
    subject_type = subject_type if subject_type in ("body", "lab") else "lab"
    return kind, subject_type, int(raw) if str(raw).isdigit() else None


def _form(request: Request, db, *, values: dict[str, Any], errors=None, general=None, status_code=200):
    lang = request_language(request)
    kind, subject_type, subject_id = _kind_and_subject(request, values)
    subject = db.get(CertificationBody if subject_type == "body" else Lab, subject_id) if subject_id else None
    return render(request, "licensing/apply.html", {
        "kind": kind, "subject_type": subject_type, "subject": subject, "values": values, "errors": errors or {},
        "general": general, "field_options": lookups.field_options(db, lang),
        "commitment_allowed": kind in case_flow.COMMITMENT_KINDS,
    }, status_code=status_code)


@router.get("/licensing/apply")
def apply_form(request: Request, db: ReadDB):
    """Show the application form for a kind of case (first application, change, renewal, cancellation)."""
    applicant_principal(request)
    return _form(request, db, values={"procedure": "general"})


@router.post("/licensing/apply")
def apply(request: Request, form: PostedForm, db: ReadDB):
    """File the application as a draft with its attachment; the applicant checks it, then submits."""
    principal = applicant_principal(request)
    lang = request_language(request)
    settings = request.app.state.settings
    values: dict[str, Any] = form_values_of(form, TEXT_FIELDS + ("kind", "subject_type", "subject_id"))
    values["fields"] = [f for f in form.getlist("fields") if isinstance(f, str)]
    kind, subject_type, subject_id = _kind_and_subject(request, values)
    upload = form.get("attachment")
    try:
        with write_session(request.app.state.sessions) as wdb:
            case = cases.file_case(wdb, principal=principal, kind=kind, subject_type=subject_type,
                                   procedure=values.get("procedure") or "general",
                                   application=with_legal_rep_fingerprint(settings, values),
                                   subject_id=subject_id, contact_email=values.get("contact_email"))
            if isinstance(upload, UploadFile) and upload.filename:
                cases.attach_file(wdb, principal=principal, case_id=case.id, filename=upload.filename,
                                  data=upload.file.read(settings.licensing_attachment_max_bytes + 1),
                                  data_dir=settings.data_dir, max_bytes=settings.licensing_attachment_max_bytes)
            case_id = case.id
    except DomainError as exc:
        refuse_unless_correctable(exc)
        known = set(labels(lang))
        errors = domain_errors(exc, lang, labels(lang))
        errors = {k.removeprefix("application."): v for k, v in errors.items()}
        errors, general = split_general(errors, known)
        return _form(request, db, values=values, errors=errors, general=general, status_code=exc.status)
    return redirect(request, f"/licensing/cases/{case_id}",
                    flash=t(request, "The application is saved as a draft. Check it, then submit it."))


@router.get("/licensing/cases/{case_id}")
def case_page(request: Request, db: ReadDB, case_id: Id):
    """Show a case: what was applied for, each step with its deadline, the days left, and the next actions."""
    principal = signed_in(request)
    lang = request_language(request)
    case = cases.case_for(db, principal, case_id)
    side = "regulator" if principal.is_regulator else "applicant"
    view = case_detail(db, case, lang, side)
    extra: dict[str, Any] = {}
    if side == "regulator":
        extra["reviewers"] = reviewer_options(db)
    return render(request, "licensing/case.html", {"v": view, "side": side, "errors": {}, "values": {},
                                                   "field_names": lookups.field_names(db, lang), **extra})


@router.post("/licensing/cases/{case_id}/attachments")
def upload(request: Request, form: PostedForm, db: ReadDB, case_id: Id):
    """Attach a file to a draft or a case being corrected."""
    principal = applicant_principal(request)
    settings = request.app.state.settings
    item = form.get("attachment")
    data = item.file.read(settings.licensing_attachment_max_bytes + 1) if isinstance(item, UploadFile) else b""
    try:
        with write_session(request.app.state.sessions) as wdb:
            cases.attach_file(wdb, principal=principal, case_id=case_id,
                              filename=item.filename if isinstance(item, UploadFile) else "", data=data,
                              data_dir=settings.data_dir, max_bytes=settings.licensing_attachment_max_bytes)
    except DomainError as exc:
        refuse_unless_correctable(exc)
        return redirect(request, f"/licensing/cases/{case_id}", flash=exc.message(request_language(request)),
                        kind="error")
    return redirect(request, f"/licensing/cases/{case_id}", flash=t(request, "The file is attached."))


@router.post("/licensing/cases/{case_id}/applicant-step")
def applicant_step(request: Request, form: PostedForm, db: ReadDB, case_id: Id):
    """Take the applicant's step: submit, submit the corrections, report the rectification, or withdraw."""
    principal = applicant_principal(request)
    try:
        with write_session(request.app.state.sessions) as wdb:
            cases.applicant_step(wdb, principal=principal, case_id=case_id, action=text(form, "action"),
                                 note=text(form, "note") or None,
                                 handler_email=request.app.state.settings.licensing_handler_email)
    except DomainError as exc:
        refuse_unless_correctable(exc)
        return redirect(request, f"/licensing/cases/{case_id}", flash=exc.message(request_language(request)),
                        kind="error")
    send_notices(request)
    return redirect(request, f"/licensing/cases/{case_id}", flash=t(request, "Done."))


@router.get("/licensing/cases/{case_id}/attachments/{attachment_id}")
def download(request: Request, db: ReadDB, case_id: Id, attachment_id: Id):
    """Send an attachment to the case's applicant or a regulator."""
    principal = signed_in(request)
    cases.case_for(db, principal, case_id)
    item = db.get(CaseAttachment, attachment_id)
    if item is None or item.case_id != case_id:
        raise NotFound("licensing_case.not_found", id=case_id)
    data = attachment_path(request.app.state.settings.data_dir, item.sha256).read_bytes()
    return Response(data, media_type=item.content_type,
                    headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"})
