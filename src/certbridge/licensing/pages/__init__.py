"""Pages of the licensing capability: the applicant's cases and form, the handlers' queue and steps, and the
licence's public page; the regulator console's body approval makes its 双公示 record through a slot."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from certbridge.api.routing import add_routes
from certbridge.licensing.pages import applicant, handler, licence
from certbridge.licensing.schemas import DecisionIn
from certbridge.licensing.service import record_approval
from certbridge.principal import Principal
from certbridge.settings import Settings
from certbridge.web.i18n import N_
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry
from certbridge.web.slots import fill_slot


def console_approval(*, session: Session, principal: Principal, body: Any, settings: Settings,
                     document_number: str | None = None, **_: Any) -> dict[str, Any]:
    """Give a body approved in the regulator console its licensing record (双公示), in the same transaction."""
    decision = DecisionIn(document_number=document_number or body.approval_number,
                          decided_on=min(body.approved_on, date.today()), authority=settings.licensing_authority,
                          authority_uscc=settings.licensing_authority_uscc)
    record = record_approval(session, principal=principal, body=body, decision=decision)
    return {"licensing_record_id": record.id}


def install(app: FastAPI) -> None:
    """Mount the licensing pages, add their header links and take the console's body approvals."""
    add_routes(app, applicant.router)
    add_routes(app, handler.router)
    add_routes(app, licence.router)
    add_nav_entry(NavEntry("/licensing", N_("My applications"), roles=("applicant", "lab_operator", "cb_operator"),
                           area="account", order=4))
    add_nav_entry(NavEntry("/licensing/queue", N_("Licensing cases"), roles=REGULATORS, area="regulator", order=25))
    fill_slot("body.approved", console_approval)
