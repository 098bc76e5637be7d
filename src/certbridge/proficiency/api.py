"""JSON endpoints of proficiency testing: schemes, rounds and results (regulators write), each lab's record and
restricted items, and the unsatisfactory results as plain facts (anyone reads)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.proficiency import queries, service
from certbridge.proficiency.models import PtScheme
from certbridge.registry.labs import get_lab

router = APIRouter(prefix="/api/v1", tags=["proficiency"], responses=PROBLEM_RESPONSES)


class PtSchemeIn(BaseModel):
    """A proficiency-testing scheme."""

    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=300)
    provider: str = Field(max_length=200)
    foreign_source: str | None = Field(default=None, max_length=200,
                                       description="For results recognised from abroad: the agreement and source")


class PtRoundIn(BaseModel):
    """A round of a scheme."""

    code: str = Field(max_length=40)
    parameter: str = Field(max_length=200, description="The item tested (a lab capability item)")
    method: str | None = Field(default=None, max_length=200)
    standard_id: int | None = None
    held_on: date


class PtResultIn(BaseModel):
    """A participant's result."""

    lab_id: int
    outcome: Literal["satisfactory", "questionable", "unsatisfactory"]
    item: str | None = Field(default=None, max_length=200, description="The capability item (default: the "
                                                                       "round's parameter)")
    z_score: float | None = None
    note: str | None = Field(default=None, max_length=1000)


class RoundOut(BaseModel):
    """A round."""

    id: int
    code: str
    parameter: str
    method: str | None
    standard_id: int | None
    held_on: date
    participants: int


class PtSchemeOut(BaseModel):
    """A scheme with its rounds."""

    id: int
    code: str
    name: str
    name_en: str | None
    provider: str
    foreign_source: str | None
    rounds: list[RoundOut]


class ResultOut(BaseModel):
    """A result with its round and scheme (the plain fact a risk signal reads)."""

    result_id: int
    lab_id: int
    item: str
    outcome: str
    z_score: float | None
    round_code: str
    parameter: str
    method: str | None
    held_on: date
    scheme_code: str
    scheme_name: str
    provider: str
    foreign_source: str | None = Field(description="Recognised from abroad: the agreement and source; else null")


class LabRecordOut(BaseModel):
    """A lab's proficiency record and the items its unsatisfactory results restrict now."""

    lab_id: int
    results: list[ResultOut]
    restricted_items: list[str]


def scheme_view(scheme: PtScheme) -> dict:
    """Return a scheme with its rounds."""
    return {"id": scheme.id, "code": scheme.code, "name": scheme.name, "name_en": scheme.name_en,
            "provider": scheme.provider, "foreign_source": scheme.foreign_source,
            "rounds": [{"id": r.id, "code": r.code, "parameter": r.parameter, "method": r.method,
                        "standard_id": r.standard_id, "held_on": r.held_on, "participants": len(r.results)}
                       for r in scheme.rounds]}


@router.get("/proficiency/schemes", response_model=list[PtSchemeOut], summary="Proficiency-testing schemes")
def list_schemes(db: ReadDB):
    """List proficiency-testing schemes with their rounds."""
    return [scheme_view(s) for s in db.scalars(select(PtScheme).order_by(PtScheme.code))]


@router.post("/proficiency/schemes", response_model=PtSchemeOut, status_code=201, summary="Record a PT scheme")
def post_scheme(item: PtSchemeIn, db: WriteDB, principal: AuthedPrincipal):
    """Record a proficiency-testing scheme (regulators)."""
    return scheme_view(service.define_pt_scheme(db, principal=principal, **item.model_dump()))


@router.post("/proficiency/schemes/{scheme_id}/rounds", response_model=RoundOut, status_code=201,
             summary="Record a round")
def post_round(scheme_id: Id, item: PtRoundIn, db: WriteDB, principal: AuthedPrincipal):
    """Record a round of a scheme (regulators)."""
    r = service.open_round(db, principal=principal, scheme_id=scheme_id, **item.model_dump())
    return {"id": r.id, "code": r.code, "parameter": r.parameter, "method": r.method, "standard_id": r.standard_id,
            "held_on": r.held_on, "participants": 0}


@router.post("/proficiency/rounds/{round_id}/results", response_model=LabRecordOut, status_code=201,
             summary="Record a lab's result")
def post_result(round_id: Id, item: PtResultIn, db: WriteDB, principal: AuthedPrincipal):
    """Record a participant's result; an unsatisfactory one restricts the item until a satisfactory follow-up."""
    result = service.record_result(db, principal=principal, round_id=round_id, **item.model_dump())
    return lab_record(result.lab_id, db)


@router.get("/labs/{lab_id}/proficiency", response_model=LabRecordOut, summary="A lab's proficiency record")
def lab_record(lab_id: Id, db: ReadDB):
    """Return a lab's proficiency results, newest first, and the capability items restricted now."""
    get_lab(db, lab_id)
    return {"lab_id": lab_id, "results": [vars(f) for f in queries.lab_record(db, lab_id)],
            "restricted_items": sorted(queries.restricted_items(db, lab_id))}


@router.get("/proficiency/unsatisfactory", response_model=list[ResultOut], summary="Unsatisfactory results")
def unsatisfactory(db: ReadDB, since: Annotated[date | None, Query()] = None, lab_id: Annotated[int | None, Query(ge=1)] = None):
    """Unsatisfactory results (rounds held since a date), newest first: the facts behind risk signals."""
    return [vars(f) for f in queries.unsatisfactory_results(db, since=since, lab_id=lab_id)]
