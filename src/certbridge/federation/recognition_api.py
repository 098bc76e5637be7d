"""JSON routes of 监管互认: switch a peer's recognition on or off, and list the peers' mirrored spot-check
results and penalties with their source and whether they count here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from certbridge.api.routing import APIRouter
from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.federation.recognition import recognized_records, set_recognition
from certbridge.policy import require_regulator_reader

router = APIRouter(prefix="/api/v1/federation", tags=["federation"], responses=PROBLEM_RESPONSES)


class RecognitionIn(BaseModel):
    """Whether a peer's spot-check results and penalties count here."""

    recognize: bool = Field(description="true: count them (once-a-year rule, credit, risk); false: stop counting")


class RecognitionOut(BaseModel):
    """The switch as it is now, and how many of the peer's mirrored results and penalties count here."""

    peer: str = Field(description="The peer's instance name")
    label: str = Field(description="Its display name (the instance name when it has none)")
    recognize: bool
    counted_before: int
    counted: int


class RecognizedOut(BaseModel):
    """The peers' mirrored spot-check results and penalties, each with its source (instance, log index,
    checkpoint), the local organization or body it concerns (matched by USCC) and whether it counts here."""

    items: list[dict[str, Any]]


@router.post("/peers/{peer_id}/recognition", response_model=RecognitionOut,
             summary="Recognize a peer's supervision (监管互认)")
def switch(peer_id: Id, item: RecognitionIn, db: WriteDB, principal: AuthedPrincipal):
    """Switch 监管互认 with a peer on or off (regulators); recorded as an event. On: its proven results and
    penalties concerning organizations and bodies known here count from now; off: they stop counting for new
    draws, credit and risk (draws already committed keep their inputs)."""
    return set_recognition(db, principal=principal, peer_id=peer_id, on=item.recognize)


@router.get("/recognized", response_model=RecognizedOut, summary="The peers' spot-check results and penalties")
def recognized(db: ReadDB, principal: AuthedPrincipal,
               peer_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only this peer's")] = None):
    """Return the peers' mirrored spot-check results and penalties with their source and label (regulators)."""
    require_regulator_reader(principal)
    return {"items": recognized_records(db, peer_id=peer_id)}
