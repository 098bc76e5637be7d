"""The regulator's page of declared relationships (回避): the list with its filters, declaring one for an inspector or
expert — with a registry record, or a party by name and USCC — and withdrawing one with a reason."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, FastAPI, Request
from sqlalchemy import select

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput
from certbridge.i18n.catalog import render as message
from certbridge.registry.models import Person
from certbridge.supervision import directory, relationships
from certbridge.web import guards, nav
from certbridge.web.forms import form_values_of, parse_date
from certbridge.web.page_actions import form_done, page_language, render_page, require_form_token
from certbridge.web.posted import PostedForm

PAGE = "/regulator/relationships"
FIELDS = ("person_id", "kind", "party_by", "object_type", "record_number", "party_name", "party_uscc", "declared_on",
          "ends_on", "note")
# A service's field name → the form input it came from.
FORM_FIELDS = {"object_id": "record_number", "party_name": "party_name"}

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_form_token)])


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


@router.get(PAGE)
def relationships_page(request: Request, db: ReadDB):
    """List declared relationships with filters, a form to declare one, and a withdraw form on each in force."""
    principal = guards.regulator(request)
    query = request.query_params
    flt = relationships.RelationshipFilter(
        person_id=_int(query.get("person_id")),
        kind=query.get("kind") if query.get("kind") in directory.RELATIONSHIP_KINDS else None,
        status=query.get("status") if query.get("status") in relationships.STATUSES else None,
        party=(query.get("party") or "").strip()[:200] or None)
    items = relationships.list_relationships(db, principal=principal, flt=flt)
    people = db.execute(select(Person.id, Person.name, Person.employer)
                        .where(Person.kind.in_(("inspector", "expert"))).order_by(Person.name, Person.id))
    options = [(pid, f"{name}（{employer}）" if employer else name) for pid, name, employer in people]
    return render_page(request, "supervision/relationships.html", items=items, flt=flt, person_options=options,
                       kinds=directory.RELATIONSHIP_KINDS, statuses=relationships.STATUSES,
                       capped=len(items) >= relationships.LIST_CAP, today=date.today())


@router.post(PAGE)
def declare(request: Request, form: PostedForm, db: ReadDB):
    """Declare a relationship of an inspector or expert, with a registry record or a party by name and USCC."""
    principal = guards.regulator(request)
    values = form_values_of(form, FIELDS)
    try:
        person_id = _int(values["person_id"])
        if person_id is None:
            raise InvalidInput("field.required", field="person_id")
        kind = values["kind"] or ""
        declared_on = parse_date(values["declared_on"], "declared_on") or date.today()
        ends_on = parse_date(values["ends_on"], "ends_on")
        party: dict = {}
        if values["party_by"] == "record":
            object_type = values["object_type"] if values["object_type"] in directory.OBJECT_MODELS else None
            if object_type is None:
                raise InvalidInput("field.required", field="object_type")
            party = {"object_type": object_type,
                     "object_id": relationships.find_record(db, object_type, values["record_number"])}
        else:
            party = {"party_name": values["party_name"] or None, "party_uscc": values["party_uscc"] or None}
        with write_session(request.app.state.sessions) as wdb:
            directory.declare_relationship(wdb, principal=principal, person_id=person_id, kind=kind,
                                           declared_on=declared_on, ends_on=ends_on, note=values["note"] or None,
                                           **party)
    except DomainError as exc:
        return form_done(request, PAGE, exc, form, fields=FORM_FIELDS)
    return form_done(request, PAGE, success=message("inspector.relationship_declared", page_language(request)))


@router.post(PAGE + "/{relationship_id}/withdraw")
def withdraw(request: Request, form: PostedForm, relationship_id: Id):
    """Withdraw a declared relationship with the reason."""
    principal = guards.regulator(request)
    reason = form.get("reason")
    try:
        with write_session(request.app.state.sessions) as wdb:
            relationships.withdraw_relationship(wdb, principal=principal, relationship_id=relationship_id,
                                                reason=reason if isinstance(reason, str) else "")
    except DomainError as exc:
        return form_done(request, PAGE, exc, form)
    return form_done(request, PAGE, success=message("inspector.relationship_withdrawn", page_language(request)))


def install(app: FastAPI) -> None:
    """Mount the page and add its nav entry (regulators)."""
    add_routes(app, router)
    nav.add_nav_entry(nav.NavEntry(PAGE, "Relationships", roles=nav.REGULATORS, area="regulator", order=82))
