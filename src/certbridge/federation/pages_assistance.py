"""Pages of 执法互助: the regulators' inbox and outbox of assistance requests, a request with its answer, and the
forms to ask a peer, and to accept, refuse or answer what a peer asked."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput, NotFound
from certbridge.federation import assistance
from certbridge.federation.assistance_models import KINDS, SUBJECT_TYPES
from certbridge.federation.peers import list_peers
from certbridge.web import guards
from certbridge.web.i18n import N_, gettext
from certbridge.web.page_actions import form_done, page_language, render_page, require_form_token
from certbridge.web.posted import PostedForm

CONSOLE = "/regulator/federation/assistance"
ACTIONS = {"accept": "accepted", "refuse": "refused", "answer": "answered"}
KIND_LABELS = {"investigation": N_("Investigation (协查)"), "evidence": N_("Evidence (调取证据)"),
               "enforcement": N_("Enforcement of a penalty"), "notification": N_("Notification")}
SUBJECT_LABELS = {"certificate": N_("Certificate"), "organization": N_("Organization (USCC)"),
                  "body": N_("Certification body")}
STATUS_LABELS = {"sent": N_("Sent"), "delivered": N_("Delivered"), "accepted": N_("Accepted"),
                 "answered": N_("Answered"), "refused": N_("Refused")}

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_form_token)])


def _text(form, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def parse_attachments(text: str) -> list[dict[str, str]]:
    """Read attachments typed one a line as "name sha256" (the hash is the line's last word)."""
    items = []
    for line in text.splitlines():
        name, _, digest = line.strip().rpartition(" ")
        if line.strip():
            items.append({"name": name.strip() or digest, "sha256": digest if name.strip() else ""})
    return items


def _answer(request: Request, form, write: Callable[[Session], object], back: str) -> object:
    try:
        with write_session(request.app.state.sessions) as session:
            write(session)
    except DomainError as exc:
        return form_done(request, back, exc, form)
    return form_done(request, back)


def _labels() -> dict:
    return {"kind_labels": KIND_LABELS, "subject_labels": SUBJECT_LABELS, "status_labels": STATUS_LABELS}


@router.get(CONSOLE)
def assistance_console(request: Request, db: ReadDB):
    """List the requests peers sent us and those we sent, with status and deadline; and the form to ask a peer."""
    guards.regulator(request)
    views = [assistance.request_view(db, r) for r in assistance.list_requests(db)]
    peers, lang = [p for p in list_peers(db) if p.active], page_language(request)
    return render_page(request, "federation/assistance.html", inbox=[v for v in views if v["direction"] == "in"],
                       outbox=[v for v in views if v["direction"] == "out"],
                       peers=peers, peer_options=[(str(p.id), p.name) for p in peers],
                       kind_options=[(k, gettext(lang, KIND_LABELS[k])) for k in KINDS],
                       subject_options=[(s, gettext(lang, SUBJECT_LABELS[s])) for s in SUBJECT_TYPES], **_labels())


@router.get(CONSOLE + "/{assistance_id}")
def assistance_page(request: Request, db: ReadDB, assistance_id: Id):
    """Show one request: what was asked, its attachments, status, reason or answer, and our messages' delivery."""
    guards.regulator(request)
    view = assistance.request_view(db, assistance.get_request(db, assistance_id))
    return render_page(request, "federation/assistance_request.html", r=view, **_labels())


@router.post(CONSOLE)
def send_assistance(request: Request, form: PostedForm):
    """Ask a peer for assistance from the console form."""
    principal = guards.regulator(request)

    def write(session: Session) -> None:
        try:
            peer_id, days = int(_text(form, "peer_id") or 0), int(_text(form, "working_days") or 0)
        except ValueError:
            raise InvalidInput("federation.assistance_days", field="working_days", max=assistance.MAX_WORKING_DAYS)
        assistance.send_request(session, principal=principal, settings=request.app.state.settings, peer_id=peer_id,
                                kind=_text(form, "kind"), subject_type=_text(form, "subject_type"),
                                subject_key=_text(form, "subject_key"), subject_name=_text(form, "subject_name"),
                                text=_text(form, "text"), working_days=days,
                                attachments=parse_attachments(_text(form, "attachments")))

    return _answer(request, form, write, CONSOLE)


@router.post(CONSOLE + "/{assistance_id}/{action}")
def decide_assistance(request: Request, form: PostedForm, assistance_id: Id, action: str):
    """Accept, refuse (with the reason) or answer a request a peer sent us."""
    principal = guards.regulator(request)
    if action not in ACTIONS:
        raise NotFound("not_found")

    def write(session: Session) -> None:
        assistance.decide_request(session, principal=principal, settings=request.app.state.settings,
                                  assistance_id=assistance_id, decision=ACTIONS[action], text=_text(form, "text"),
                                  attachments=parse_attachments(_text(form, "attachments")))

    return _answer(request, form, write, f"{CONSOLE}/{assistance_id}")


def install(app: FastAPI) -> None:
    """Mount the assistance pages (linked from the federation console)."""
    add_routes(app, router)
