"""Credit endpoints: penalties and their publication, dishonesty list, bars, credit records, 双公示 export."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from certbridge.api.deps import AuthedPrincipal, CurrentPrincipal, Lang, ReadDB, WriteDB
from certbridge.api.pagination import Page, decode_cursor, next_cursor
from certbridge.api.params import Id, IdFilter
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.credit import lists, penalties, scoring
from certbridge.credit.models import DishonestyListing
from certbridge.credit.publicity import publicity_file
from certbridge.credit.recompute_job import KIND as RECOMPUTE_KIND
from certbridge.credit.recompute_job import recompute_work
from certbridge.credit.schemas import (
    BarPersonIn,
    CreditRecordOut,
    ListingIn,
    ListingOut,
    PenaltyIn,
    PenaltyOut,
    RemovalIn,
    RepairIn,
    RevokeBodyIn,
    SettingIn,
)
from certbridge.credit.parameters import CREDIT_DEFAULTS, credit_setting, set_credit_setting
from certbridge.db import read_session
from certbridge.errors import NotFound
from certbridge.jobs.api import JobOut
from certbridge.jobs.models import Job
from certbridge.licensing.deadlines import calendar_for
from certbridge.licensing.schemas import PublishIn, WithdrawalIn
from certbridge.policy import require_regulator, require_regulator_reader
from certbridge.registry.restrictions import active_restrictions
from certbridge.registry.snapshots import body_state

router = APIRouter(prefix="/api/v1", tags=["credit"], responses=PROBLEM_RESPONSES)
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=200)]


def _calendar(request: Request):
    return calendar_for(request.app.state.settings.workday_overrides)


def listing_view(item: DishonestyListing, on: date | None = None) -> dict[str, Any]:
    """Return a listing with its status."""
    return {"id": item.id, **lists.listing_state(item), "status": lists.listing_status(item, on or date.today())}


@router.post("/credit/penalties", response_model=PenaltyOut, status_code=201, summary="Record a penalty")
def create_penalty(item: PenaltyIn, request: Request, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Record a penalty decision with the 双公示 fields (regulators)."""
    cal = _calendar(request)
    return penalties.penalty_view(db, penalties.record_penalty(db, principal=principal, item=item, calendar=cal),
                                  lang=lang, calendar=cal)


@router.get("/credit/penalties", response_model=Page[PenaltyOut], summary="Penalties (regulators)")
def list_all_penalties(request: Request, db: ReadDB, principal: AuthedPrincipal, lang: Lang,
                       q: Annotated[str | None, Query(max_length=100)] = None,
                       cursor: Cursor = None, limit: Limit = 50):
    """List every penalty with its publication state (regulators)."""
    require_regulator_reader(principal)
    items = penalties.list_penalties(db, after_id=decode_cursor(cursor), limit=limit, q=q)
    cal = _calendar(request)
    return {"items": [penalties.penalty_view(db, p, lang=lang, calendar=cal) for p in items],
            "next_cursor": next_cursor([p.id for p in items], limit)}


@router.get("/credit/penalties/{penalty_id}", response_model=PenaltyOut, summary="A penalty")
def read_penalty(penalty_id: Id, request: Request, db: ReadDB, principal: CurrentPrincipal, lang: Lang):
    """Return a penalty (the public sees it only while it is published)."""
    penalty = penalties.get_penalty(db, penalty_id)
    if not principal.is_regulator and penalties.penalty_status(penalty, date.today()) != "published":
        raise NotFound("penalty.not_found", id=penalty_id)
    return penalties.penalty_view(db, penalty, lang=lang, calendar=_calendar(request))


@router.post("/credit/penalties/{penalty_id}/publish", response_model=PenaltyOut, summary="Publish a penalty")
def publish_penalty(penalty_id: Id, item: PublishIn, request: Request, db: WriteDB, principal: AuthedPrincipal,
                    lang: Lang):
    """Publish a penalty (regulators); late publication is recorded as late."""
    penalty = penalties.publish_penalty(db, principal=principal, penalty_id=penalty_id, on=item.on)
    return penalties.penalty_view(db, penalty, lang=lang, calendar=_calendar(request))


@router.post("/credit/penalties/{penalty_id}/withdraw", response_model=PenaltyOut,
             summary="Withdraw a changed or annulled penalty")
def withdraw_penalty(penalty_id: Id, item: WithdrawalIn, request: Request, db: WriteDB, principal: AuthedPrincipal,
                     lang: Lang):
    """Withdraw a penalty whose decision was changed or annulled (due within 3 working days)."""
    cal = _calendar(request)
    penalty = penalties.withdraw_penalty(db, principal=principal, penalty_id=penalty_id,
                                         decision_changed_on=item.decision_changed_on, reason=item.reason,
                                         calendar=cal)
    return penalties.penalty_view(db, penalty, lang=lang, calendar=cal)


@router.post("/credit/penalties/{penalty_id}/repair", response_model=PenaltyOut, summary="Grant credit repair")
def repair_penalty(penalty_id: Id, item: RepairIn, request: Request, db: WriteDB, principal: AuthedPrincipal,
                   lang: Lang):
    """End a penalty's publication early after the waiting period (regulators)."""
    penalty = penalties.repair_penalty(db, principal=principal, penalty_id=penalty_id, reason=item.reason, on=item.on)
    return penalties.penalty_view(db, penalty, lang=lang, calendar=_calendar(request))


@router.get("/public/penalties", response_model=Page[PenaltyOut], summary="Published penalties")
def public_penalties(request: Request, db: ReadDB, lang: Lang, q: Annotated[str | None, Query(max_length=100)] = None,
                     cursor: Cursor = None, limit: Limit = 50):
    """List penalties currently published (within their publication period, not withdrawn or repaired)."""
    items = penalties.list_penalties(db, after_id=decode_cursor(cursor), limit=limit, public_only=True, q=q)
    cal = _calendar(request)
    return {"items": [penalties.penalty_view(db, p, lang=lang, calendar=cal) for p in items],
            "next_cursor": next_cursor([p.id for p in items], limit)}


@router.post("/credit/dishonesty-list", response_model=ListingOut, status_code=201,
             summary="List a subject as seriously dishonest")
def list_subject(item: ListingIn, db: WriteDB, principal: AuthedPrincipal):
    """Put an organization, body or person on the serious-dishonesty list (regulators)."""
    return listing_view(lists.list_on_dishonesty_list(db, principal=principal, item=item))


@router.get("/credit/dishonesty-list", response_model=Page[ListingOut], summary="Every listing (regulators)")
def list_listings(db: ReadDB, principal: AuthedPrincipal, cursor: Cursor = None, limit: Limit = 50):
    """List every listing, past and present (regulators)."""
    require_regulator_reader(principal)
    items = list(db.scalars(select(DishonestyListing).where(DishonestyListing.id > decode_cursor(cursor))
                            .order_by(DishonestyListing.id).limit(limit)))
    return {"items": [listing_view(i) for i in items], "next_cursor": next_cursor([i.id for i in items], limit)}


@router.post("/credit/dishonesty-list/{listing_id}/remove", response_model=ListingOut, summary="Remove early")
def remove_listing(listing_id: Id, item: RemovalIn, db: WriteDB, principal: AuthedPrincipal):
    """Remove a subject early (≥ 1 year on the list, obligations met)."""
    return listing_view(lists.remove_from_dishonesty_list(db, principal=principal, listing_id=listing_id,
                                                          obligations_met=item.obligations_met, reason=item.reason,
                                                          on=item.on))


@router.get("/public/dishonesty-list", response_model=Page[ListingOut], summary="The serious-dishonesty list")
def public_list(db: ReadDB, q: Annotated[str | None, Query(max_length=100)] = None, cursor: Cursor = None,
                limit: Limit = 50):
    """List everyone on the serious-dishonesty list today."""
    items = lists.public_listings(db, after_id=decode_cursor(cursor), limit=limit, q=q)
    return {"items": [listing_view(i) for i in items], "next_cursor": next_cursor([i.id for i in items], limit)}


@router.post("/credit/people/{person_id}/bar", status_code=201, summary="Bar a person")
def bar_person(person_id: Id, item: BarPersonIn, db: WriteDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Bar a person for 5 years (false conclusion) or for life; their registrations are revoked."""
    r = lists.bar_person(db, principal=principal, person_id=person_id, **item.model_dump())
    return {"restriction_id": r.id, "kind": r.kind, "starts_on": r.starts_on, "ends_on": r.ends_on,
            "reason": r.reason, "source": r.source}


@router.post("/credit/bodies/{body_id}/revoke", summary="Revoke a body's approval")
def revoke_body(body_id: Id, item: RevokeBodyIn, db: WriteDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Revoke a certification body's approval (it can issue nothing), optionally with permanent exit."""
    body = lists.revoke_body_approval(db, principal=principal, body_id=body_id, **item.model_dump())
    bars = active_restrictions(db, "body", body.id, date.today())
    return {"id": body.id, **body_state(body), "restrictions": [r.kind for r in bars]}


@router.get("/credit/records/{subject_type}/{subject_id}", response_model=CreditRecordOut,
            summary="A subject's credit record (internal)")
def read_record(subject_type: Literal["organization", "body", "person", "lab"], subject_id: Id, db: ReadDB,
                principal: AuthedPrincipal):
    """Return a subject's risk score and class (regulators; classes are never published)."""
    require_regulator_reader(principal)
    return scoring.credit_record(db, subject_type, subject_id)


@router.post("/credit/recompute", response_model=JobOut, status_code=202, summary="Recompute credit classes")
def recompute(request: Request, response: Response, principal: AuthedPrincipal,
              subject_type: Literal["organization", "body", "person", "lab"] | None = None,
              subject_id: IdFilter = None):
    """Start recomputing scores and classes (every subject, or one) as a background job (regulators).

    Answers 202 with the job at once; `GET /api/v1/jobs/{id}` (the Location header) tells its progress and,
    once it succeeded, `result.summary`: entries_added, subjects, class_changes.
    """
    require_regulator(principal)
    scoring.check_subject(subject_type, subject_id)
    jobs = request.app.state.jobs
    job_id = jobs.submit(kind=RECOMPUTE_KIND, principal=principal, title=date.today().isoformat(),
                         work=recompute_work(request.app.state.sessions, principal=principal,
                                             subject_type=subject_type, subject_id=subject_id))
    response.headers["Location"] = f"/api/v1/jobs/{job_id}"
    with read_session(request.app.state.sessions) as db:
        return jobs.view(db.get(Job, job_id))


@router.get("/credit/settings", summary="Credit rules")
def read_settings(db: ReadDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Return the credit rules in force: bands, points, decay, list durations (regulators)."""
    require_regulator_reader(principal)
    return {key: credit_setting(db, key) for key in CREDIT_DEFAULTS}


@router.put("/credit/settings/{key}", summary="Change a credit rule")
def change_setting(key: Annotated[str, Path(max_length=60)], item: SettingIn, db: WriteDB,
                   principal: AuthedPrincipal) -> dict[str, Any]:
    """Change one credit rule (regulators); it applies from the next recompute."""
    row = set_credit_setting(db, principal=principal, key=key, value=item.value)
    return {"key": row.key, "value": row.value}


EXPORT_MEDIA = {"text/csv; charset=utf-8": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                    {"schema": {"type": "string", "format": "binary"}}}


@router.get("/publicity/export", summary="双公示 export (XK_ / CF_ layout)", response_class=Response,
            responses={200: {"description": "CSV (UTF-8 with BOM, header of field codes) or XLSX",
                             "content": EXPORT_MEDIA}})
def export_publicity(db: ReadDB, principal: CurrentPrincipal, layout: Literal["XK", "CF"] = "CF",
                     format: Literal["csv", "xlsx"] = "csv", scope: Literal["public", "all"] = "public"):
    """Export licensing (XK) or penalty (CF) records in the 双公示 field layout; `all` is for regulators."""
    if scope == "all":
        require_regulator_reader(principal)
    data = publicity_file(db, layout, format, public_only=scope == "public")
    media = ("text/csv; charset=utf-8" if format == "csv"
             else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"shuanggongshi-{layout}-{date.today().isoformat()}.{format}"
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
