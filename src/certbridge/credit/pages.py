"""Credit and 双公示 pages: published penalties, the dishonesty list and licensing records for the public; the
regulator's console for penalties, listings, bars, revocations and licensing publication.

Built on the page kit (`certbridge.web`); templates under credit/templates/credit/.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.pagination import decode_cursor, next_cursor
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.credit import follow, lists, penalties
from certbridge.credit.models import DishonestyListing
from certbridge.credit.recompute_job import KIND as RECOMPUTE_KIND
from certbridge.credit.recompute_job import recompute_work
from certbridge.credit.schemas import ListingIn, PenaltyIn
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput, NotFound
from certbridge.i18n.catalog import render as message
from certbridge.jobs.pages import JobKind, describe_kind
from certbridge.licensing import service as licensing
from certbridge.policy import require_regulator
from certbridge.licensing.deadlines import calendar_for
from certbridge.licensing.queries import licensing_view, list_licensing_records
from certbridge.web import forms, guards, nav
from certbridge.web.i18n import N_
from certbridge.web.page_actions import form_done, form_problems, page_language, render_page, require_form_token
from certbridge.web.posted import PostedForm

# Who may not do this, or a record they may not see: the answer is the error page, with the audit trail
# recording a denied attempt, not a redirect that reads as success.
CONSOLE = "/regulator/credit"


router = APIRouter(include_in_schema=False, dependencies=[Depends(require_form_token)])
_lang, _page, _done = page_language, render_page, form_done


def _text(form, key: str) -> str | None:
    value = form.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _date(form, key: str) -> date | None:
    value = _text(form, key)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise InvalidInput("validation.date_parsing", field=key) from None


def _calendar(request: Request):
    return calendar_for(request.app.state.settings.workday_overrides)


# -- public ---------------------------------------------------------------------------------------------


@router.get("/publicity/penalties")
def public_penalties(request: Request, db: ReadDB, q: str | None = None, cursor: str | None = None):
    """List penalties currently published."""
    items = penalties.list_penalties(db, after_id=decode_cursor(cursor), limit=50, public_only=True, q=q)
    return _page(request, "credit/penalties_public.html", q=q or "", items=items,
                 next_cursor=next_cursor([p.id for p in items], 50))


@router.get("/publicity/penalties/{penalty_id}")
def public_penalty(request: Request, db: ReadDB, penalty_id: Id):
    """Show a published penalty with every 双公示 field."""
    penalty = penalties.get_penalty(db, penalty_id)
    if penalties.penalty_status(penalty, date.today()) != "published":
        raise NotFound("penalty.not_found", id=penalty_id)
    return _page(request, "credit/penalty.html", p=penalties.penalty_view(db, penalty, lang=_lang(request),
                                                                          calendar=_calendar(request)))


@router.get("/publicity/dishonesty-list")
def public_list(request: Request, db: ReadDB, q: str | None = None, cursor: str | None = None):
    """List everyone on the serious-dishonesty list today."""
    items = lists.public_listings(db, after_id=decode_cursor(cursor), limit=50, q=q)
    return _page(request, "credit/dishonesty_public.html", q=q or "", items=items,
                 next_cursor=next_cursor([i.id for i in items], 50))


@router.get("/publicity/licensing")
def public_licensing(request: Request, db: ReadDB, q: str | None = None, cursor: str | None = None):
    """List published licensing records."""
    items = list_licensing_records(db, after_id=decode_cursor(cursor), limit=50, public_only=True, q=q)
    lang = _lang(request)
    return _page(request, "credit/licensing_public.html", q=q or "",
                 items=[licensing_view(db, r, lang=lang) for r in items],
                 next_cursor=next_cursor([r.id for r in items], 50))


# -- regulator ------------------------------------------------------------------------------------------


@router.get("/regulator/credit")
def console(request: Request, db: ReadDB):
    """Show penalties, listings and licensing records with their actions and the forms to add them."""
    guards.regulator(request)
    lang, cal, today = _lang(request), _calendar(request), date.today()
    recent = penalties.list_penalties(db, after_id=0, limit=200)
    records = list_licensing_records(db, after_id=0, limit=200)
    listings = list(db.scalars(select(DishonestyListing).order_by(DishonestyListing.id.desc()).limit(200)))
    return _page(request, "credit/console.html",
                 penalties=[penalties.penalty_view(db, p, lang=lang, calendar=cal) for p in reversed(recent)],
                 listings=[{"l": item, "status": lists.listing_status(item, today)} for item in listings],
                 records=[licensing_view(db, r, lang=lang, calendar=cal) for r in reversed(records)])


def _penalty_from(form) -> PenaltyIn:
    categories = [c.strip() for c in (_text(form, "categories") or "").replace("、", ",").split(",") if c.strip()]
    data = {"party_name": _text(form, "party_name"), "party_uscc": _text(form, "party_uscc"),
            "legal_representative": _text(form, "legal_representative"),
            "decision_number": _text(form, "decision_number"), "violation_type": _text(form, "violation_type"),
            "facts": _text(form, "facts"), "legal_basis": _text(form, "legal_basis"), "categories": categories,
            "content": _text(form, "content"), "fine_wan": _text(form, "fine_wan"),
            "confiscation_wan": _text(form, "confiscation_wan"), "licence_affected": _text(form, "licence_affected"),
            "decided_on": _text(form, "decided_on"), "authority": _text(form, "authority"),
            "authority_uscc": _text(form, "authority_uscc"), "samr": bool(form.get("samr")),
            "sector": _text(form, "sector") or "general", "publish": bool(form.get("publish"))}
    return PenaltyIn(**{k: v for k, v in data.items() if v is not None})


def _answer(request: Request, form, write: Callable[[Session], object], *, back: str = CONSOLE,
            bad_input: Callable[[ValueError], DomainError | Response] | None = None) -> Response:
    """Run a console form's write in one transaction and answer it: back to the console with "done", or — refused —
    back with the problem shown (next to its field) and every field kept. The console's one refused-form branch.

    `bad_input` turns input that could not even be read (a pydantic ValidationError, a non-number) into the
    problem to show: a DomainError, or a ready answer (per-field problems).
    """
    try:
        with write_session(request.app.state.sessions) as session:
            write(session)
    except DomainError as exc:
        return _done(request, back, exc, form)
    except ValueError as exc:  # pydantic's ValidationError is one
        if bad_input is None:
            raise
        problem = bad_input(exc)
        return problem if isinstance(problem, Response) else _done(request, back, problem, form)
    return _done(request, back)


@router.post("/regulator/credit/penalties")
def add_penalty(request: Request, form: PostedForm):
    """Record a penalty from the console form."""
    principal = guards.regulator(request)

    def field_problems(exc: ValueError):
        if not isinstance(exc, ValidationError):
            raise exc
        return form_problems(request, CONSOLE, forms.pydantic_errors(exc, _lang(request)), form)

    return _answer(request, form, lambda session: penalties.record_penalty(
        session, principal=principal, item=_penalty_from(form), calendar=_calendar(request)), bad_input=field_problems)


@router.post("/regulator/credit/penalties/{penalty_id}/{action}")
def penalty_action(request: Request, form: PostedForm, penalty_id: Id, action: str):
    """Publish, withdraw or repair a penalty."""
    principal = guards.regulator(request)

    def write(session: Session) -> None:
        if action == "publish":
            penalties.publish_penalty(session, principal=principal, penalty_id=penalty_id)
        elif action == "withdraw":
            penalties.withdraw_penalty(session, principal=principal, penalty_id=penalty_id,
                                       decision_changed_on=_date(form, "decision_changed_on") or date.today(),
                                       reason=_text(form, "reason") or "", calendar=_calendar(request))
        elif action == "repair":
            penalties.repair_penalty(session, principal=principal, penalty_id=penalty_id,
                                     reason=_text(form, "reason") or "")
        else:
            raise NotFound("not_found")

    return _answer(request, form, write)


@router.post("/regulator/credit/listings")
def add_listing(request: Request, form: PostedForm):
    """Put a subject on the serious-dishonesty list."""
    principal = guards.regulator(request)

    def write(session: Session) -> None:
        item = ListingIn(subject_type=_text(form, "subject_type") or "organization",
                         subject_id=int(_text(form, "subject_id") or 0) or 1,
                         reason=_text(form, "reason") or "", decision_number=_text(form, "decision_number") or "",
                         authority=_text(form, "authority") or "", listed_on=_date(form, "listed_on"))
        lists.list_on_dishonesty_list(session, principal=principal, item=item)

    return _answer(request, form, write, bad_input=lambda exc: InvalidInput(
        "field.required", field=message("ui.list_subject", _lang(request))))


@router.post("/regulator/credit/listings/{listing_id}/remove")
def remove_listing(request: Request, form: PostedForm, listing_id: Id):
    """Remove a subject early from the list."""
    principal = guards.regulator(request)
    return _answer(request, form, lambda session: lists.remove_from_dishonesty_list(
        session, principal=principal, listing_id=listing_id, obligations_met=bool(form.get("obligations_met")),
        reason=_text(form, "reason") or ""))


@router.post("/regulator/credit/bars")
def bar(request: Request, form: PostedForm):
    """Bar a person, or revoke a body's approval."""
    principal = guards.regulator(request)
    reason, number = _text(form, "reason") or "", _text(form, "decision_number") or ""

    def write(session: Session) -> None:
        if _text(form, "target") == "body":
            lists.revoke_body_approval(session, principal=principal, body_id=int(_text(form, "subject_id") or 0),
                                       reason=reason, decision_number=number,
                                       permanent_exit=bool(form.get("permanent_exit")))
        else:
            lists.bar_person(session, principal=principal, person_id=int(_text(form, "subject_id") or 0),
                             kind=_text(form, "kind") or "false_conclusion", reason=reason, decision_number=number)

    return _answer(request, form, write, bad_input=lambda exc: InvalidInput("field.required", field="subject_id"))


@router.post("/regulator/credit/licensing/{record_id}/{action}")
def licensing_action(request: Request, form: PostedForm, record_id: Id, action: str):
    """Publish or withdraw a licensing record."""
    principal = guards.regulator(request)

    def write(session: Session) -> None:
        if action == "publish":
            licensing.publish_licensing_record(session, principal=principal, record_id=record_id)
        elif action == "withdraw":
            licensing.withdraw_licensing_record(
                session, principal=principal, record_id=record_id, reason=_text(form, "reason") or "",
                decision_changed_on=_date(form, "decision_changed_on") or date.today(), calendar=_calendar(request))
        else:
            raise NotFound("not_found")

    return _answer(request, form, write, back=CONSOLE + "#licensing")


@router.post("/regulator/credit/recompute")
def recompute(request: Request, form: PostedForm):
    """Start recomputing every subject's credit class as a background job; show its progress and outcome."""
    principal = guards.regulator(request)
    require_regulator(principal)  # a read-only key may look, not recompute
    job_id = request.app.state.jobs.submit(kind=RECOMPUTE_KIND, principal=principal,
                                           work=recompute_work(request.app.state.sessions, principal=principal),
                                           title=date.today().isoformat())
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def install(app: FastAPI) -> None:
    """Mount the pages, add the regulator's nav entry and describe the recompute job."""
    add_routes(app, router)
    describe_kind(RECOMPUTE_KIND, JobKind(
        title=N_("Recomputing credit classes (%(title)s)"), back=CONSOLE, back_label=N_("Penalties & lists"),
        labels={"entries_added": N_("New credit entries"), "subjects": N_("Subjects rescored"),
                "class_changes": N_("Class changes")}))
    follow.install(app)  # credit follows every write's events at once
    nav.add_nav_entry(nav.NavEntry(CONSOLE, "Penalties & lists", roles=nav.REGULATORS, area="regulator", order=85))
