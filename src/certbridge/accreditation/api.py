"""JSON endpoints of international recognition: accreditation bodies (read by anyone, kept by regulators,
imported from CSV/XLSX) and the registration of foreign certification bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import File, Path, Request, UploadFile
from pydantic import BaseModel, Field

from certbridge.accreditation import service
from certbridge.accreditation.models import AccreditationBody
from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.errors import InvalidInput
from certbridge.kit.input_model import CleanInput
from certbridge.registry.foreign_bodies import register_foreign_body
from certbridge.registry.snapshots import body_state

router = APIRouter(prefix="/api/v1", tags=["international recognition"], responses=PROBLEM_RESPONSES)
Code = Annotated[str, Path(min_length=2, max_length=20, description="The accreditation body's code, e.g. CNAS")]


class ScopeIO(CleanInput):
    """One scope an accreditation body accredits, and its recognition under an arrangement."""

    main_scope: Literal["17021-1", "17065", "17024", "14065", "17025", "17020", "15189"] = Field(
        description="The conformity-assessment standard: 17021-1 management systems, 17065 products and services …")
    sub_scope: str = Field(default="", max_length=10, description="QMS, EMS, OHSMS, FSMS, ISMS … ('' = all)")
    arrangement: Literal["IAF MLA", "ILAC MRA"] | None = Field(default=None, description="None: not recognized")
    signatory_since: date | None = None
    signatory_until: date | None = Field(default=None, description="When the recognition ended or was suspended")


class AccreditationBodyIn(CleanInput):
    """An accreditation body's particulars and every scope (replaces what was recorded)."""

    name: str = Field(min_length=1, max_length=200, examples=["英国皇家认可委员会"])
    name_en: str = Field(min_length=1, max_length=300, examples=["United Kingdom Accreditation Service"])
    country: str = Field(min_length=2, max_length=2, examples=["GB"])
    website: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=300)
    scopes: list[ScopeIO] = Field(default_factory=list, max_length=100)


class AccreditationBodyOut(BaseModel):
    """An accreditation body with its scopes."""

    code: str
    name: str
    name_en: str
    country: str
    website: str | None
    note: str | None
    scopes: list[ScopeIO]


class ImportOut(BaseModel):
    """What an import recorded."""

    recorded: list[str] = Field(description="The codes of the accreditation bodies recorded or replaced")


class ForeignBodyIn(CleanInput):
    """A foreign certification body: no CNCA approval, no USCC."""

    country: str = Field(min_length=2, max_length=2, examples=["DE"])
    foreign_id: str = Field(min_length=1, max_length=27, examples=["HRB 12345"],
                            description="Its id in its home register (company number …)")
    name: str = Field(min_length=1, max_length=200, examples=["TÜV Beispiel GmbH"])
    name_en: str | None = Field(default=None, max_length=300)
    address: str | None = Field(default=None, max_length=300)
    fields: list[str] = Field(min_length=1, max_length=50, description="Fields it certifies in (our field codes)")
    registered_on: date


class ForeignBodyOut(BaseModel):
    """A registered foreign certification body."""

    id: int
    code: str = Field(description="F + country + sequence, e.g. FDE001")
    approval_number: str = Field(description="Its home-register key: country-id")
    name: str
    name_en: str | None
    country: str
    foreign_id: str
    status: str
    fields: list[str]


def body_view(body: AccreditationBody) -> dict:
    """Return an accreditation body's public view."""
    state = service.body_state(body)
    state["scopes"] = [dict(zip(("main_scope", "sub_scope", "arrangement", "signatory_since", "signatory_until"), s,
                                strict=True)) for s in state["scopes"]]
    return state


@router.get("/accreditation-bodies", response_model=list[AccreditationBodyOut], summary="Accreditation bodies")
def list_accreditation_bodies(db: ReadDB):
    """List the accreditation bodies (CNAS, UKAS, DAkkS …) with their scopes and MLA/MRA recognition."""
    return [body_view(b) for b in service.list_accreditation_bodies(db)]


@router.get("/accreditation-bodies/{code}", response_model=AccreditationBodyOut, summary="An accreditation body")
def read_accreditation_body(code: Code, db: ReadDB):
    """Return one accreditation body with its scopes."""
    return body_view(service.get_accreditation_body(db, code))


@router.put("/accreditation-bodies/{code}", response_model=AccreditationBodyOut,
            summary="Record or replace an accreditation body")
def put_accreditation_body(code: Code, item: AccreditationBodyIn, db: WriteDB, principal: AuthedPrincipal):
    """Record an accreditation body or replace its particulars and scopes (regulators)."""
    body = service.save_accreditation_body(db, principal=principal, code=code, **item.model_dump(exclude={"scopes"}),
                                           scopes=[s.model_dump() for s in item.scopes])
    return body_view(body)


@router.post("/accreditation-bodies/import", response_model=ImportOut, summary="Import accreditation bodies")
def import_accreditation_bodies(
        request: Request, db: WriteDB, principal: AuthedPrincipal,
        file: Annotated[UploadFile, File(description="CSV (UTF-8 or GBK), XLSX or JSON; one row per scope: "
                                                     + ", ".join(service.IMPORT_COLUMNS))]):
    """Import accreditation bodies, one row per scope; each body named is replaced; all rows or none (regulators)."""
    max_bytes = request.app.state.settings.import_max_file_bytes
    data = file.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput("import.too_large", field="file", max_mb=max_bytes // (1024 * 1024))
    return {"recorded": service.import_accreditation_bodies(db, principal=principal,
                                                            filename=file.filename or "upload", data=data)}


@router.post("/bodies/foreign", response_model=ForeignBodyOut, status_code=201,
             summary="Register a foreign certification body")
def create_foreign_body(item: ForeignBodyIn, db: WriteDB, principal: AuthedPrincipal):
    """Register a foreign certification body by country and home-register id; it gets a code F<country><nnn>
    (regulators). Its certificates are then registered like any body's (POST /api/v1/certificates)."""
    body = register_foreign_body(db, principal=principal, **item.model_dump())
    return {"id": body.id, **body_state(body)}
