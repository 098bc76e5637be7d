"""Draw services: commit (freeze inputs, commit the seed to the ledger), reveal (run the draw, create the
tasks, log every exclusion), cancel, export the published inputs and outputs, verify against the tasks."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.credit.scoring import refresh_credit
from certbridge.db import utcnow
from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.supervision.directory import OBJECT_MODELS
from certbridge.supervision.drawing import FORMAT, digest_of, pool_of, run_draw, seed_commitment, verify_export
from certbridge.supervision.freeze import freeze_inputs
from certbridge.supervision.models import InspectionTask, SpotCheckDraw, TaskInspector
from certbridge.supervision.plans import check_matter_cap, get_batch, get_matter, plain_decimal

_COMMITTED_HERE = "certbridge.draws_committed_in_this_transaction"


def get_draw(session: Session, draw_id: int) -> SpotCheckDraw:
    """Get a draw by its id."""
    draw = session.get(SpotCheckDraw, draw_id)
    if draw is None:
        raise NotFound("draw.not_found", id=draw_id)
    return draw


def commit_draw(session: Session, *, principal: Principal, batch_id: int, on: date | None = None,
                beacon_source: str | None = None, seed: bytes | None = None) -> SpotCheckDraw:
    """Freeze a batch's draw inputs and commit the seed's SHA-256 to the ledger, before anything is drawn."""
    require_regulator(principal)
    on = on or date.today()
    batch = get_batch(session, batch_id)
    plan, matter = batch.plan, get_matter(session, batch.matter_id)
    active = session.scalar(select(SpotCheckDraw.id).where(SpotCheckDraw.batch_id == batch.id,
                                                           SpotCheckDraw.status.in_(("committed", "revealed"))))
    if active is not None:
        raise RuleViolation("draw.batch_already_drawn", draw_id=active)
    if on.year != plan.year:
        raise RuleViolation("draw.outside_plan_year", year=plan.year)
    refresh_credit(session, principal=principal, today=on)  # classes reflect every fact recorded so far
    inputs, _ = freeze_inputs(session, plan=plan, batch=batch, matter=matter, on=on)
    if not inputs["objects"]:
        raise RuleViolation("draw.no_objects", matter=matter.code)
    _check_inspector_pool(inputs, plan.region_code)
    _check_counts_against_cap(matter, inputs)
    supplied = seed is not None
    seed = seed if supplied else secrets.token_bytes(32)
    if len(seed) < 16:
        raise InvalidInput("draw.seed_too_short", field="seed")
    draw = SpotCheckDraw(batch_id=batch.id, status="committed", drawn_on=on, seed_commitment=seed_commitment(seed),
                         inputs_digest=digest_of(inputs), inputs=inputs, seed=seed.hex(),
                         beacon_source=(beacon_source or None), commit_seq=-1, replacements=[])
    session.add(draw)
    session.flush()
    draw.commit_seq = record_event(
        session, type="draw.committed", subject_type="draw", subject_id=draw.id, actor=principal.actor,
        data={"state": {"status": "committed", "batch_id": batch.id, "drawn_on": on,
                        "seed_sha256": draw.seed_commitment, "inputs_sha256": draw.inputs_digest,
                        "beacon_source": draw.beacon_source},
              "seed_origin": "supplied" if supplied else "generated",
              "counts": {"objects": len(inputs["objects"]), "excluded_objects": len(inputs["excluded_objects"]),
                         "inspectors": len(inputs["inspectors"]), "conflicts": len(inputs["conflicts"])}})
    session.flush()
    session.info.setdefault(_COMMITTED_HERE, set()).add(draw.id)
    return draw


def _check_inspector_pool(inputs: dict[str, Any], region: str | None) -> None:
    """Refuse a draw that cannot give any object its inspectors: say how many there are and why.

    Without this a draw over an empty directory (no inspectors registered in the plan's region, or all of
    them barred) revealed "successfully" with tasks that nobody is assigned to.
    """
    pool, excluded, _ = pool_of(inputs)
    needed = int(inputs["inspectors_per_object"])
    if len(pool) >= needed:
        return
    if not inputs["inspectors"]:
        raise RuleViolation("draw.no_inspectors", needed=needed, region=region or "—")
    raise RuleViolation("draw.too_few_inspectors", available=len(pool), needed=needed, region=region or "—",
                        excluded=len(excluded))


def _check_counts_against_cap(matter, inputs: dict[str, Any]) -> None:
    if not inputs["counts"]:
        return
    eligible: dict[str, int] = {}
    for _, cls in inputs["objects"]:
        eligible[cls] = eligible.get(cls, 0) + 1
    implied = {cls: plain_decimal(Decimal(count) / eligible[cls])
               for cls, count in inputs["counts"].items() if eligible.get(cls)}
    check_matter_cap(matter, implied)


def reveal_draw(session: Session, *, principal: Principal, draw_id: int, beacon_value: str | None = None,
                on: date | None = None) -> SpotCheckDraw:
    """Reveal the seed, run the draw, create the inspection tasks and log every exclusion."""
    require_regulator(principal)
    draw = get_draw(session, draw_id)
    if draw.status != "committed":
        raise RuleViolation("draw.not_committed", status=draw.status)
    if draw.id in session.info.get(_COMMITTED_HERE, set()):
        raise RuleViolation("draw.reveal_same_transaction")
    if draw.beacon_source and not (beacon_value or "").strip():
        raise InvalidInput("draw.beacon_required", field="beacon_value", source=draw.beacon_source)
    if not draw.beacon_source and beacon_value:
        raise InvalidInput("draw.beacon_not_named", field="beacon_value")
    beacon = beacon_value.strip() if draw.beacon_source else None
    outputs = run_draw(draw.inputs, bytes.fromhex(draw.seed), beacon)
    batch = get_batch(session, draw.batch_id)
    draw.status, draw.beacon_value, draw.outputs = "revealed", beacon, outputs
    draw.outputs_digest, draw.revealed_at = digest_of(outputs), utcnow()
    tasks = _create_tasks(session, draw, batch, outputs)
    draw.reveal_seq = record_event(
        session, type="draw.revealed", subject_type="draw", subject_id=draw.id, actor=principal.actor,
        data={"state": {"status": "revealed", "seed": draw.seed, "beacon_value": beacon,
                        "outputs_sha256": draw.outputs_digest},
              "quotas": outputs["quotas"], "shortfalls": outputs["shortfalls"],
              "selected": [[s["object"], s["inspectors"]] for s in outputs["selected"]]})
    for inspector, reason in outputs["pool_excluded"]:
        record_event(session, type="draw.inspector_excluded", subject_type="draw", subject_id=draw.id,
                     actor=principal.actor, data={"object": "*", "inspector": inspector, "reason": reason,
                                                  "replaced": False})
    for item in outputs["selected"]:
        for inspector, reason in item["excluded"]:
            record_event(session, type="draw.inspector_excluded", subject_type="draw", subject_id=draw.id,
                         actor=principal.actor, data={"object": item["object"], "inspector": inspector,
                                                      "reason": reason, "replaced": item["object"] not in
                                                      outputs["shortfalls"]})
    for task in tasks:
        record_event(session, type="inspection_task.assigned", subject_type="inspection_task", subject_id=task.id,
                     actor=principal.actor, data={"state": task_state(task)})
    session.flush()
    return draw


def task_state(task: InspectionTask) -> dict[str, Any]:
    """Return a task's state as events carry it."""
    return {"draw_id": task.draw_id, "batch_id": task.batch_id, "matter_id": task.matter_id,
            "object_type": task.object_type, "object_id": task.object_id, "object_key": task.object_key,
            "object_name": task.object_name, "credit_class": task.credit_class, "drawn_on": task.drawn_on,
            "status": task.status, "inspectors": [i.person_id for i in task.inspectors if i.active]}


def _create_tasks(session: Session, draw: SpotCheckDraw, batch, outputs: dict[str, Any]) -> list[InspectionTask]:
    by_kind: dict[str, list[int]] = {}
    for item in outputs["selected"]:
        kind, object_id = item["object"].split(":")
        by_kind.setdefault(kind, []).append(int(object_id))
    records = {}
    for kind, ids in by_kind.items():
        model = OBJECT_MODELS[kind]
        for start in range(0, len(ids), 900):
            for row in session.scalars(select(model).where(model.id.in_(ids[start:start + 900]))):
                records[f"{kind}:{row.id}"] = row
    tasks = []
    for item in outputs["selected"]:
        kind, object_id = item["object"].split(":")
        row = records[item["object"]]
        task = InspectionTask(
            draw_id=draw.id, batch_id=batch.id, matter_id=batch.matter_id, object_type=kind,
            object_id=int(object_id), object_key=item["object"], object_name=row.name, object_uscc=row.uscc,
            credit_class=item["class"], rank=item["rank"], walk_position=item["walk"], drawn_on=draw.drawn_on,
            authority=batch.plan.authority, check_type=batch.check_type, status="assigned", findings=[])
        task.inspectors = [TaskInspector(person_id=int(key.split(":")[1]), position=index, active=True)
                           for index, key in enumerate(item["inspectors"])]
        session.add(task)
        tasks.append(task)
    session.flush()
    return tasks


def cancel_draw(session: Session, *, principal: Principal, draw_id: int, reason: str) -> SpotCheckDraw:
    """Cancel a committed draw before its reveal; the seed is published so anyone sees what it would have drawn."""
    require_regulator(principal)
    draw = get_draw(session, draw_id)
    if draw.status != "committed":
        raise RuleViolation("draw.not_committed", status=draw.status)
    if not (reason or "").strip():
        raise InvalidInput("field.required", field="reason")
    draw.status, draw.cancelled_reason = "cancelled", reason.strip()
    session.flush()
    record_event(session, type="draw.cancelled", subject_type="draw", subject_id=draw.id, actor=principal.actor,
                 data={"state": {"status": "cancelled", "seed": draw.seed, "cancelled_reason": draw.cancelled_reason}})
    return draw


def draw_export(session: Session, draw: SpotCheckDraw) -> dict[str, Any]:
    """Return the published draw: commitment, inputs, then (once revealed) seed, outputs and replacements."""
    revealed = draw.status in ("revealed", "cancelled")
    names = {}
    if draw.status == "revealed":
        names = dict(session.execute(select(InspectionTask.object_key, InspectionTask.object_name)
                                     .where(InspectionTask.draw_id == draw.id)).all())
    return {
        "format": FORMAT, "draw_id": draw.id, "batch_id": draw.batch_id, "status": draw.status,
        "drawn_on": draw.drawn_on,
        "commitment": {"seed_sha256": draw.seed_commitment, "inputs_sha256": draw.inputs_digest,
                       "ledger_seq": draw.commit_seq},
        "beacon_source": draw.beacon_source, "beacon": draw.beacon_value,
        "seed": draw.seed if revealed else None,
        "inputs": draw.inputs,
        "outputs": draw.outputs, "outputs_sha256": draw.outputs_digest, "reveal_seq": draw.reveal_seq,
        "replacements": draw.replacements or [], "object_names": names,
        "cancelled_reason": draw.cancelled_reason,
    }


def verify_draw(session: Session, draw: SpotCheckDraw) -> list[str]:
    """Re-run a revealed draw from its export and check the tasks hold exactly the drawn inspectors."""
    if draw.status != "revealed":
        return [f"draw {draw.id} is {draw.status}, not revealed: nothing to verify yet"]
    problems = verify_export(draw_export(session, draw))
    tasks = {t.object_key: t for t in session.scalars(select(InspectionTask).where(InspectionTask.draw_id == draw.id))}
    selected = draw.outputs["selected"]
    if set(tasks) != {s["object"] for s in selected}:
        problems.append("the tasks do not match the drawn objects")
    for item in selected:
        task = tasks.get(item["object"])
        if task is None:
            continue
        # Drawn inspectors hold the first positions (a replaced one stays, inactive); replacements follow.
        original = [f"person:{i.person_id}" for i in task.inspectors][:len(item["inspectors"])]
        if original != item["inspectors"]:
            problems.append(f"task {task.id} ({item['object']}) holds inspectors {original}, "
                            f"the draw gave {item['inspectors']}")
    return problems
