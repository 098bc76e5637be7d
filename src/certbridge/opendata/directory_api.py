"""GET /api/v1/directory/labs and /bodies: the public-service directory as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from certbridge.api.deps import ReadDB
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.opendata.directory import compare_labs, search_bodies, search_labs

router = APIRouter(prefix="/api/v1", tags=["open data"], responses=PROBLEM_RESPONSES)


@router.get("/directory/labs", summary="Find labs by test parameter, product and/or standard")
def directory_labs(db: ReadDB, parameter: Annotated[str, Query(max_length=100)] = "",
                   standard: Annotated[str, Query(max_length=100)] = "",
                   region: Annotated[str, Query(max_length=6, pattern=r"^\d{0,6}$")] = ""):
    """Return qualified labs whose approved items match, with status, penalties and recent spot checks."""
    return search_labs(db, parameter=parameter, standard=standard, region=region)


@router.get("/directory/bodies", summary="Find certification bodies approved for a scheme")
def directory_bodies(db: ReadDB, scheme: Annotated[str, Query(max_length=20)],
                     region: Annotated[str, Query(max_length=6, pattern=r"^\d{0,6}$")] = ""):
    """Return approved bodies whose fields cover the scheme, with penalties and recent spot checks."""
    return search_bodies(db, scheme=scheme, region=region)


@router.get("/directory/labs/compare", summary="Compare up to four labs")
def directory_compare(db: ReadDB, lab: Annotated[list[int], Query(max_length=4)]):
    """Return up to four labs side by side."""
    return compare_labs(db, lab_ids=lab)
