"""What the applicant's and the handlers' case pages share: who may open them, labels, and sending notices."""

from __future__ import annotations

from fastapi import Request

from certbridge.errors import DomainError, Forbidden
from certbridge.licensing.notices import deliver_notices
from certbridge.principal import Principal
from certbridge.web.guards import signed_in
from certbridge.web.i18n import N_, gettext

APPLYING_ROLES = ("applicant", "cb_operator", "lab_operator")
LABELS = {
    "name": N_("Applicant name"), "uscc": N_("Unified social credit code"), "address": N_("Address"),
    "legal_representative": N_("Legal representative"), "fields": N_("Fields applied for"),
    "legal_representative_id_number": N_("Legal representative's ID card or passport number"),
    "capital_wan": N_("Registered capital (10 000 yuan)"), "auditors": N_("Full-time auditors (one a line)"),
    "capabilities": N_("Capability items (one a line: scope | parameter | standard or method)"),
    "sites": N_("Sites (one a line)"), "equipment": N_("Equipment (one a line)"),
    "personnel": N_("Personnel (one a line)"), "valid_until": N_("Renew until"), "reason": N_("Reason"),
    "contact_email": N_("Contact e-mail"), "attachment": N_("Attachment (PDF, PNG or JPEG)"),
    "procedure": N_("Procedure"), "note": N_("Note"), "team": N_("Review team"), "on": N_("Date"),
    "subject_id": N_("Licensed body or lab"),
}


def labels(lang: str) -> dict[str, str]:
    """Return the form labels in a language, keyed as errors name fields (application.x → x)."""
    out = {k: gettext(lang, v) for k, v in LABELS.items()}
    return {**out, **{f"application.{k}": v for k, v in out.items()}}


def applicant_principal(request: Request) -> Principal:
    """Return the signed-in applicant (or a body's or lab's operator applying for its own licence)."""
    principal = signed_in(request)
    if principal.role not in APPLYING_ROLES:
        raise Forbidden("licensing_case.applicants_only")
    return principal


def refuse_unless_correctable(exc: DomainError) -> None:
    """Let a refusal of who is asking (401, 403, 404) stand as such; only a correctable mistake goes back to the form."""
    if exc.status in (401, 403, 404):
        raise exc


def send_notices(request: Request) -> None:
    """E-mail the notices the last step wrote (after its commit; nothing when no SMTP server is set)."""
    deliver_notices(request.app.state.sessions, request.app.state.settings)
