"""Freezing a batch's draw inputs from the registries: eligible objects with their credit classes, objects
already checked for the matter this year, the inspector pool and every conflict with its reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.credit.recognized import SPOT_CHECK, recognized_facts
from certbridge.credit.scoring import classes_for
from certbridge.risk.classes import BASE_CLASS as RISK_BASE
from certbridge.risk.classes import RULE, risk_classes, weighted_class
from certbridge.kit.chinese_text import normalize_name
from certbridge.kit.dates import add_months
from certbridge.registry.avoidance import barred_people
from certbridge.registry.avoidance import in_force as relationship_in_force
from certbridge.registry.models import Person
from certbridge.supervision.directory import ObjectFilter, list_inspectors, object_key, query_objects
from certbridge.supervision.drawing import ALL_OBJECTS, FORMAT
from certbridge.supervision.models import (
    CheckMatter,
    InspectionHistory,
    InspectionTask,
    InspectorRelationship,
    SpotCheckBatch,
    SpotCheckPlan,
    TaskInspector,
)
from certbridge.supervision.plans import cap_ratios, effective_ratios, plain_decimal

# When an inspector has several conflicts with one object, the first of these is recorded.
CONFLICT_ORDER = ("barred", "same_employer", "declared_relationship", "recent_inspection")


def _checked_this_year(session: Session, matter_id: int, keys: set[str], on: date) -> set[str]:
    stmt = select(InspectionTask.object_key).where(InspectionTask.matter_id == matter_id,
                                                   InspectionTask.drawn_on >= date(on.year, 1, 1),
                                                   InspectionTask.drawn_on <= date(on.year, 12, 31))
    return {k for k in session.scalars(stmt) if k in keys}


def _checked_by_peers(session: Session, matter: CheckMatter, keys: set[str], on: date) -> dict[str, list]:
    """Return {object key: [key, instance, peer log index, checkpoint size, checkpoint root, local log index]} of
    the objects a peer instance inspected this year for a matter of the same code, recognized here (监管互认)."""
    found: dict[str, list] = {}
    for seq, data in recognized_facts(session, SPOT_CHECK):
        key = object_key(str(data.get("object_type")), data.get("object_id"))
        done = str(data.get("completed_on") or "")
        if key in keys and key not in found and data.get("matter_code") == matter.code and \
                data.get("object_type") == matter.subject_type and done[:4] == str(on.year) and done <= on.isoformat():
            source = data["source"]
            found[key] = [key, source["instance"], source["seq"], source["checkpoint_size"],
                          source["checkpoint_root"], seq]
    return found


def conflicts_for(session: Session, *, kind: str, names: dict[str, str], inspectors: list[Person], on: date,
                  recent_months: int) -> list[list[str]]:
    """Return [inspector, object or "*", reason] for every conflict, one (the weightiest) per pair."""
    found: dict[tuple[str, str], str] = {}

    def add(inspector: str, obj: str, reason: str) -> None:
        current = found.get((inspector, obj))
        if current is None or CONFLICT_ORDER.index(reason) < CONFLICT_ORDER.index(current):
            found[(inspector, obj)] = reason

    ids = {p.id for p in inspectors}
    barred = barred_people(session, on)
    by_name: dict[str, list[str]] = {}
    for key, name in names.items():
        by_name.setdefault(normalize_name(name), []).append(key)
    for person in inspectors:
        pkey = object_key("person", person.id)
        if person.id in barred:
            add(pkey, ALL_OBJECTS, "barred")
        if kind == "body" and person.body_id is not None and object_key("body", person.body_id) in names:
            add(pkey, object_key("body", person.body_id), "same_employer")
        for key in by_name.get(normalize_name(person.employer or ""), []) if person.employer else []:
            add(pkey, key, "same_employer")
    relationships = session.execute(
        select(InspectorRelationship.person_id, InspectorRelationship.object_id).where(
            InspectorRelationship.object_type == kind, relationship_in_force(on)))
    for person_id, object_id in relationships:
        key = object_key(kind, object_id)
        if person_id in ids and key in names:
            add(object_key("person", person_id), key, "declared_relationship")
    parties = session.execute(  # declared with a party by name (e.g. while it applied for its licence)
        select(InspectorRelationship.person_id, InspectorRelationship.party_name).where(
            InspectorRelationship.person_id.in_(ids), InspectorRelationship.party_name.is_not(None),
            relationship_in_force(on)))
    for person_id, party_name in parties:
        for key in by_name.get(normalize_name(party_name), []):
            add(object_key("person", person_id), key, "declared_relationship")
    since = add_months(on, -recent_months)
    if recent_months > 0:
        tasks = session.execute(
            select(TaskInspector.person_id, InspectionTask.object_key)
            .join(InspectionTask, InspectionTask.id == TaskInspector.task_id)
            .where(InspectionTask.object_type == kind, InspectionTask.drawn_on >= since,
                   InspectionTask.drawn_on <= on))
        manual = session.execute(
            select(InspectionHistory.person_id, InspectionHistory.object_id).where(
                InspectionHistory.object_type == kind, InspectionHistory.inspected_on >= since,
                InspectionHistory.inspected_on <= on))
        pairs = list(tasks) + [(p, object_key(kind, o)) for p, o in manual]
        for person_id, key in pairs:
            if person_id in ids and key in names:
                add(object_key("person", person_id), key, "recent_inspection")
    return sorted([i, o, r] for (i, o), r in found.items())


def freeze_inputs(session: Session, *, plan: SpotCheckPlan, batch: SpotCheckBatch, matter: CheckMatter,
                  on: date) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the draw's inputs document and the objects' names (names stay out of the digest)."""
    scope = batch.scope or {}
    flt = ObjectFilter(kind=matter.subject_type, region=scope.get("region") or plan.region_code,
                       scheme=scope.get("scheme"), field=scope.get("field"))
    rows = query_objects(session, flt, on=on)
    names = {row.key: row.name for row in rows}
    checked = _checked_this_year(session, matter.id, set(names), on)
    by_peers = _checked_by_peers(session, matter, set(names) - checked, on)
    excluded = sorted([key, "matter_checked_this_year"] for key in checked)
    excluded += sorted([key, "peer_checked_this_year"] for key in by_peers)
    checked |= set(by_peers)
    classes, base_class = classes_for(session, matter.subject_type)
    eligible = [row for row in rows if row.key not in checked]
    objects = sorted([row.key, classes.get(row.id, base_class)] for row in eligible)
    risk = None
    if scope.get("risk") == "weight" and matter.subject_type in ("body", "organization"):
        found = risk_classes(session, matter.subject_type)
        risk = {"rule": RULE, "credit": objects,
                "risk": sorted([row.key, found.get(row.id, RISK_BASE)] for row in eligible)}
        objects = [[key, weighted_class(credit, risk_class)]
                   for (key, credit), (_, risk_class) in zip(objects, risk["risk"], strict=True)]
    inspectors = list_inspectors(session, include_experts=plan.include_experts, region=plan.region_code)
    conflicts = conflicts_for(session, kind=matter.subject_type, names={k: names[k] for k, _ in objects},
                              inspectors=inspectors, on=on, recent_months=plan.recent_inspection_months)
    inputs = {
        "format": FORMAT,
        "draw": {"plan_id": plan.id, "plan_year": plan.year, "batch_id": batch.id, "authority": plan.authority,
                 "matter": matter.code, "matter_kind": matter.kind, "subject_type": matter.subject_type,
                 "check_type": batch.check_type, "scope": {**scope, "region": flt.region} if flt.region else scope,
                 "drawn_on": on.isoformat(), "recent_inspection_months": plan.recent_inspection_months},
        "ratios": effective_ratios(plan, batch, matter),
        "default_ratio": cap_ratios(matter, {"default": plain_decimal(plan.default_ratio)})["default"],
        "counts": batch.class_counts or {},
        "inspectors_per_object": plan.inspectors_per_object,
        "max_tasks_per_inspector": batch.max_tasks_per_inspector,
        "objects": objects,
        "excluded_objects": sorted(excluded),
        "inspectors": sorted((object_key("person", p.id) for p in inspectors), key=lambda k: int(k.split(":")[1])),
        "conflicts": conflicts,
    }
    if by_peers:  # only then, so the digests of draws with no recognized exclusion stay what they were
        inputs["recognized_exclusions"] = [by_peers[key] for key in sorted(by_peers)]
    if risk is not None:  # only then, so the digests of unweighted draws stay what they were
        inputs["risk"] = risk
    return inputs, names
