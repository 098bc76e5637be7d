"""Public complaint pages: the form (from a certificate page, a verify result or the header), the progress page."""

from __future__ import annotations

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from certbridge.api.deps import ReadDB, current_principal
from certbridge.api.routing import APIRouter
from certbridge.complaints.handling import public_steps
from certbridge.complaints.filing import KINDS, SUBJECT_KINDS, file_complaint, find_by_tracking_number, new_secret
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, form_values_of, text
from certbridge.web.i18n import N_, gettext, request_language
from certbridge.web.posted import PostedForm
from certbridge.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
LABELS = {"subject_kind": N_("What is it about?"), "subject_text": N_("Certificate number, company, body or product"),
          "kind": N_("What is wrong?"), "description": N_("What happened"), "contact": N_("Your phone or e-mail"),
          "evidence": N_("Evidence (photos or PDF)")}
SUBJECT_WORDS = {"certificate": N_("A certificate"), "company": N_("A company"), "body": N_("A certification body"),
                 "product": N_("A product")}
KIND_WORDS = {"fake_certificate": N_("Fake or misused certificate"), "misused_mark": N_("Misused certification mark"),
              "product_quality": N_("Product quality"),
              "malpractice": N_("Certification malpractice (e.g. audit not really performed)"), "other": N_("Other")}
STATUS_WORDS = {"received": N_("Received, waiting to be accepted"), "accepted": N_("Accepted"),
                "investigating": N_("Being investigated"), "mediating": N_("In mediation"),
                "rejected": N_("Not accepted"), "closed": N_("Closed")}
STEP_WORDS = {"complaint.filed": N_("Filed"), "complaint.accepted": N_("Accepted"),
              "complaint.rejected": N_("Not accepted"), "complaint.investigating": N_("Investigation started"),
              "complaint.verification_extended": N_("Verification extended"),
              "complaint.mediating": N_("Mediation started"), "complaint.transferred": N_("Transferred to another regulator"),
              "complaint.closed": N_("Closed")}
RESULT_WORDS = {"upheld": N_("Upheld"), "not_upheld": N_("Not upheld"), "mediated": N_("Settled by mediation"),
                "rejected": N_("Not accepted")}


def _form_context(values: dict, errors: dict) -> dict:
    return {"values": values, "errors": errors, "subject_kinds": SUBJECT_KINDS, "kinds": KINDS,
            "subject_words": SUBJECT_WORDS, "kind_words": KIND_WORDS}


@router.get("/complaints/new")
def complaint_form(request: Request, number: str | None = None, certificate: int | None = None,
                   kind: str | None = None):
    """Show the complaint form, filled in from where it was opened (a certificate, a verify result)."""
    values = {"subject_kind": "certificate" if number or certificate else "", "subject_text": (number or "")[:60],
              "kind": kind if kind in KINDS else "", "certificate": str(certificate or "")}
    return render(request, "portal/complaint_new.html", _form_context(values, {}))


@router.post("/complaints/new")
def complaint_file(request: Request, form: PostedForm):
    """File the complaint; answer with its progress page, its tracking number and its follow-up secret, shown
    this once (never in a URL, never stored: the complaint keeps its SHA-256, as when filed through the API)."""
    lang = request_language(request)
    values = form_values_of(form, ("subject_kind", "subject_text", "kind", "description", "contact", "certificate"))
    anonymous = text(form, "anonymous") == "1"
    uploads = [u for u in form.getlist("evidence") if isinstance(u, UploadFile) and u.filename]
    settings = request.app.state.settings
    secret = new_secret()
    try:
        files = [(u.filename, u.file.read(6 * 1024 * 1024)) for u in uploads]
        certificate = int(values["certificate"]) if values["certificate"].isdigit() else None
        with write_session(request.app.state.sessions) as wdb:
            item = file_complaint(wdb, principal=current_principal(request), subject_kind=values["subject_kind"],
                                  subject_text=values["subject_text"], kind=values["kind"],
                                  description=values["description"], contact=values["contact"], anonymous=anonymous,
                                  certificate_id=certificate, evidence=files, data_dir=settings.ensure_data_dir(),
                                  per_address_per_day=settings.complaints_per_address_per_day, secret=secret)
            context = _progress_context(wdb, item.tracking_number, item)
    except DomainError as exc:
        labels = {k: gettext(lang, v) for k, v in LABELS.items()}
        return render(request, "portal/complaint_new.html",
                      _form_context({**values, "anonymous": "1" if anonymous else ""},
                                    domain_errors(exc, lang, labels)), status_code=exc.status)
    return render(request, "portal/complaint_track.html", {**context, "secret": secret},
                  headers={"Cache-Control": "no-store"})


def _progress_context(db, number: str | None, item) -> dict:
    steps = [] if item is None else [{"at": at, "label": STEP_WORDS[step]} for at, step in public_steps(db, item)]
    return {"number": (number or "")[:24], "c": item, "steps": steps, "status_words": STATUS_WORDS,
            "kind_words": KIND_WORDS, "result_words": RESULT_WORDS}


@router.get("/complaints/track")
def complaint_progress(request: Request, db: ReadDB, number: str | None = None):
    """Show a complaint's progress to whoever holds its tracking number (no contact, no regulator's notes)."""
    item = find_by_tracking_number(db, number)
    status = 404 if number and item is None else 200
    return render(request, "portal/complaint_track.html", _progress_context(db, number, item), status_code=status)
