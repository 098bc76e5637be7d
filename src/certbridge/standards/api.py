"""JSON endpoints of the standards service: search, a standard's whole story, the regulator's upkeep and import."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import File, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from certbridge.api.deps import AuthedPrincipal, Lang, ReadDB, WriteDB
from certbridge.api.pagination import decode_cursor, next_cursor
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES, PROBLEM_TYPE
from certbridge.api.routing import APIRouter
from certbridge.i18n.catalog import render
from certbridge.proficiency.queries import restricted_labs
from certbridge.registry.models import Standard
from certbridge.standards import service
from certbridge.standards.catalogue import CatalogueReport, import_catalogue
from certbridge.standards.numbers import KINDS, kind_of

router = APIRouter(prefix="/api/v1", tags=["standards"], responses=PROBLEM_RESPONSES)


class StandardBrief(BaseModel):
    """A standard version as a search lists it."""

    id: int
    code: str
    version: str
    number: str = Field(description="Number and year as written: GB/T 19001-2016, ISO 9001:2015")
    title: str
    title_en: str | None
    kind: str = Field(description=" | ".join(KINDS))
    status: str = Field(description="current | superseded | withdrawn")
    issuer: str | None
    scheme: str
    published_on: date | None
    withdrawn_on: date | None
    transition_deadline: date | None
    superseded_by_id: int | None


class StandardPage(BaseModel):
    """A page of standards."""

    items: list[StandardBrief]
    next_cursor: str | None


class EquivalenceOut(BaseModel):
    """How this standard corresponds to another (IDT identical, MOD modified, NEQ not equivalent)."""

    degree: str
    note: str | None
    other: StandardBrief


class LabRef(BaseModel):
    """A lab approved to test to the standard, for one capability item."""

    lab_id: int
    name: str
    cma_number: str
    lab_status: str
    category: str
    item: str
    restricted: bool = Field(description="True while an unsatisfactory proficiency result restricts the item")


class StandardDetail(StandardBrief):
    """A standard with its versions, supersession, equivalences, schemes, certificates and labs."""

    versions: list[StandardBrief]
    supersedes: list[StandardBrief]
    equivalences: list[EquivalenceOut]
    schemes: list[str]
    certificates_in_force: int
    labs: list[LabRef]


class StandardEntryIn(BaseModel):
    """A catalogue entry (created, or updated when number + year exist)."""

    code: str = Field(max_length=60, description="The number without its year: GB/T 19001, ISO 9001")
    version: str = Field(max_length=20, description="The year: 2016")
    title: str = Field(max_length=200)
    title_en: str | None = Field(default=None, max_length=300)
    scheme_code: str = Field(max_length=20)
    issuer: str | None = Field(default=None, max_length=40)
    published_on: date | None = None
    status: Literal["current", "superseded", "withdrawn"] = "current"
    withdrawn_on: date | None = None
    supersedes: str | None = Field(default=None, max_length=20, description="The year of the version replaced")
    transition_deadline: date | None = None


class EquivalenceIn(BaseModel):
    """A correspondence between this (Chinese) standard and a foreign or international one."""

    foreign_id: int
    degree: Literal["IDT", "MOD", "NEQ"]
    note: str | None = Field(default=None, max_length=1000)


def brief(std: Standard) -> dict:
    """Return a standard's list view."""
    sep = ":" if kind_of(std.code) in ("international", "foreign") else "-"
    return {"id": std.id, "code": std.code, "version": std.version, "number": f"{std.code}{sep}{std.version}",
            "title": std.title, "title_en": std.title_en, "kind": kind_of(std.code), "status": std.status,
            "issuer": std.issuer, "scheme": std.scheme_code, "published_on": std.published_on,
            "withdrawn_on": std.withdrawn_on, "transition_deadline": std.transition_deadline,
            "superseded_by_id": std.superseded_by_id}


@router.get("/standards/search", response_model=StandardPage, summary="Search standards")
def search(db: ReadDB, q: Annotated[str | None, Query(max_length=100, description="Number fragment or title word "
                                                      "(Chinese or English)")] = None,
           status: Literal["current", "superseded", "withdrawn"] | None = None,
           kind: Annotated[str | None, Query(max_length=30, description=" | ".join(KINDS))] = None,
           cursor: Annotated[str | None, Query(max_length=200)] = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 50):
    """Find standards by number fragment ("19001", "GB/T 19001-2016", "iso9001") or title word."""
    items = service.search_standards(db, q, status=status, kind=kind if kind in KINDS else None,
                                     after_id=decode_cursor(cursor), limit=limit)
    return {"items": [brief(s) for s in items], "next_cursor": next_cursor([s.id for s in items], limit)}


def detail(db, standard_id: int) -> dict:
    """Return a standard's whole story as the API shows it."""
    story = service.standard_story(db, standard_id, date.today())
    restricted = restricted_labs(db, [lab.id for lab, _ in story.labs])
    return {**brief(story.standard), "versions": [brief(s) for s in story.versions],
            "supersedes": [brief(s) for s in story.supersedes],
            "equivalences": [{"degree": e.degree, "note": e.note, "other": brief(s)} for e, s in story.equivalences],
            "schemes": [s.code for s in story.schemes], "certificates_in_force": story.certificates_in_force,
            "labs": [{"lab_id": lab.id, "name": lab.name, "cma_number": lab.cma_number, "lab_status": lab.status,
                      "category": cap.category, "item": cap.item,
                      "restricted": cap.item in restricted.get(lab.id, ())} for lab, cap in story.labs]}


@router.get("/standards/{standard_id}", response_model=StandardDetail, summary="A standard's versions and use")
def read(standard_id: Id, db: ReadDB):
    """Return a standard with versions, supersession, equivalences, schemes, certificates in force and labs."""
    return detail(db, standard_id)


@router.put("/standards/catalogue", response_model=StandardBrief, summary="Enter or update a catalogue entry")
def put_entry(item: StandardEntryIn, db: WriteDB, principal: AuthedPrincipal):
    """Enter a standard version (regulators); the same number and year updates the entry."""
    std, _created = service.save_standard(db, principal=principal, **item.model_dump())
    return brief(std)


@router.post("/standards/{standard_id}/equivalences", response_model=StandardDetail, status_code=201,
             summary="Record an equivalence")
def post_equivalence(standard_id: Id, item: EquivalenceIn, db: WriteDB, principal: AuthedPrincipal):
    """Record how a Chinese standard corresponds to a foreign or international one (regulators)."""
    service.set_equivalence(db, principal=principal, standard_id=standard_id, **item.model_dump())
    return detail(db, standard_id)


@router.post("/standards/import", response_model=CatalogueReport, summary="Import a standards catalogue")
def import_file(request: Request, file: Annotated[UploadFile, File(description="CSV (UTF-8 or GBK), XLSX or JSON")],
                db: WriteDB, principal: AuthedPrincipal, lang: Lang,
                dry_run: Annotated[bool, Query(description="Check and report without writing")] = False):
    """Import a standards catalogue: all rows or none, every bad row reported (regulators)."""
    max_bytes = request.app.state.settings.import_max_file_bytes
    data = file.file.read(max_bytes + 1)
    report = import_catalogue(db, principal=principal, filename=file.filename or "upload", data=data,
                              dry_run=dry_run, lang=lang, max_bytes=max_bytes)
    if dry_run or report.errors:
        db.rollback()
    if report.errors:
        body = report.model_dump(mode="json")
        body.update(type=PROBLEM_TYPE + "import.rejected", title=render("title.422", lang), status=422,
                    code="import.rejected", detail=render("import.rejected", lang, count=len(report.errors)))
        return JSONResponse(body, status_code=422, media_type="application/problem+json")
    return report
