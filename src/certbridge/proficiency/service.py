"""Recording proficiency testing: schemes, rounds, results; an unsatisfactory result restricts the lab's
capability item until a later round of the same item is satisfactory (questionable results change nothing)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import Conflict, InvalidInput, NotFound
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.proficiency.models import OUTCOMES, PtResult, PtRound, PtScheme
from certbridge.registry.labs import get_lab
from certbridge.registry.models import Standard


def _text(value: str | None, name: str, required: bool = True) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput("field.required", field=name)
    return value or None


def define_pt_scheme(session: Session, *, principal: Principal, code: str, name: str, provider: str,
                     name_en: str | None = None, foreign_source: str | None = None) -> PtScheme:
    """Record a proficiency-testing scheme; results recognised from abroad name their source agreement."""
    require_regulator(principal)
    code = _text(code, "code").upper()
    if session.scalar(select(PtScheme.id).where(PtScheme.code == code)):
        raise Conflict("pt.scheme_taken", field="code", value=code)
    item = PtScheme(code=code, name=_text(name, "name"), provider=_text(provider, "provider"),
                    name_en=_text(name_en, "name_en", False), foreign_source=_text(foreign_source, "foreign_source",
                                                                                   False))
    session.add(item)
    session.flush()
    record_event(session, type="pt.scheme_defined", subject_type="pt_scheme", subject_id=item.id,
                 actor=principal.actor, data={"state": {"code": code, "name": item.name, "provider": item.provider,
                                                        "foreign_source": item.foreign_source}})
    return item


def get_pt_scheme(session: Session, scheme_id: int) -> PtScheme:
    """Get a proficiency-testing scheme by id."""
    item = session.get(PtScheme, scheme_id)
    if item is None:
        raise NotFound("pt.scheme_not_found", id=scheme_id)
    return item


def get_round(session: Session, round_id: int) -> PtRound:
    """Get a round by id."""
    item = session.get(PtRound, round_id)
    if item is None:
        raise NotFound("pt.round_not_found", id=round_id)
    return item


def open_round(session: Session, *, principal: Principal, scheme_id: int, code: str, parameter: str,
               held_on: date, method: str | None = None, standard_id: int | None = None) -> PtRound:
    """Record a round of a scheme: the parameter tested, the method, the date."""
    require_regulator(principal)
    scheme = get_pt_scheme(session, scheme_id)
    code = _text(code, "code")
    if session.scalar(select(PtRound.id).where(PtRound.scheme_id == scheme.id, PtRound.code == code)):
        raise Conflict("pt.round_taken", field="code", value=code)
    if standard_id is not None and session.get(Standard, standard_id) is None:
        raise InvalidInput("standard.not_found", field="standard_id", id=standard_id)
    item = PtRound(scheme_id=scheme.id, code=code, parameter=_text(parameter, "parameter"),
                   method=_text(method, "method", False), standard_id=standard_id, held_on=held_on)
    session.add(item)
    session.flush()
    record_event(session, type="pt.round_opened", subject_type="pt_round", subject_id=item.id,
                 actor=principal.actor, data={"state": {"scheme_id": scheme.id, "code": code,
                                                        "parameter": item.parameter, "method": item.method,
                                                        "held_on": held_on.isoformat()}})
    return item


def record_result(session: Session, *, principal: Principal, round_id: int, lab_id: int, outcome: str,
                  item: str | None = None, z_score: Any = None, note: str | None = None) -> PtResult:
    """Record a participant's result for the capability item concerned (the round's parameter by default).

    The item must be one the lab is qualified for. An unsatisfactory result is journalled as
    `pt.unsatisfactory` (a plain fact others, e.g. risk signals, read); every other as `pt.result`.
    """
    require_regulator(principal)
    rnd = get_round(session, round_id)
    lab = get_lab(session, lab_id)
    if outcome not in OUTCOMES:
        raise InvalidInput("pt.outcome_unknown", field="outcome", value=outcome)
    item_name = _text(item, "item", False) or rnd.parameter
    if item_name not in {c.item for c in lab.capabilities}:
        raise InvalidInput("pt.item_not_in_scope", field="item", item=item_name, lab=lab.name)
    z = None
    if z_score not in (None, ""):
        try:
            z = round(float(z_score), 2)
        except (TypeError, ValueError):
            raise InvalidInput("pt.z_not_number", field="z_score", value=z_score) from None
    if session.scalar(select(PtResult.id).where(PtResult.round_id == rnd.id, PtResult.lab_id == lab.id)):
        raise Conflict("pt.result_taken", field="lab_id", lab=lab.name, round=rnd.code)
    result = PtResult(round_id=rnd.id, lab_id=lab.id, item=item_name, outcome=outcome, z_score=z,
                      note=_text(note, "note", False))
    session.add(result)
    session.flush()
    record_event(session, type="pt.unsatisfactory" if outcome == "unsatisfactory" else "pt.result",
                 subject_type="lab", subject_id=lab.id, actor=principal.actor,
                 data={"result_id": result.id, "round_id": rnd.id, "round": rnd.code, "scheme": rnd.scheme.code,
                       "item": item_name, "outcome": outcome, "z_score": z, "held_on": rnd.held_on.isoformat(),
                       "foreign_source": rnd.scheme.foreign_source})
    return result
