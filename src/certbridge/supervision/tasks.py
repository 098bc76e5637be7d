"""Inspection tasks: inspectors record findings and a result; regulators publish within 20 working days of
completion; a failed check feeds credit through its ledger event; a barred inspector is replaced."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from certbridge.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.kit.workdays import WorkdayCalendar
from certbridge.licensing.deadlines import calendar_for, workday_deadline
from certbridge.policy import require_authenticated, require_regulator, require_writer
from certbridge.principal import Principal
from certbridge.registry.restrictions import active_restrictions
from certbridge.supervision.directory import INSPECTOR_BARS
from certbridge.supervision.drawing import continue_walk
from certbridge.supervision.freeze import barred_people
from certbridge.supervision.models import CheckMatter, InspectionTask, SpotCheckBatch, SpotCheckDraw, TaskInspector
from certbridge.supervision.draws import task_state

# DOMAIN.md result values, in order: 未发现问题; 发现问题已责令改正; 发现问题待后续处理; 不配合检查情节严重;
# 未发现开展本次抽查涉及的经营活动; 通过登记的住所无法联系.
RESULTS = ("no_problem", "corrected", "pending_follow_up", "refused_serious", "no_activity", "unreachable")
FAILED_RESULTS = frozenset({"corrected", "pending_follow_up", "refused_serious", "unreachable"})


def get_task(session: Session, task_id: int) -> InspectionTask:
    """Get a task by its id."""
    task = session.get(InspectionTask, task_id)
    if task is None:
        raise NotFound("task.not_found", id=task_id)
    return task


def _assigned(task: InspectionTask, person_id: int | None) -> bool:
    return any(i.person_id == person_id and i.active for i in task.inspectors)


def task_for(session: Session, *, principal: Principal, task_id: int) -> InspectionTask:
    """Get a task the caller may see: a regulator any, an inspector only their own."""
    require_authenticated(principal)
    task = get_task(session, task_id)
    if principal.is_regulator or (principal.role == "inspector" and _assigned(task, principal.person_id)):
        return task
    raise NotFound("task.not_found", id=task_id)


def _writable(session: Session, principal: Principal, task_id: int, on: date) -> InspectionTask:
    task = task_for(session, principal=principal, task_id=task_id)  # a task you are not on does not exist
    require_writer(principal)
    if not principal.is_regulator:
        if principal.role != "inspector":
            raise Forbidden("inspection.inspectors_only")
        bars = active_restrictions(session, "person", principal.person_id, on, INSPECTOR_BARS)
        if bars:
            raise RuleViolation("inspection.inspector_barred", reason=bars[0].reason)
    return task


def list_tasks(session: Session, *, principal: Principal, status: str | None = None, draw_id: int | None = None,
               after_id: int = 0, limit: int = 50) -> list[InspectionTask]:
    """List tasks: an inspector sees the tasks they are assigned to, a regulator every task."""
    require_authenticated(principal)
    stmt = select(InspectionTask).where(InspectionTask.id > after_id)
    if not principal.is_regulator:
        if principal.role != "inspector" or principal.person_id is None:
            raise Forbidden("inspection.inspectors_only")
        stmt = stmt.where(InspectionTask.id.in_(select(TaskInspector.task_id).where(
            TaskInspector.person_id == principal.person_id, TaskInspector.active.is_(True))))
    if status:
        stmt = stmt.where(InspectionTask.status == status)
    if draw_id:
        stmt = stmt.where(InspectionTask.draw_id == draw_id)
    return list(session.scalars(stmt.order_by(InspectionTask.id).limit(limit)))


def add_finding(session: Session, *, principal: Principal, task_id: int, text: str,
                on: date | None = None) -> InspectionTask:
    """Record a finding on a task (an assigned inspector, not barred; or a regulator)."""
    on = on or date.today()
    task = _writable(session, principal, task_id, on)
    if task.status != "assigned":
        raise RuleViolation("inspection.task_closed", status=task.status)
    if not (text or "").strip():
        raise InvalidInput("field.required", field="text")
    entry = {"on": on.isoformat(), "by": principal.actor, "text": text.strip()}
    task.findings = [*task.findings, entry]
    flag_modified(task, "findings")
    session.flush()
    record_event(session, type="inspection.finding_recorded", subject_type="inspection_task", subject_id=task.id,
                 actor=principal.actor, public=False, data={"state": {"findings": task.findings}})
    return task


def record_result(session: Session, *, principal: Principal, task_id: int, result: str, completed_on: date,
                  note: str | None = None, calendar: WorkdayCalendar | None = None,
                  today: date | None = None) -> InspectionTask:
    """Record a task's result and completion date; the publication deadline is counted in working days."""
    today = today or date.today()
    task = _writable(session, principal, task_id, today)
    if task.status != "assigned":
        raise RuleViolation("inspection.task_closed", status=task.status)
    if result not in RESULTS:
        raise InvalidInput("inspection.result_unknown", field="result", value=result)
    if completed_on > today or completed_on < task.drawn_on:
        raise InvalidInput("inspection.completed_on_range", field="completed_on", date=completed_on,
                           drawn_on=task.drawn_on)
    batch = session.get(SpotCheckBatch, task.batch_id)
    deadline = workday_deadline(calendar or calendar_for(), completed_on, batch.plan.publication_workdays, session)
    task.result, task.result_note, task.completed_on = result, (note or None), completed_on
    task.status, task.publication_due_on = "completed", deadline.due_on
    task.deadline_provisional_year = deadline.provisional_year
    session.flush()
    # Credit reads this event (object, result, date): a failed check raises the object's risk score.
    record_event(session, type="inspection.result_recorded", subject_type="inspection_task", subject_id=task.id,
                 actor=principal.actor, public=False,
                 data={"state": {"status": "completed", "result": result, "result_note": task.result_note,
                                 "completed_on": completed_on, "publication_due_on": deadline.due_on,
                                 "deadline_provisional_year": deadline.provisional_year},
                       "object_type": task.object_type, "object_id": task.object_id, "result": result,
                       "completed_on": completed_on, "failed": result in FAILED_RESULTS})
    return task


def publish_result(session: Session, *, principal: Principal, task_id: int, on: date | None = None) -> InspectionTask:
    """Publish a task's result on the public portal (authority, type, date, result)."""
    require_regulator(principal)
    task = get_task(session, task_id)
    if task.status != "completed":
        raise RuleViolation("inspection.not_completed", status=task.status)
    on = on or date.today()
    if on < task.completed_on:
        raise InvalidInput("publicity.before_decision", field="on", date=on, decided_on=task.completed_on)
    task.status, task.published_on = "published", on
    session.flush()
    late = task.publication_due_on is not None and on > task.publication_due_on
    record_event(session, type="inspection.result_published", subject_type="inspection_task", subject_id=task.id,
                 actor=principal.actor, data={"state": {"status": "published", "published_on": on},
                                              "public": public_result(session, task), "late": late})
    return task


def public_result(session: Session, task: InspectionTask) -> dict[str, Any]:
    """Return the published fields of a result."""
    matter = session.get(CheckMatter, task.matter_id)
    return {"id": task.id, "authority": task.authority, "check_type": task.check_type,
            "date": task.completed_on, "result": task.result, "object_name": task.object_name,
            "object_uscc": task.object_uscc, "object_type": task.object_type, "matter": matter.name,
            "matter_code": matter.code, "published_on": task.published_on}


def public_results(session: Session, *, after_id: int = 0, limit: int = 50, q: str | None = None) -> list[InspectionTask]:
    """List published results, by id."""
    stmt = select(InspectionTask).where(InspectionTask.status == "published", InspectionTask.id > after_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(InspectionTask.object_name.like(like) | InspectionTask.object_uscc.like(like))
    return list(session.scalars(stmt.order_by(InspectionTask.id).limit(limit)))


def overdue_results(session: Session, *, on: date | None = None) -> list[InspectionTask]:
    """Return completed, unpublished results past their deadline or whose deadline cannot be computed."""
    on = on or date.today()
    stmt = select(InspectionTask).where(
        InspectionTask.status == "completed",
        (InspectionTask.publication_due_on < on) | InspectionTask.publication_due_on.is_(None))
    return list(session.scalars(stmt.order_by(InspectionTask.publication_due_on, InspectionTask.id)))


def replace_inspector(session: Session, *, principal: Principal, task_id: int, person_id: int, reason: str,
                      on: date | None = None) -> InspectionTask:
    """Remove an inspector from a task (a conflict found later, a bar) and draw the replacement verifiably."""
    require_regulator(principal)
    on = on or date.today()
    task = get_task(session, task_id)
    if task.status != "assigned":
        raise RuleViolation("inspection.task_closed", status=task.status)
    current = next((i for i in task.inspectors if i.person_id == person_id and i.active), None)
    if current is None:
        raise InvalidInput("inspection.not_on_task", field="person_id", id=person_id)
    if not (reason or "").strip():
        raise InvalidInput("field.required", field="reason")
    draw = session.get(SpotCheckDraw, task.draw_id)
    refuse = {f"person:{p}": "barred" for p in barred_people(session, on)}
    refuse.update({f"person:{i.person_id}": "already_on_task" for i in task.inspectors})
    start = task.walk_position
    picked, position, excluded = continue_walk(draw.inputs, bytes.fromhex(draw.seed), draw.beacon_value,
                                               task.object_key, start, refuse)
    current.active, current.removed_reason = False, reason.strip()
    if picked is not None:
        task.inspectors.append(TaskInspector(person_id=int(picked.split(":")[1]), position=len(task.inspectors),
                                             active=True))
    task.walk_position = position
    entry = {"object": task.object_key, "task_id": task.id, "removed": f"person:{person_id}",
             "reason": reason.strip(), "from": start, "to": position, "refused": [i for i, _ in excluded],
             "replacement": picked, "on": on.isoformat()}
    draw.replacements = [*(draw.replacements or []), entry]
    flag_modified(draw, "replacements")
    session.flush()
    for inspector, why in excluded:
        record_event(session, type="draw.inspector_excluded", subject_type="draw", subject_id=draw.id,
                     actor=principal.actor, data={"object": task.object_key, "inspector": inspector, "reason": why,
                                                  "replaced": picked is not None})
    record_event(session, type="inspection_task.inspector_replaced", subject_type="inspection_task",
                 subject_id=task.id, actor=principal.actor, data={"state": task_state(task), "replacement": entry})
    return task
