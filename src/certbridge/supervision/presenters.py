"""How supervision records are shown: tasks, matters, plans, draws (shared by the API and the pages)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.ledger.journal import LedgerEvent
from certbridge.i18n.catalog import render
from certbridge.kit.workdays import WorkdayCalendar
from certbridge.licensing.deadlines import provisional_message
from certbridge.principal import Principal
from certbridge.registry.models import Person
from certbridge.supervision.models import CheckMatter, InspectionTask, SpotCheckDraw, SpotCheckPlan
from certbridge.supervision.plans import batch_state, matter_state, plain_decimal, plan_state
from certbridge.supervision.tasks import public_result


def matter_view(matter: CheckMatter) -> dict[str, Any]:
    """Return a matter as shown."""
    return {"id": matter.id, **matter_state(matter)}


def plan_view(plan: SpotCheckPlan) -> dict[str, Any]:
    """Return a plan with its batches."""
    return {"id": plan.id, **plan_state(plan),
            "batches": [{"id": b.id, **batch_state(b)} for b in plan.batches]}


def task_view(session: Session, task: InspectionTask, principal: Principal, lang: str = "zh",
              calendar: WorkdayCalendar | None = None) -> dict[str, Any]:
    """Return a task as its inspectors and regulators see it (the credit class only to regulators)."""
    people = {p.id: p for p in session.scalars(select(Person).where(
        Person.id.in_([i.person_id for i in task.inspectors])))}
    matter = session.get(CheckMatter, task.matter_id)
    warnings = []
    if task.status == "completed" and task.deadline_provisional_year is not None:
        warnings.append(provisional_message(task.deadline_provisional_year, lang))
    return {
        "id": task.id, "draw_id": task.draw_id, "batch_id": task.batch_id,
        "matter": {"id": matter.id, "code": matter.code, "name": matter.name, "method": matter.method},
        "object_type": task.object_type, "object_id": task.object_id, "object_key": task.object_key,
        "object_name": task.object_name, "object_uscc": task.object_uscc,
        "credit_class": task.credit_class if principal.is_regulator else None,
        "drawn_on": task.drawn_on, "authority": task.authority, "check_type": task.check_type,
        "check_type_label": render(f"check_type.{task.check_type}", lang), "status": task.status,
        "inspectors": [{"person_id": i.person_id, "name": people[i.person_id].name if i.person_id in people else "",
                        "employer": people[i.person_id].employer if i.person_id in people else None,
                        "active": i.active, "removed_reason": i.removed_reason} for i in task.inspectors],
        "findings": task.findings or [], "result": task.result,
        "result_label": render(f"result.{task.result}", lang) if task.result else None,
        "result_note": task.result_note, "completed_on": task.completed_on,
        "publication_due_on": task.publication_due_on,
        "publication_due_provisional": task.deadline_provisional_year is not None,
        "published_on": task.published_on, "warnings": warnings,
    }


def public_result_view(session: Session, task: InspectionTask, lang: str = "zh") -> dict[str, Any]:
    """Return a published result with its labels."""
    view = public_result(session, task)
    view["check_type_label"] = render(f"check_type.{task.check_type}", lang)
    view["result_label"] = render(f"result.{task.result}", lang)
    return view


def draw_summary(session: Session, draw: SpotCheckDraw, lang: str = "zh", *,
                 show_inspectors: bool = False) -> dict[str, Any]:
    """Return a draw's summary: commitment, status, quotas, the drawn objects and inspectors.

    Inspectors are not public: the published summary names them by key only; their names are for regulators.
    """
    names = dict(session.execute(select(InspectionTask.object_key, InspectionTask.object_name)
                                 .where(InspectionTask.draw_id == draw.id)).all())
    selected = []
    if draw.outputs:
        ids = {int(k.split(":")[1]) for s in draw.outputs["selected"] for k in s["inspectors"]}
        people = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all()) \
            if ids and show_inspectors else {}
        for item in draw.outputs["selected"]:
            selected.append({"object": item["object"], "name": names.get(item["object"], ""), "rank": item["rank"],
                             "inspectors": [{"key": k, "name": people.get(int(k.split(":")[1]), "")}
                                            for k in item["inspectors"]],
                             "excluded": [{"inspector": i, "reason": r, "reason_label": render(f"conflict.{r}", lang)}
                                          for i, r in item["excluded"]]})
    inputs = draw.inputs
    return {
        "id": draw.id, "batch_id": draw.batch_id, "status": draw.status,
        "status_label": render(f"draw.label.{draw.status}", lang), "drawn_on": draw.drawn_on,
        "seed_sha256": draw.seed_commitment, "inputs_sha256": draw.inputs_digest, "commit_seq": draw.commit_seq,
        "beacon_source": draw.beacon_source, "beacon": draw.beacon_value,
        "seed": draw.seed if draw.status in ("revealed", "cancelled") else None,
        "outputs_sha256": draw.outputs_digest, "reveal_seq": draw.reveal_seq,
        "matter": inputs["draw"]["matter"], "authority": inputs["draw"]["authority"],
        "counts": {"objects": len(inputs["objects"]), "excluded_objects": len(inputs["excluded_objects"]),
                   "inspectors": len(inputs["inspectors"]), "conflicts": len(inputs["conflicts"])},
        "quotas": draw.outputs["quotas"] if draw.outputs else None,
        "shortfalls": draw.outputs["shortfalls"] if draw.outputs else [],
        "pool_excluded": [{"inspector": i, "reason": r, "reason_label": render(f"conflict.{r}", lang)}
                          for i, r in (draw.outputs or {}).get("pool_excluded", [])],
        "selected": selected, "replacements": draw.replacements or [],
        "cancelled_reason": draw.cancelled_reason,
    }


def draw_trail(session: Session, draw: SpotCheckDraw) -> list[dict[str, Any]]:
    """Return the draw's audit trail: every event of the draw and of its tasks, in log order."""
    task_ids = [str(i) for i in session.scalars(select(InspectionTask.id).where(InspectionTask.draw_id == draw.id))]
    stmt = select(LedgerEvent).where(
        ((LedgerEvent.subject_type == "draw") & (LedgerEvent.subject_id == str(draw.id)))
        | ((LedgerEvent.subject_type == "inspection_task") & LedgerEvent.subject_id.in_(task_ids)),
        LedgerEvent.public.is_(True)).order_by(LedgerEvent.seq)
    return [{"seq": e.seq, "type": e.type, "subject": f"{e.subject_type}:{e.subject_id}", "actor": e.actor,
             "at": e.at, "data": e.data} for e in session.scalars(stmt)]


def ratio_text(value) -> str:
    """Return a ratio as a percentage string."""
    return f"{plain_decimal(value * 100)}%"


def today_or(value: date | None) -> date:
    """Return a date, today by default."""
    return value or date.today()
