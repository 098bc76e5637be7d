"""The case handlers' pages: the queue with every open case's deadline and holder, the commitments to verify,
and the regulator's steps on a case (accept, reject, 补正, review team, findings, rectification, decision,
licence, the 告知承诺 check)."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Request

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.licensing import case_flow
from certbridge.licensing.case_decisions import Authority
from certbridge.licensing.case_steps import take_step
from certbridge.licensing.case_views import commitments_due, queue
from certbridge.licensing.notices import notice_text, notices_for_handlers
from certbridge.licensing.pages.common import refuse_unless_correctable, send_notices
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import parse_date, text
from certbridge.web.guards import regulator
from certbridge.web.i18n import request_language
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/licensing/queue")
def case_queue(request: Request, db: ReadDB):
    """Show every open case by its deadline, with who holds it, and the commitments to verify."""
    regulator(request)
    lang = request_language(request)
    state = request.query_params.get("state")
    state = state if state in case_flow.STATES else None
    return render(request, "licensing/queue.html", {
        "cases": queue(db, lang, state=state), "state": state, "states": case_flow.STATES,
        "commitments": commitments_due(db, lang), "today": date.today(),
        "notices": [{"text": notice_text(n, lang), "case_id": n.case_id} for n in notices_for_handlers(db)]})


@router.post("/licensing/cases/{case_id}/step")
def handler_step(request: Request, form: PostedForm, db: ReadDB, case_id: Id):
    """Take the regulator's step on a case; a refused step changes nothing and says why."""
    principal = regulator(request)
    settings = request.app.state.settings
    action, note = text(form, "action"), text(form, "note") or None
    try:
        on = parse_date(text(form, "on"), "on")
        team = [int(v) for v in form.getlist("team") if isinstance(v, str) and v.isdigit()]
        with write_session(request.app.state.sessions) as wdb:
            take_step(wdb, principal=principal, case_id=case_id, action=action, note=note, on=on, team=team,
                      authority=Authority(settings.licensing_authority, settings.licensing_authority_uscc))
    except DomainError as exc:
        refuse_unless_correctable(exc)
        return redirect(request, f"/licensing/cases/{case_id}", flash=exc.message(request_language(request)),
                        kind="error", form={"note": note or ""}, field="note")
    send_notices(request)
    return redirect(request, f"/licensing/cases/{case_id}", flash=t(request, "Done."))
