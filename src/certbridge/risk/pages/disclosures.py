"""Bodies' public commitments and annual reports on pages: the panel on the body's public page (`body.page` slot)
and the body operator's console page to publish a commitment and file an annual report."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.risk.disclosures import body_disclosures, file_annual_report, publish_commitment
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import text
from certbridge.web.guards import cb_operator
from certbridge.web.page_actions import form_done
from certbridge.web.posted import PostedForm
from certbridge.web.templating import render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
URL = "/cb/disclosures"


def body_page_slot(*, session: Session, body_id: int, **_: Any) -> dict[str, Any]:
    """Slot `body.page`: the body's commitment in force, its annual reports and the years overdue."""
    return {"disclosures": body_disclosures(session, body_id), "body_panels": ["risk/body_disclosures.html"]}


@router.get(URL)
def console(request: Request, db: ReadDB):
    """The body operator's disclosures: its commitment and reports as the public sees them, and the forms."""
    principal = cb_operator(request)
    found = body_disclosures(db, principal.body_id)
    return render(request, "risk/cb_disclosures.html", {
        "disclosures": found, "body_id": principal.body_id, "last_year": date.today().year - 1,
        "years": list(range(date.today().year - 1, found["rule"].first_year - 1, -1))})


@router.post(URL + "/commitment")
def commitment(request: Request, form: PostedForm):
    """Publish the body's public commitment (it replaces the previous one)."""
    principal = cb_operator(request)
    try:
        with write_session(request.app.state.sessions) as session:
            publish_commitment(session, principal=principal, body_id=principal.body_id, text=text(form, "text"))
    except DomainError as exc:
        return form_done(request, URL, exc, form)
    return form_done(request, URL, success=t(request, "The commitment is published."))


@router.post(URL + "/annual-report")
def annual_report(request: Request, form: PostedForm):
    """File the body's annual report on a past year."""
    principal = cb_operator(request)
    year = text(form, "year")
    try:
        with write_session(request.app.state.sessions) as session:
            file_annual_report(session, principal=principal, body_id=principal.body_id,
                               year=int(year) if year.isdigit() else 0, text=text(form, "text"))
    except DomainError as exc:
        return form_done(request, URL, exc, form)
    return form_done(request, URL, success=t(request, "The annual report is filed."))
