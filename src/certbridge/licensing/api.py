"""Licensing endpoints: a body approval, change or renewal (or a lab's 资质认定) with its 双公示 record;
publication and withdrawal of licensing records; publicity rules."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query, Request

from certbridge.api.deps import AuthedPrincipal, CurrentPrincipal, Lang, ReadDB, WriteDB
from certbridge.api.pagination import Page, decode_cursor, next_cursor
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.errors import NotFound
from certbridge.licensing import service
from certbridge.licensing.deadlines import calendar_for
from certbridge.licensing.queries import licensing_view, list_licensing_records
from certbridge.licensing.schemas import (
    BodyApprovalIn,
    BodyChangeIn,
    BodyRenewalIn,
    LabQualificationIn,
    LicensingRecordOut,
    PublishIn,
    WithdrawalIn,
)
from certbridge.licensing.parameters import PUBLICITY_DEFAULTS, publicity_setting, set_publicity_setting
from certbridge.policy import require_regulator, require_regulator_reader
from certbridge.registry.identity import with_legal_rep_fingerprint
from certbridge.registry.snapshots import body_state, lab_state

router = APIRouter(prefix="/api/v1", tags=["licensing"], responses=PROBLEM_RESPONSES)
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=200)]


def _calendar(request: Request):
    return calendar_for(request.app.state.settings.workday_overrides)


def _answer(db, subject: dict[str, Any], record, lang: str, request: Request) -> dict[str, Any]:
    return {"subject": subject, "record": licensing_view(db, record, lang=lang, calendar=_calendar(request))}


@router.post("/licensing/bodies", status_code=201, summary="Approve a certification body (with its licensing record)")
def approve_body(item: BodyApprovalIn, request: Request, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Approve a body and create its 双公示 licensing record in one transaction (regulators)."""
    fields = with_legal_rep_fingerprint(request.app.state.settings, item.body.model_dump())
    body, record = service.approve_body_with_record(db, principal=principal, body=fields,
                                                    decision=item.decision, calendar=_calendar(request))
    return _answer(db, {"id": body.id, **body_state(body)}, record, lang, request)


@router.post("/licensing/bodies/{body_id}/changes", status_code=201, summary="Change a body's approval")
def change_body(body_id: Id, item: BodyChangeIn, request: Request, db: WriteDB, principal: AuthedPrincipal,
                lang: Lang):
    """Change a body's approval (fields, particulars) with its licensing record (regulators)."""
    body, record = service.change_body_with_record(db, principal=principal, body_id=body_id,
                                                   changes=item.changes.model_dump(exclude_unset=True),
                                                   decision=item.decision, calendar=_calendar(request))
    return _answer(db, {"id": body.id, **body_state(body)}, record, lang, request)


@router.post("/licensing/bodies/{body_id}/renewals", status_code=201, summary="Renew a body's approval")
def renew_body(body_id: Id, item: BodyRenewalIn, request: Request, db: WriteDB, principal: AuthedPrincipal,
               lang: Lang):
    """Renew a body's approval to a later end date with its licensing record (regulators)."""
    body, record = service.renew_body_with_record(db, principal=principal, body_id=body_id,
                                                  valid_until=item.valid_until, decision=item.decision,
                                                  calendar=_calendar(request))
    return _answer(db, {"id": body.id, **body_state(body)}, record, lang, request)


@router.post("/licensing/labs", status_code=201, summary="Qualify a lab (with its licensing record)")
def qualify_lab(item: LabQualificationIn, request: Request, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Record a lab's 资质认定 and its licensing record in one transaction (regulators)."""
    lab, record = service.qualify_lab_with_record(db, principal=principal, lab=item.lab.model_dump(),
                                                  decision=item.decision, calendar=_calendar(request))
    return _answer(db, {"id": lab.id, **lab_state(lab)}, record, lang, request)


@router.get("/licensing/records", response_model=Page[LicensingRecordOut], summary="Licensing records (regulators)")
def list_records(request: Request, db: ReadDB, principal: AuthedPrincipal, lang: Lang,
                 q: Annotated[str | None, Query(max_length=100)] = None, cursor: Cursor = None, limit: Limit = 50):
    """List every licensing record with its publication state (regulators)."""
    require_regulator_reader(principal)
    items = list_licensing_records(db, after_id=decode_cursor(cursor), limit=limit, q=q)
    cal = _calendar(request)
    return {"items": [licensing_view(db, r, lang=lang, calendar=cal) for r in items],
            "next_cursor": next_cursor([r.id for r in items], limit)}


@router.get("/licensing/records/{record_id}", response_model=LicensingRecordOut, summary="A licensing record")
def read_record(record_id: Id, request: Request, db: ReadDB, principal: CurrentPrincipal, lang: Lang):
    """Return a licensing record (the public sees it only while published)."""
    record = service.get_licensing_record(db, record_id)
    if not principal.is_regulator and (record.published_on is None or record.withdrawn_on is not None):
        raise NotFound("licensing.not_found", id=record_id)
    return licensing_view(db, record, lang=lang, calendar=_calendar(request))


@router.post("/licensing/records/{record_id}/publish", response_model=LicensingRecordOut,
             summary="Publish a licensing record")
def publish_record(record_id: Id, item: PublishIn, request: Request, db: WriteDB, principal: AuthedPrincipal,
                   lang: Lang):
    """Publish a licensing record (regulators); late publication is recorded as late."""
    record = service.publish_licensing_record(db, principal=principal, record_id=record_id, on=item.on)
    return licensing_view(db, record, lang=lang, calendar=_calendar(request))


@router.post("/licensing/records/{record_id}/withdraw", response_model=LicensingRecordOut,
             summary="Withdraw a changed or annulled licensing record")
def withdraw_record(record_id: Id, item: WithdrawalIn, request: Request, db: WriteDB, principal: AuthedPrincipal,
                    lang: Lang):
    """Withdraw a record whose decision was changed or annulled (due within 3 working days)."""
    cal = _calendar(request)
    record = service.withdraw_licensing_record(db, principal=principal, record_id=record_id,
                                               decision_changed_on=item.decision_changed_on, reason=item.reason,
                                               calendar=cal)
    return licensing_view(db, record, lang=lang, calendar=cal)


@router.get("/public/licensing-records", response_model=Page[LicensingRecordOut],
            summary="Published licensing records")
def public_records(request: Request, db: ReadDB, lang: Lang, q: Annotated[str | None, Query(max_length=100)] = None,
                   cursor: Cursor = None, limit: Limit = 50):
    """List published licensing records that were not withdrawn."""
    items = list_licensing_records(db, after_id=decode_cursor(cursor), limit=limit, public_only=True, q=q)
    cal = _calendar(request)
    return {"items": [licensing_view(db, r, lang=lang, calendar=cal, on=date.today()) for r in items],
            "next_cursor": next_cursor([r.id for r in items], limit)}


@router.get("/publicity/settings", summary="双公示 rules")
def read_publicity_settings(db: ReadDB) -> dict[str, Any]:
    """Return the publicity deadlines and periods in force (public)."""
    return {key: publicity_setting(db, key) for key in PUBLICITY_DEFAULTS}


@router.put("/publicity/settings/{key}", summary="Change a 双公示 rule")
def change_publicity_setting(key: Annotated[str, Path(max_length=60)], item: dict[str, Any], db: WriteDB,
                             principal: AuthedPrincipal) -> dict[str, Any]:
    """Change one publicity rule, e.g. penalty_public_years (regulators); body {"value": …}."""
    require_regulator(principal)
    row = set_publicity_setting(db, principal=principal, key=key, value=item.get("value"))
    return {"key": row.key, "value": row.value}
