"""Anyone may open an applicant account (申请人账号) to apply for a licence online; then they sign in."""

from __future__ import annotations

from fastapi import Depends, Request

from certbridge.api.deps import current_principal
from certbridge.api.routing import APIRouter
from certbridge.auth.service import register_applicant
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, form_values_of, split_general
from certbridge.web.i18n import N_, gettext, request_language
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
LABELS = {"username": N_("User name"), "display_name": N_("Applicant (company) name"), "password": N_("Password")}


@router.get("/register")
def register_form(request: Request):
    """Show the form that opens an applicant account."""
    return render(request, "register.html", {"values": {}, "errors": {}})


@router.post("/register")
def register(request: Request, form: PostedForm):
    """Open the applicant account, then send the applicant to sign in."""
    lang = request_language(request)
    values = form_values_of(form, ("username", "display_name"))
    try:
        with write_session(request.app.state.sessions) as db:
            register_applicant(db, username=values["username"], display_name=values["display_name"],
                               password=str(form.get("password") or ""), actor=current_principal(request).actor)
    except DomainError as exc:
        errors, general = split_general(domain_errors(exc, lang, {k: gettext(lang, v) for k, v in LABELS.items()}),
                                        set(LABELS))
        return render(request, "register.html", {"values": values, "errors": errors, "general": general},
                      status_code=exc.status)
    return redirect(request, "/login?next=/licensing", flash=t(request, "Your applicant account is open. Sign in to apply."))
