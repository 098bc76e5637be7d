"""Check matters, annual plans and their batches, with ratios by credit class kept as data."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import Conflict, InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import CertificationField, Scheme
from certbridge.registry.service import check_region
from certbridge.supervision.models import CheckMatter, SpotCheckBatch, SpotCheckPlan

CLASSES = ("A", "B", "C", "D")
# DOMAIN.md: A ≤ 5 %, B 5–20 %, C 21–60 %, D 61–100 %; ≥ 5 % where nothing is set.
DEFAULT_BOUNDS = {"A": ["0", "0.05"], "B": ["0.05", "0.20"], "C": ["0.21", "0.60"], "D": ["0.61", "1"]}
DEFAULT_RATIOS = {"A": "0.05", "B": "0.10", "C": "0.30", "D": "0.70"}
MINIMUM_DEFAULT_RATIO = Decimal("0.05")
MATTER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")
SUBJECT_TYPES = ("body", "organization", "lab")
CHECK_TYPES = ("random", "special", "joint")


def plain_decimal(value: Decimal) -> str:
    """Return a decimal as a plain string without exponent or trailing zeros ("0.05")."""
    return format(value.normalize(), "f") if value else "0"


def _ratio(value: Any, field: str) -> Decimal:
    try:
        ratio = Decimal(str(value))
    except ArithmeticError:
        raise InvalidInput("plan.ratio_format", field=field, value=value) from None
    if not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(1):
        raise InvalidInput("plan.ratio_range", field=field, value=value)
    return ratio


def matter_state(m: CheckMatter) -> dict[str, Any]:
    """Return a check matter's state as events carry it."""
    return {"code": m.code, "name": m.name, "kind": m.kind, "subject_type": m.subject_type,
            "legal_basis": m.legal_basis, "content": m.content, "method": m.method,
            "max_ratio": plain_decimal(m.max_ratio) if m.max_ratio is not None else None, "active": m.active}


def get_matter(session: Session, matter_id: int) -> CheckMatter:
    """Get a check matter by its id."""
    matter = session.get(CheckMatter, matter_id)
    if matter is None:
        raise NotFound("matter.not_found", id=matter_id)
    return matter


def _check_matter_fields(kind: str, subject_type: str, max_ratio: Any) -> Decimal | None:
    if kind not in ("key", "general"):
        raise InvalidInput("matter.kind_unknown", field="kind", kind=kind)
    if subject_type not in SUBJECT_TYPES:
        raise InvalidInput("matter.subject_unknown", field="subject_type", value=subject_type)
    if kind == "general":
        if max_ratio is None:
            raise InvalidInput("matter.general_needs_cap", field="max_ratio")
        ratio = _ratio(max_ratio, "max_ratio")
        if ratio == 0:
            raise InvalidInput("plan.ratio_range", field="max_ratio", value=max_ratio)
        return ratio
    if max_ratio is not None:
        raise InvalidInput("matter.key_has_no_cap", field="max_ratio")
    return None


def create_matter(session: Session, *, principal: Principal, code: str, name: str, kind: str, subject_type: str,
                  legal_basis: str, content: str, method: str, max_ratio: Any = None) -> CheckMatter:
    """Add a matter to the published check-matter list."""
    require_regulator(principal)
    code = (code or "").strip().upper()
    if not MATTER_CODE.match(code):
        raise InvalidInput("matter.code_format", field="code", value=code)
    if session.scalar(select(CheckMatter.id).where(CheckMatter.code == code)):
        raise Conflict("matter.code_taken", field="code", value=code)
    cap = _check_matter_fields(kind, subject_type, max_ratio)
    matter = CheckMatter(code=code, name=name.strip(), kind=kind, subject_type=subject_type,
                         legal_basis=legal_basis.strip(), content=content.strip(), method=method.strip(),
                         max_ratio=cap, active=True)
    session.add(matter)
    session.flush()
    record_event(session, type="matter.created", subject_type="check_matter", subject_id=matter.id,
                 actor=principal.actor, data={"state": matter_state(matter)})
    return matter


def update_matter(session: Session, *, principal: Principal, matter_id: int, changes: dict[str, Any]) -> CheckMatter:
    """Change a matter's text, cap or kind, or retire it from the list (active=false)."""
    require_regulator(principal)
    matter = get_matter(session, matter_id)
    before = matter_state(matter)
    kind = changes.get("kind", matter.kind)
    cap = changes["max_ratio"] if "max_ratio" in changes else (matter.max_ratio if kind == "general" else None)
    matter.max_ratio = _check_matter_fields(kind, changes.get("subject_type", matter.subject_type), cap)
    for key in ("name", "kind", "subject_type", "legal_basis", "content", "method", "active"):
        if key in changes and changes[key] is not None:
            setattr(matter, key, changes[key])
    session.flush()
    changed = {k: v for k, v in matter_state(matter).items() if before.get(k) != v}
    if changed:
        record_event(session, type="matter.changed", subject_type="check_matter", subject_id=matter.id,
                     actor=principal.actor, data={"state": changed})
    return matter


def _check_bounds(bounds: dict[str, Any]) -> dict[str, list[str]]:
    if sorted(bounds) != list(CLASSES):
        raise InvalidInput("plan.classes_required", field="ratio_bounds")
    out = {}
    for cls in CLASSES:
        pair = bounds[cls]
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise InvalidInput("plan.bounds_shape", field=f"ratio_bounds.{cls}")
        low, high = _ratio(pair[0], f"ratio_bounds.{cls}"), _ratio(pair[1], f"ratio_bounds.{cls}")
        if low > high:
            raise InvalidInput("plan.bounds_order", field=f"ratio_bounds.{cls}", low=pair[0], high=pair[1])
        out[cls] = [plain_decimal(low), plain_decimal(high)]
    return out


def check_class_ratios(ratios: dict[str, Any], bounds: dict[str, list[str]], field: str) -> dict[str, str]:
    """Refuse a ratio outside its class's bounds; return the ratios as decimal strings."""
    out = {}
    for cls, value in ratios.items():
        if cls not in CLASSES:
            raise InvalidInput("credit.class_unknown", field=f"{field}.{cls}", value=cls)
        ratio = _ratio(value, f"{field}.{cls}")
        low, high = (Decimal(b) for b in bounds[cls])
        if not low <= ratio <= high:
            raise InvalidInput("plan.ratio_outside_bounds", field=f"{field}.{cls}", credit_class=cls,
                               ratio=plain_decimal(ratio), low=bounds[cls][0], high=bounds[cls][1])
        out[cls] = plain_decimal(ratio)
    return out


def plan_state(plan: SpotCheckPlan) -> dict[str, Any]:
    """Return a plan's state as events carry it."""
    return {"year": plan.year, "name": plan.name, "authority": plan.authority, "region_code": plan.region_code,
            "class_ratios": plan.class_ratios, "ratio_bounds": plan.ratio_bounds,
            "default_ratio": plain_decimal(plan.default_ratio), "inspectors_per_object": plan.inspectors_per_object,
            "recent_inspection_months": plan.recent_inspection_months,
            "publication_workdays": plan.publication_workdays, "include_experts": plan.include_experts}


def create_plan(session: Session, *, principal: Principal, year: int, name: str, authority: str,
                region_code: str | None = None, class_ratios: dict[str, Any] | None = None,
                ratio_bounds: dict[str, Any] | None = None, default_ratio: Any = "0.05",
                inspectors_per_object: int = 2, recent_inspection_months: int = 12, publication_workdays: int = 20,
                include_experts: bool = False) -> SpotCheckPlan:
    """Make an annual spot-check plan with its ratios by credit class and avoidance window."""
    require_regulator(principal)
    if not 2000 <= year <= 2100:
        raise InvalidInput("field.range", field="year", min=2000, max=2100)
    bounds = _check_bounds(ratio_bounds or DEFAULT_BOUNDS)
    ratios = check_class_ratios({**DEFAULT_RATIOS, **(class_ratios or {})}, bounds, "class_ratios")
    default = _ratio(default_ratio, "default_ratio")
    if default < MINIMUM_DEFAULT_RATIO:
        raise InvalidInput("plan.default_ratio_minimum", field="default_ratio", minimum="0.05")
    if inspectors_per_object < 2:
        raise InvalidInput("plan.two_inspectors", field="inspectors_per_object")
    for field, value, low, high in (("inspectors_per_object", inspectors_per_object, 2, 10),
                                    ("recent_inspection_months", recent_inspection_months, 0, 120),
                                    ("publication_workdays", publication_workdays, 1, 60)):
        if not low <= value <= high:
            raise InvalidInput("field.range", field=field, min=low, max=high)
    plan = SpotCheckPlan(year=year, name=name.strip(), authority=authority.strip(),
                         region_code=check_region(session, region_code), class_ratios=ratios, ratio_bounds=bounds,
                         default_ratio=default, inspectors_per_object=inspectors_per_object,
                         recent_inspection_months=recent_inspection_months,
                         publication_workdays=publication_workdays, include_experts=include_experts)
    session.add(plan)
    session.flush()
    record_event(session, type="plan.created", subject_type="spot_check_plan", subject_id=plan.id,
                 actor=principal.actor, data={"state": plan_state(plan)})
    return plan


def get_plan(session: Session, plan_id: int) -> SpotCheckPlan:
    """Get a plan by its id."""
    plan = session.get(SpotCheckPlan, plan_id)
    if plan is None:
        raise NotFound("plan.not_found", id=plan_id)
    return plan


def get_batch(session: Session, batch_id: int) -> SpotCheckBatch:
    """Get a batch by its id."""
    batch = session.get(SpotCheckBatch, batch_id)
    if batch is None:
        raise NotFound("batch.not_found", id=batch_id)
    return batch


def effective_ratios(plan: SpotCheckPlan, batch: SpotCheckBatch, matter: CheckMatter | None = None) -> dict[str, str]:
    """Return the ratio per class a batch draws with (the batch's override, else the plan's), within the
    matter's cap when it is a general one."""
    return cap_ratios(matter, {**plan.class_ratios, **(batch.class_ratios or {})})


def cap_ratios(matter: CheckMatter | None, ratios: dict[str, str]) -> dict[str, str]:
    """Limit every ratio to a general matter's cap (DOMAIN.md: general matters are strictly limited).

    The plan's class ratios weight the draw by credit class; a general matter's cap is the legal ceiling
    over all of them, so a class whose plan ratio is above it draws at the cap instead of making every
    batch of that matter impossible (class D's range starts at 61 %, far above any general cap).
    """
    if matter is None or matter.kind != "general" or matter.max_ratio is None:
        return dict(ratios)
    return {cls: plain_decimal(min(Decimal(ratio), matter.max_ratio)) for cls, ratio in ratios.items()}


def matter_bounds(bounds: dict[str, list[str]], matter: CheckMatter) -> dict[str, list[str]]:
    """Return the plan's class ranges as they apply to a matter: a general matter's cap closes each range."""
    if matter.kind != "general" or matter.max_ratio is None:
        return bounds
    cap = matter.max_ratio
    return {cls: [plain_decimal(min(Decimal(low), cap)), plain_decimal(min(Decimal(high), cap))]
            for cls, (low, high) in bounds.items()}


def _check_scope(session: Session, matter: CheckMatter, scope: dict[str, Any]) -> dict[str, str]:
    unknown = set(scope) - {"region", "scheme", "field", "risk"}
    if unknown:
        raise InvalidInput("batch.scope_unknown", field="scope", keys=", ".join(sorted(unknown)))
    out = {k: v for k, v in scope.items() if v}
    if "region" in out:
        check_region(session, out["region"], field="scope.region")
    if "scheme" in out:
        out["scheme"] = out["scheme"].upper()
        if session.get(Scheme, out["scheme"]) is None:
            raise InvalidInput("scheme.not_found", field="scope.scheme", code=out["scheme"])
    if "risk" in out and out["risk"] != "weight":
        raise InvalidInput("batch.scope_risk", field="scope.risk", value=out["risk"])
    if "field" in out and session.get(CertificationField, out["field"]) is None:
        raise InvalidInput("body.field_unknown", field="scope.field", codes=out["field"])
    if matter.subject_type == "lab" and ({"scheme", "field"} & set(out)):
        raise InvalidInput("batch.scope_not_for_labs", field="scope")
    return out


def batch_state(batch: SpotCheckBatch) -> dict[str, Any]:
    """Return a batch's state as events carry it."""
    return {"plan_id": batch.plan_id, "name": batch.name, "matter_id": batch.matter_id, "check_type": batch.check_type,
            "joint_departments": batch.joint_departments, "scope": batch.scope, "class_ratios": batch.class_ratios,
            "class_counts": batch.class_counts, "max_tasks_per_inspector": batch.max_tasks_per_inspector,
            "starts_on": batch.starts_on, "ends_on": batch.ends_on}


def add_batch(session: Session, *, principal: Principal, plan_id: int, name: str, matter_id: int, check_type: str,
              starts_on: date, ends_on: date, scope: dict[str, Any] | None = None,
              class_ratios: dict[str, Any] | None = None, class_counts: dict[str, int] | None = None,
              max_tasks_per_inspector: int | None = None, joint_departments: str | None = None) -> SpotCheckBatch:
    """Add a batch to a plan: its matter, scope, quantity or ratios by class, and timing."""
    require_regulator(principal)
    plan, matter = get_plan(session, plan_id), get_matter(session, matter_id)
    if not matter.active:
        raise RuleViolation("matter.retired", code=matter.code)
    if check_type not in CHECK_TYPES:
        raise InvalidInput("batch.check_type_unknown", field="check_type", value=check_type)
    if check_type == "joint" and not (joint_departments or "").strip():
        raise InvalidInput("batch.joint_needs_departments", field="joint_departments")
    if ends_on < starts_on:
        raise InvalidInput("date.order", field="ends_on", start=starts_on, end=ends_on)
    if starts_on.year != plan.year:
        raise InvalidInput("batch.outside_plan_year", field="starts_on", year=plan.year)
    ratios = None
    if class_ratios:
        asked = {cls: plain_decimal(_ratio(v, f"class_ratios.{cls}")) for cls, v in class_ratios.items()
                 if cls in CLASSES}
        check_matter_cap(matter, asked)  # an explicit ratio above a general matter's cap is refused
        ratios = check_class_ratios(class_ratios, matter_bounds(plan.ratio_bounds, matter), "class_ratios")
    counts = None
    if class_counts:
        if set(class_counts) - set(CLASSES) or not all(isinstance(v, int) and v >= 0 for v in class_counts.values()):
            raise InvalidInput("batch.counts_shape", field="class_counts")
        counts = dict(class_counts)
    if max_tasks_per_inspector is not None and max_tasks_per_inspector < 1:
        raise InvalidInput("field.range", field="max_tasks_per_inspector", min=1, max=10000)
    batch = SpotCheckBatch(plan_id=plan.id, name=name.strip(), matter_id=matter.id, check_type=check_type,
                           joint_departments=joint_departments, scope=_check_scope(session, matter, scope or {}),
                           class_ratios=ratios, class_counts=counts, max_tasks_per_inspector=max_tasks_per_inspector,
                           starts_on=starts_on, ends_on=ends_on)
    session.add(batch)
    session.flush()
    record_event(session, type="batch.created", subject_type="spot_check_batch", subject_id=batch.id,
                 actor=principal.actor, data={"state": batch_state(batch)})
    return batch


def check_matter_cap(matter: CheckMatter, ratios: dict[str, str]) -> None:
    """Refuse ratios above a general matter's cap (key matters have none)."""
    if matter.kind != "general" or matter.max_ratio is None:
        return
    for cls, ratio in sorted(ratios.items()):
        if Decimal(ratio) > matter.max_ratio:
            raise RuleViolation("batch.ratio_over_matter_cap", credit_class=cls, ratio=ratio,
                                cap=plain_decimal(matter.max_ratio), code=matter.code)
