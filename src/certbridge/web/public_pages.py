"""Public pages beyond search: the fake-certificate report form and the QR-code landing page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from certbridge.api.deps import ReadDB, current_principal
from certbridge.certificates.models import Certificate
from certbridge.certificates.presenters import summary
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.web import credentials_link, lookups
from certbridge.web.csrf import require_csrf
from certbridge.web.fake_reports import file_fake_report
from certbridge.web.forms import domain_errors, form_values_of
from certbridge.web.i18n import N_, gettext, request_language
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
REPORT_LABELS = {"number": N_("Certificate number"), "body_ref": N_("Issuing body shown on it"),
                 "holder_name": N_("Company named on it"), "where_seen": N_("Where did you see it?"),
                 "contact": N_("Your phone or e-mail (optional)")}


@router.get("/report")
def report_form(request: Request, number: str | None = None):
    """Show the form to report a suspected fake certificate."""
    return render(request, "portal/report.html", {"values": {"number": (number or "")[:60]}, "errors": {}})


@router.post("/report")
async def report(request: Request):
    """File the report with what verification says about the number, then thank the reporter."""
    lang = request_language(request)
    form = await request.form()
    values = form_values_of(form, REPORT_LABELS)
    try:
        with write_session(request.app.state.sessions) as wdb:
            item = file_fake_report(wdb, principal=current_principal(request), **values)
            ref = item.id
    except DomainError as exc:
        labels = {k: gettext(lang, v) for k, v in REPORT_LABELS.items()}
        return render(request, "portal/report.html", {"values": values, "errors": domain_errors(exc, lang, labels)},
                      status_code=exc.status)
    return redirect(request, "/report/thanks",
                    flash=t(request, "Thank you. Your report no. %(ref)s was sent to the regulator.", ref=ref))


@router.get("/report/thanks")
def report_thanks(request: Request):
    """Thank the reporter and say what happens next."""
    return render(request, "portal/report_thanks.html")


@router.get("/v/{token}")
def token_landing(request: Request, db: ReadDB, token: str):
    """Check a signed QR token: is it authentic, and is the certificate valid now?"""
    lang = request_language(request)
    check = credentials_link.check_token(db, request.app.state.settings, token[:2000])
    cert_view = None
    if check is not None and check.certificate_id:
        cert = db.get(Certificate, check.certificate_id)
        if cert is not None:
            cert_view = summary(db, cert, lang)
    return render(request, "portal/token.html", {
        "available": check is not None, "check": check, "c": cert_view,
        "scheme_names": lookups.scheme_names(db, lang),
    }, status_code=200 if check is None or check.authentic else 400)

