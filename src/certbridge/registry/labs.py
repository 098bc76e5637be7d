"""Testing and inspection labs and their 资质认定 qualification."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import Conflict, InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.policy import require_lab_operator, require_regulator
from certbridge.principal import Principal
from certbridge.registry.bodies import exits_of_identity
from certbridge.registry.identity import check_fingerprint
from certbridge.registry.models import Lab, LabCapability, Standard
from certbridge.registry.restrictions import refuse_if_banned
from certbridge.registry.service import check_region, check_uscc
from certbridge.registry.snapshots import lab_state

# 资质认定证书编号: 12 digits (year 2 + authority 2 + category 2 + sequence …) in current practice.
CMA_NUMBER = re.compile(r"^\d{12}$")


def get_lab(session: Session, lab_id: int) -> Lab:
    """Get a lab by its id."""
    lab = session.get(Lab, lab_id)
    if lab is None:
        raise NotFound("lab.not_found", id=lab_id)
    return lab


_MARKS = (" ", "/", "-", ".", ":", "—", "　")


def _number_key(text: str) -> str:
    out = text.upper()
    for mark in _MARKS:
        out = out.replace(mark, "")
    return out


def _standard_ids(session: Session, texts: set[str]) -> dict[str, int]:
    """Return the catalogue standard each capability's standard text names: the exact version ("GB/T 19001-2016"),
    or the newest version when no year is written ("GB/T 19001"); texts naming none are left out."""
    if not texts:
        return {}
    exact: dict[str, int] = {}
    newest: dict[str, int] = {}
    for std_id, code, version in session.execute(select(Standard.id, Standard.code, Standard.version)
                                                 .order_by(Standard.version, Standard.id)):
        exact.setdefault(_number_key(code + version), std_id)
        newest[_number_key(code)] = std_id  # ordered by version: the newest comes last
    out = {}
    for text in texts:
        key = _number_key(text)
        std_id = exact.get(key) or newest.get(key)
        if std_id is not None:
            out[text] = std_id
    return out


def _capabilities(session: Session, items: list[dict[str, Any]]) -> list[LabCapability]:
    out = []
    for index, item in enumerate(items):
        category, name = (item.get("category") or "").strip(), (item.get("item") or "").strip()
        if not category or not name:
            raise InvalidInput("lab.capability_incomplete", field=f"capabilities[{index}]")
        out.append(LabCapability(category=category, item=name, standard=(item.get("standard") or None)))
    linked = _standard_ids(session, {c.standard for c in out if c.standard})
    for capability in out:
        capability.standard_id = linked.get(capability.standard) if capability.standard else None
    return out


def qualify_lab(
    session: Session,
    *,
    principal: Principal,
    cma_number: str,
    name: str,
    qualified_on: date,
    valid_until: date | None = None,
    uscc: str | None = None,
    region_code: str | None = None,
    address: str | None = None,
    capabilities: list[dict[str, Any]] = (),
    legal_representative: str | None = None,
    legal_rep_fingerprint: str | None = None,
    today: date | None = None,
) -> Lab:
    """Record a lab's qualification (valid 6 years unless stated), with its legal representative.

    The representative's name is public; their ID document only as its keyed hash (`registry.identity`), in a
    private `lab.legal_rep_recorded` event. A representative bound by a permanent exit is refused, as for bodies.
    """
    require_regulator(principal)
    cma_number = (cma_number or "").strip()
    if not CMA_NUMBER.match(cma_number):
        raise InvalidInput("lab.cma_format", field="cma_number", value=cma_number)
    if session.scalar(select(Lab.id).where(Lab.cma_number == cma_number)):
        raise Conflict("lab.cma_taken", field="cma_number", value=cma_number)
    if not (name or "").strip():
        raise InvalidInput("field.required", field="name")
    valid_until = valid_until or qualified_on.replace(year=qualified_on.year + 6)
    if valid_until <= qualified_on:
        raise InvalidInput("date.order", field="valid_until", start=qualified_on, end=valid_until)
    rep = _checked_rep(session, legal_rep_fingerprint, today)
    lab = Lab(cma_number=cma_number, name=name.strip(), uscc=check_uscc(uscc)[0] if uscc else None,
              region_code=check_region(session, region_code), address=address, status="valid",
              qualified_on=qualified_on, valid_until=valid_until,
              legal_representative=(legal_representative or "").strip() or None, legal_rep_fingerprint=rep)
    lab.capabilities = _capabilities(session, list(capabilities))
    session.add(lab)
    session.flush()
    record_event(session, type="lab.qualified", subject_type="lab", subject_id=lab.id,
                 actor=principal.actor, data={"state": lab_state(lab)})
    if rep:  # not public, outside `state`: never part of the public record
        record_event(session, type="lab.legal_rep_recorded", subject_type="lab", subject_id=lab.id,
                     actor=principal.actor, public=False, data={"legal_rep_fingerprint": rep})
    return lab


def _checked_rep(session: Session, fingerprint: str | None, today: date | None) -> str | None:
    """Return a representative's checked fingerprint, refusing one bound by a permanent exit."""
    rep = check_fingerprint(fingerprint, field="legal_representative_id_number")
    if rep:
        refuse_if_banned(exits_of_identity(session, on=today or date.today(), legal_rep_fingerprint=rep)[1],
                         "body.legal_rep_exited")
    return rep


def _change_rep(session: Session, principal: Principal, lab: Lab, changes: dict[str, Any]) -> None:
    """Apply a 法定代表人变更 (regulators, through an approved case): the public name and the private hash."""
    rep = _checked_rep(session, changes.get("legal_rep_fingerprint"), None)
    if rep and rep != lab.legal_rep_fingerprint:
        record_event(session, type="lab.legal_rep_changed", subject_type="lab", subject_id=lab.id,
                     actor=principal.actor, public=False,
                     data={"legal_rep_fingerprint": rep, "previous": lab.legal_rep_fingerprint,
                           "legal_representative": changes.get("legal_representative")})
        lab.legal_rep_fingerprint = rep
    if (changes.get("legal_representative") or "").strip():
        lab.legal_representative = changes["legal_representative"].strip()


def update_lab(session: Session, *, principal: Principal, lab_id: int, changes: dict[str, Any]) -> Lab:
    """Update a lab's particulars (its operator or a regulator); its test scope only by a regulator.

    A lab's capability scope changes only through an approved licensing case (licensing/case_decisions.py):
    an operator's direct change of the items is refused.
    """
    require_lab_operator(principal, lab_id)
    lab = get_lab(session, lab_id)
    before = lab_state(lab)
    if "capabilities" in changes and not principal.is_regulator:
        wanted = [(c.category, c.item, c.standard) for c in _capabilities(session, list(changes["capabilities"]))]
        if wanted != [(c.category, c.item, c.standard) for c in lab.capabilities]:
            raise RuleViolation("lab.scope_through_case", field="capabilities")
        changes = {k: v for k, v in changes.items() if k != "capabilities"}
    if "capabilities" in changes:
        lab.capabilities = _capabilities(session, list(changes["capabilities"]))
    for key in ("name", "address"):
        if key in changes:
            setattr(lab, key, changes[key])
    if "region_code" in changes:
        lab.region_code = check_region(session, changes["region_code"])
    if principal.is_regulator:
        for key in ("status", "valid_until"):
            if key in changes:
                setattr(lab, key, changes[key])
        _change_rep(session, principal, lab, changes)
    elif {"legal_representative", "legal_rep_fingerprint"} & set(changes):
        raise RuleViolation("lab.legal_rep_through_case", field="legal_representative")
    elif "status" in changes or "valid_until" in changes:
        raise InvalidInput("lab.status_regulator_only", field="status")
    session.flush()
    changed = {k: v for k, v in lab_state(lab).items() if before.get(k) != v}
    if changed:
        record_event(session, type="lab.updated", subject_type="lab", subject_id=lab.id,
                     actor=principal.actor, data={"state": changed})
    return lab
