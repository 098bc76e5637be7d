"""Supervision endpoints: matters, directories, plans and batches, verifiable draws, tasks, publication."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from sqlalchemy import select

from certbridge.api.deps import AuthedPrincipal, CurrentPrincipal, Lang, ReadDB, WriteDB
from certbridge.api.pagination import Page, decode_cursor, next_cursor
from certbridge.api.params import Id, IdFilter
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.credit.penalties import overdue_penalties, penalty_view
from certbridge.credit.scoring import classes_for
from certbridge.licensing.deadlines import calendar_for
from certbridge.licensing.queries import licensing_view, overdue_licensing_records
from certbridge.policy import require_regulator_reader
from certbridge.supervision import directory, draws, plans, relationships, tasks
from certbridge.supervision.models import CheckMatter, SpotCheckDraw, SpotCheckPlan
from certbridge.supervision.schemas import (
    BatchIn,
    CancelIn,
    DrawCommitIn,
    DrawRevealIn,
    FindingIn,
    HistoryIn,
    MatterIn,
    MatterOut,
    MatterPatch,
    PlanIn,
    PublicResultOut,
    RelationshipIn,
    RelationshipWithdrawIn,
    ReplaceIn,
    ResultIn,
    TaskOut,
)
from certbridge.supervision.presenters import (
    draw_summary,
    draw_trail,
    matter_view,
    plan_view,
    public_result_view,
    task_view,
)

router = APIRouter(prefix="/api/v1", tags=["supervision"], responses=PROBLEM_RESPONSES)
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=200)]


def _calendar(request: Request):
    return calendar_for(request.app.state.settings.workday_overrides)


@router.get("/supervision/matters", response_model=list[MatterOut], summary="The check-matter list")
def list_matters(db: ReadDB, include_retired: bool = False):
    """List the published check matters (随机抽查事项清单)."""
    stmt = select(CheckMatter).order_by(CheckMatter.code)
    if not include_retired:
        stmt = stmt.where(CheckMatter.active.is_(True))
    return [matter_view(m) for m in db.scalars(stmt)]


@router.post("/supervision/matters", response_model=MatterOut, status_code=201, summary="Add a check matter")
def create_matter(item: MatterIn, db: WriteDB, principal: AuthedPrincipal):
    """Add a matter to the list (regulators)."""
    return matter_view(plans.create_matter(db, principal=principal, **item.model_dump()))


@router.patch("/supervision/matters/{matter_id}", response_model=MatterOut, summary="Change or retire a matter")
def patch_matter(matter_id: Id, item: MatterPatch, db: WriteDB, principal: AuthedPrincipal):
    """Change a matter, or retire it with active=false (regulators)."""
    return matter_view(plans.update_matter(db, principal=principal, matter_id=matter_id,
                                           changes=item.model_dump(exclude_unset=True)))


@router.get("/supervision/objects", summary="Object directory (名录库)")
def list_objects(db: ReadDB, principal: AuthedPrincipal,
                 kind: Literal["organization", "body", "lab"] = "organization",
                 region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                 scheme: Annotated[str | None, Query(max_length=20)] = None,
                 field: Annotated[str | None, Query(max_length=20)] = None,
                 cursor: Cursor = None, limit: Limit = 50) -> dict[str, Any]:
    """List spot-check objects from the registries, with valid certificates and internal credit class."""
    require_regulator_reader(principal)
    today = date.today()
    rows = directory.query_objects(db, directory.ObjectFilter(kind, region, scheme, field), on=today,
                                   after_id=decode_cursor(cursor), limit=limit)
    classes, base = classes_for(db, kind, [r.id for r in rows])
    certs = directory.certificates_of(db, [r.id for r in rows], today) if kind == "organization" else {}
    items = [{"key": r.key, "kind": r.kind, "id": r.id, "name": r.name, "uscc": r.uscc,
              "region_code": r.region_code, "credit_class": classes.get(r.id, base),
              "certificates": certs.get(r.id, [])} for r in rows]
    return {"items": items, "next_cursor": next_cursor([r.id for r in rows], limit)}


@router.get("/supervision/inspectors", summary="Inspector directory")
def list_inspectors(db: ReadDB, principal: AuthedPrincipal,
                    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                    cursor: Cursor = None, limit: Limit = 50) -> dict[str, Any]:
    """List inspectors and experts with employer, region, relationships, past inspections and bars."""
    require_regulator_reader(principal)
    people = directory.list_inspectors(db, region=region, after_id=decode_cursor(cursor), limit=limit)
    return {"items": [directory.inspector_profile(db, p, date.today()) for p in people],
            "next_cursor": next_cursor([p.id for p in people], limit)}


@router.get("/supervision/inspectors/{person_id}", summary="One inspector's directory entry")
def read_inspector(person_id: Id, db: ReadDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Return an inspector's entry (regulators, or the inspector)."""
    directory.require_inspector_or_regulator(principal, person_id)
    return directory.inspector_profile(db, directory.get_inspector(db, person_id), date.today())


@router.post("/supervision/inspectors/{person_id}/relationships", status_code=201,
             summary="Declare a relationship (recusal)")
def declare_relationship(person_id: Id, item: RelationshipIn, db: WriteDB, principal: AuthedPrincipal):
    """Declare a relationship with an object, or with a party by name and USCC (an applicant for a licence); draws
    and licensing review teams exclude the inspector from it."""
    rel = directory.declare_relationship(db, principal=principal, person_id=person_id, **item.model_dump())
    return {"id": rel.id, "person_id": rel.person_id, "object": directory.relationship_party(rel),
            "kind": rel.kind, "declared_on": rel.declared_on, "ends_on": rel.ends_on}


@router.get("/supervision/relationships", summary="Declared relationships (回避)")
def list_relationships(db: ReadDB, principal: AuthedPrincipal, person_id: IdFilter = None,
                       kind: Annotated[str | None, Query(max_length=20)] = None,
                       status: Annotated[Literal["in_force", "ended", "withdrawn"] | None, Query()] = None,
                       party: Annotated[str | None, Query(max_length=200, description="Name or USCC of the party")]
                       = None) -> list[dict[str, Any]]:
    """List declared relationships, newest first, with their status today (regulators; at most 500)."""
    flt = relationships.RelationshipFilter(person_id=person_id, kind=kind, status=status, party=party)
    return relationships.list_relationships(db, principal=principal, flt=flt)


@router.post("/supervision/relationships/{relationship_id}/withdraw", summary="Withdraw a declared relationship")
def withdraw_relationship(relationship_id: Id, item: RelationshipWithdrawIn, db: WriteDB,
                          principal: AuthedPrincipal) -> dict[str, Any]:
    """Withdraw a declaration with the reason (its inspector or a regulator); draws and review teams no longer
    exclude the person for it. A declaration already withdrawn: 409."""
    rel = relationships.withdraw_relationship(db, principal=principal, relationship_id=relationship_id,
                                              reason=item.reason, on=item.on)
    return {"id": rel.id, "person_id": rel.person_id, "object": directory.relationship_party(rel),
            "kind": rel.kind, "declared_on": rel.declared_on, "ends_on": rel.ends_on,
            "withdrawn_on": rel.withdrawn_on, "withdrawal_reason": rel.withdrawal_reason}


@router.post("/supervision/inspectors/{person_id}/history", status_code=201, summary="Record a past inspection")
def record_history(person_id: Id, item: HistoryIn, db: WriteDB, principal: AuthedPrincipal):
    """Record an inspection made outside the platform (for the recent-inspection rule)."""
    entry = directory.record_past_inspection(db, principal=principal, person_id=person_id, **item.model_dump())
    return {"id": entry.id, "object": directory.object_key(entry.object_type, entry.object_id),
            "inspected_on": entry.inspected_on, "source": entry.source}


@router.get("/supervision/plans", summary="Annual spot-check plans")
def list_plans(db: ReadDB, year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[dict[str, Any]]:
    """List plans with their batches (plans are public)."""
    stmt = select(SpotCheckPlan).order_by(SpotCheckPlan.year.desc(), SpotCheckPlan.id)
    if year:
        stmt = stmt.where(SpotCheckPlan.year == year)
    return [plan_view(p) for p in db.scalars(stmt)]


@router.post("/supervision/plans", status_code=201, summary="Make an annual plan")
def create_plan(item: PlanIn, db: WriteDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Make an annual plan with ratios by credit class (regulators)."""
    data = item.model_dump()
    return plan_view(plans.create_plan(db, principal=principal, **data))


@router.get("/supervision/plans/{plan_id}", summary="A plan and its batches")
def read_plan(plan_id: Id, db: ReadDB) -> dict[str, Any]:
    """Return a plan with its batches."""
    return plan_view(plans.get_plan(db, plan_id))


@router.post("/supervision/plans/{plan_id}/batches", status_code=201, summary="Add a batch to a plan")
def add_batch(plan_id: Id, item: BatchIn, db: WriteDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Add a batch: matter, scope, ratios or counts by class, timing (regulators)."""
    batch = plans.add_batch(db, principal=principal, plan_id=plan_id, **item.model_dump())
    return {"id": batch.id, **plans.batch_state(batch)}


@router.post("/supervision/batches/{batch_id}/draws", status_code=201, summary="Commit a draw (step 1 of 2)")
def commit_draw(batch_id: Id, item: DrawCommitIn, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Freeze the inputs and commit the seed's SHA-256 to the ledger; reveal in a separate request."""
    draw = draws.commit_draw(db, principal=principal, batch_id=batch_id, beacon_source=item.beacon_source)
    return draw_summary(db, draw, lang, show_inspectors=True)


@router.get("/supervision/draws", summary="Draws")
def list_draws(db: ReadDB, lang: Lang, principal: CurrentPrincipal,
               batch_id: IdFilter = None,
               cursor: Cursor = None, limit: Limit = 50) -> dict[str, Any]:
    """List draws (public: every commitment and reveal is published)."""
    stmt = select(SpotCheckDraw).where(SpotCheckDraw.id > decode_cursor(cursor))
    if batch_id:
        stmt = stmt.where(SpotCheckDraw.batch_id == batch_id)
    items = list(db.scalars(stmt.order_by(SpotCheckDraw.id).limit(limit)))
    return {"items": [draw_summary(db, d, lang, show_inspectors=principal.is_regulator) for d in items],
            "next_cursor": next_cursor([d.id for d in items], limit)}


@router.get("/supervision/draws/{draw_id}", summary="A draw: commitment, seed, quotas, selection")
def read_draw(draw_id: Id, db: ReadDB, lang: Lang, principal: CurrentPrincipal) -> dict[str, Any]:
    """Return a draw's public summary (inspectors' names only to regulators)."""
    return draw_summary(db, draws.get_draw(db, draw_id), lang, show_inspectors=principal.is_regulator)


@router.post("/supervision/draws/{draw_id}/reveal", summary="Reveal a draw (step 2 of 2)")
def reveal_draw(draw_id: Id, item: DrawRevealIn, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Reveal the seed, draw objects and inspectors, create the tasks (regulators)."""
    return draw_summary(db, draws.reveal_draw(db, principal=principal, draw_id=draw_id,
                                              beacon_value=item.beacon_value), lang, show_inspectors=True)


@router.post("/supervision/draws/{draw_id}/cancel", summary="Cancel a committed draw")
def cancel_draw(draw_id: Id, item: CancelIn, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Cancel a draw before its reveal; its seed is published (regulators)."""
    return draw_summary(db, draws.cancel_draw(db, principal=principal, draw_id=draw_id, reason=item.reason), lang,
                        show_inspectors=True)


@router.get("/supervision/draws/{draw_id}/export", summary="The published draw as JSON (re-run it offline)")
def export_draw(draw_id: Id, db: ReadDB) -> dict[str, Any]:
    """Return commitment, inputs and, once revealed, seed and outputs: `certbridge draw verify` re-runs it."""
    return draws.draw_export(db, draws.get_draw(db, draw_id))


@router.get("/supervision/draws/{draw_id}/verify", summary="Re-run a draw on the server")
def verify_draw(draw_id: Id, db: ReadDB) -> dict[str, Any]:
    """Re-run a revealed draw from its published inputs and compare with the published list and tasks."""
    problems = draws.verify_draw(db, draws.get_draw(db, draw_id))
    return {"draw_id": draw_id, "ok": not problems, "problems": problems}


@router.get("/supervision/draws/{draw_id}/trail", summary="A draw's audit trail")
def draw_audit_trail(draw_id: Id, db: ReadDB) -> list[dict[str, Any]]:
    """Return every logged step of a draw: commitment, exclusions, reveal, assignments, replacements."""
    return draw_trail(db, draws.get_draw(db, draw_id))


@router.get("/supervision/tasks", summary="Inspection tasks")
def list_tasks(request: Request, db: ReadDB, principal: AuthedPrincipal, lang: Lang,
               status: Literal["assigned", "completed", "published"] | None = None,
               draw_id: IdFilter = None,
               cursor: Cursor = None, limit: Limit = 50) -> Page[TaskOut]:
    """List tasks: an inspector sees their own, a regulator all."""
    items = tasks.list_tasks(db, principal=principal, status=status, draw_id=draw_id,
                             after_id=decode_cursor(cursor), limit=limit)
    cal = _calendar(request)
    return {"items": [task_view(db, t, principal, lang, cal) for t in items],
            "next_cursor": next_cursor([t.id for t in items], limit)}


@router.get("/supervision/tasks/{task_id}", response_model=TaskOut, summary="An inspection task")
def read_task(task_id: Id, request: Request, db: ReadDB, principal: AuthedPrincipal, lang: Lang):
    """Return a task (its inspectors or a regulator)."""
    return task_view(db, tasks.task_for(db, principal=principal, task_id=task_id), principal, lang,
                     _calendar(request))


@router.post("/supervision/tasks/{task_id}/findings", response_model=TaskOut, summary="Record a finding")
def add_finding(task_id: Id, item: FindingIn, request: Request, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Record a finding (an assigned inspector who is not barred, or a regulator)."""
    task = tasks.add_finding(db, principal=principal, task_id=task_id, text=item.text)
    return task_view(db, task, principal, lang, _calendar(request))


@router.post("/supervision/tasks/{task_id}/result", response_model=TaskOut, summary="Record the result")
def record_result(task_id: Id, item: ResultIn, request: Request, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Record the result and completion date; the publication deadline is 20 working days later."""
    cal = _calendar(request)
    task = tasks.record_result(db, principal=principal, task_id=task_id, result=item.result,
                               completed_on=item.completed_on, note=item.note, calendar=cal)
    return task_view(db, task, principal, lang, cal)


@router.post("/supervision/tasks/{task_id}/publish", response_model=TaskOut, summary="Publish a result")
def publish_result(task_id: Id, request: Request, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Publish a result on the public portal (regulators)."""
    task = tasks.publish_result(db, principal=principal, task_id=task_id)
    return task_view(db, task, principal, lang, _calendar(request))


@router.post("/supervision/tasks/{task_id}/replace-inspector", response_model=TaskOut,
             summary="Replace an inspector")
def replace_inspector(task_id: Id, item: ReplaceIn, request: Request, db: WriteDB, principal: AuthedPrincipal,
                      lang: Lang):
    """Remove an inspector from a task and draw the replacement from the same keyed permutation."""
    task = tasks.replace_inspector(db, principal=principal, task_id=task_id, person_id=item.person_id,
                                   reason=item.reason)
    return task_view(db, task, principal, lang, _calendar(request))


@router.get("/supervision/overdue", summary="Publications past their legal deadline")
def overdue(request: Request, db: ReadDB, principal: AuthedPrincipal, lang: Lang) -> dict[str, Any]:
    """List spot-check results, penalties and licensing records not published in time (regulators)."""
    require_regulator_reader(principal)
    cal = _calendar(request)
    return {
        "spot_checks": [task_view(db, t, principal, lang, cal) for t in tasks.overdue_results(db)],
        "penalties": [penalty_view(db, p, lang=lang, calendar=cal) for p in overdue_penalties(db)],
        "licensing_records": [licensing_view(db, r, lang=lang, calendar=cal) for r in overdue_licensing_records(db)],
    }


@router.get("/public/spot-checks", response_model=Page[PublicResultOut], summary="Published spot-check results")
def public_spot_checks(db: ReadDB, lang: Lang, principal: CurrentPrincipal,
                       q: Annotated[str | None, Query(max_length=100)] = None,
                       cursor: Cursor = None, limit: Limit = 50):
    """List published results: authority, type (双随机/专项/联合), date and result."""
    items = tasks.public_results(db, after_id=decode_cursor(cursor), limit=limit, q=q)
    return {"items": [public_result_view(db, t, lang) for t in items],
            "next_cursor": next_cursor([t.id for t in items], limit)}
