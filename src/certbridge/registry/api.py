"""Registry endpoints: organizations, bodies, labs, people, schemes, standards, regions, restrictions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query, Request
from sqlalchemy import select

from certbridge.api.deps import AuthedPrincipal, CurrentPrincipal, Lang, ReadDB, WriteDB
from certbridge.api.pagination import Page, decode_cursor, next_cursor
from certbridge.api.params import Id, IdFilter, IdQuery
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.errors import NotFound
from certbridge.i18n.catalog import render
from certbridge.kit.uscc import validate_uscc
from certbridge.registry import bodies, labs, people, restrictions, schemes, service
from certbridge.registry.identity import fingerprint, identity_key, with_legal_rep_fingerprint
from certbridge.registry.models import (
    CertificationBody,
    Lab,
    Organization,
    Person,
    Region,
    Scheme,
    Standard,
)
from certbridge.registry.schemas import (
    BodyIn,
    BodyOut,
    BodyPatch,
    BodyStatusIn,
    GradeIn,
    IdDocumentIn,
    LabIn,
    LabOut,
    LabPatch,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    PersonIn,
    PersonOut,
    RegionOut,
    RegistrationIO,
    RestrictionIn,
    RestrictionOut,
    RevokeRegistrationIn,
    SchemeOut,
    StandardIn,
    StandardOut,
    UsccCheckOut,
)
from certbridge.registry.search import search_organization_ids
from certbridge.registry.snapshots import body_state, lab_state

router = APIRouter(prefix="/api/v1", tags=["registry"], responses=PROBLEM_RESPONSES)
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=200)]


def organization_view(db, org: Organization) -> dict[str, Any]:
    """Return an organization's public view with its list flags."""
    flags = [r.kind for r in restrictions.active_restrictions(db, "organization", org.id, date.today(),
                                                              ("dishonesty_list", "permanent_exit"))]
    return {"id": org.id, "name": org.name, "name_en": org.name_en, "uscc": org.uscc,
            "uscc_needs_check": org.uscc_needs_check, "address": org.address, "region_code": org.region_code,
            "industry": org.industry, "merged_into_id": org.merged_into_id,
            "identifiers": [{"scheme": i.scheme, "value": i.value} for i in org.identifiers], "flags": flags}


def body_view(body: CertificationBody) -> dict[str, Any]:
    """Return a body's public view."""
    return {"id": body.id, **body_state(body)}


def lab_view(lab: Lab) -> dict[str, Any]:
    """Return a lab's public view."""
    state = lab_state(lab)
    state["capabilities"] = [{"category": c, "item": i, "standard": s} for c, i, s in state["capabilities"]]
    return {"id": lab.id, **state}


def person_view(person: Person) -> dict[str, Any]:
    """Return a person's directory view."""
    return {"id": person.id, "name": person.name, "kind": person.kind, "body_id": person.body_id,
            "employer": person.employer, "region_code": person.region_code,
            "registrations": [{"number": r.number, "field": r.field, "level": r.level, "status": r.status,
                               "valid_until": r.valid_until} for r in person.registrations]}


@router.get("/uscc/{code}", response_model=UsccCheckOut, summary="Check a 统一社会信用代码")
def check_uscc_code(code: Annotated[str, Path(min_length=1, max_length=40)], lang: Lang):
    """Validate a 统一社会信用代码 and explain every problem."""
    result = validate_uscc(code)
    return {"code": result.code, "status": result.status,
            "messages": [render(p.code, lang, **p.params) for p in result.problems],
            "warnings": [render(w.code, lang, **w.params) for w in result.warnings]}


@router.get("/organizations", response_model=Page[OrganizationOut], summary="Search organizations")
def list_organizations(db: ReadDB, q: Annotated[str | None, Query(max_length=100)] = None,
                       uscc: Annotated[str | None, Query(max_length=40)] = None,
                       cursor: Cursor = None, limit: Limit = 20):
    """Find organizations by name substring or USCC."""
    after = decode_cursor(cursor)
    if uscc:
        org = service.find_organization_by_uscc(db, uscc)
        orgs = [org] if org and org.id > after else []
    elif q:
        ids = search_organization_ids(db, q, limit=limit, after_id=after)
        orgs = list(db.scalars(select(Organization).where(Organization.id.in_(ids)).order_by(Organization.id)))
    else:
        orgs = list(db.scalars(select(Organization).where(Organization.id > after).order_by(Organization.id).limit(limit)))
    return {"items": [organization_view(db, o) for o in orgs], "next_cursor": next_cursor([o.id for o in orgs], limit)}


@router.get("/organizations/{organization_id}", response_model=OrganizationOut, summary="Read an organization")
def read_organization(organization_id: Id, db: ReadDB):
    """Return an organization."""
    return organization_view(db, service.get_organization(db, organization_id))


@router.post("/organizations", response_model=OrganizationOut, status_code=201, summary="Register an organization")
def create_organization(item: OrganizationIn, db: WriteDB, principal: AuthedPrincipal):
    """Register an organization (regulators)."""
    org = service.register_organization(
        db, principal=principal, name=item.name, uscc=item.uscc, address=item.address, region_code=item.region_code,
        name_en=item.name_en, industry=item.industry, identifiers=[(i.scheme, i.value) for i in item.identifiers])
    return organization_view(db, org)


@router.patch("/organizations/{organization_id}", response_model=OrganizationOut, summary="Change an organization")
def patch_organization(organization_id: Id, patch: OrganizationPatch, db: WriteDB, principal: AuthedPrincipal):
    """Change an organization's particulars (regulators)."""
    changes = patch.model_dump(exclude_unset=True)
    if "identifiers" in changes and changes["identifiers"] is not None:
        changes["identifiers"] = [(i["scheme"], i["value"]) for i in changes["identifiers"]]
    org = service.update_organization(db, principal=principal, organization_id=organization_id, changes=changes)
    return organization_view(db, org)


@router.get("/bodies", response_model=Page[BodyOut], summary="Directory of certification bodies")
def list_bodies(db: ReadDB, status: Annotated[str | None, Query(max_length=12)] = None,
                cursor: Cursor = None, limit: Limit = 50):
    """List certification bodies."""
    stmt = select(CertificationBody).where(CertificationBody.id > decode_cursor(cursor))
    if status:
        stmt = stmt.where(CertificationBody.status == status)
    items = list(db.scalars(stmt.order_by(CertificationBody.id).limit(limit)))
    return {"items": [body_view(b) for b in items], "next_cursor": next_cursor([b.id for b in items], limit)}


@router.get("/bodies/{body_id}", response_model=BodyOut, summary="Read a certification body")
def read_body(body_id: Id, db: ReadDB):
    """Return a certification body."""
    return body_view(bodies.get_body(db, body_id))


@router.post("/bodies", response_model=BodyOut, status_code=201, summary="Approve a certification body")
def create_body(item: BodyIn, db: WriteDB, principal: AuthedPrincipal, request: Request):
    """Record a body's approval (regulators); a permanently exited USCC or legal representative is refused."""
    data = with_legal_rep_fingerprint(request.app.state.settings, item.model_dump())
    return body_view(bodies.approve_body(db, principal=principal, **data))


@router.patch("/bodies/{body_id}", response_model=BodyOut, summary="Change a certification body")
def patch_body(body_id: Id, patch: BodyPatch, db: WriteDB, principal: AuthedPrincipal):
    """Change a body's particulars or approved fields (regulators)."""
    return body_view(bodies.change_body(db, principal=principal, body_id=body_id,
                                        changes=patch.model_dump(exclude_unset=True)))


@router.post("/bodies/{body_id}/status", response_model=BodyOut, summary="Suspend, restore or revoke an approval")
def set_body_status(body_id: Id, item: BodyStatusIn, db: WriteDB, principal: AuthedPrincipal):
    """Change a body's approval status (regulators)."""
    return body_view(bodies.set_body_status(db, principal=principal, body_id=body_id, status=item.status,
                                            reason=item.reason, on=item.on))


@router.get("/labs", response_model=Page[LabOut], summary="Directory of labs")
def list_labs(db: ReadDB, cursor: Cursor = None, limit: Limit = 50):
    """List qualified labs."""
    items = list(db.scalars(select(Lab).where(Lab.id > decode_cursor(cursor)).order_by(Lab.id).limit(limit)))
    return {"items": [lab_view(x) for x in items], "next_cursor": next_cursor([x.id for x in items], limit)}


@router.get("/labs/{lab_id}", response_model=LabOut, summary="Read a lab")
def read_lab(lab_id: Id, db: ReadDB):
    """Return a lab."""
    return lab_view(labs.get_lab(db, lab_id))


@router.post("/labs", response_model=LabOut, status_code=201, summary="Record a lab's qualification")
def create_lab(item: LabIn, db: WriteDB, principal: AuthedPrincipal):
    """Record a lab's 资质认定 (regulators)."""
    data = item.model_dump()
    return lab_view(labs.qualify_lab(db, principal=principal, **data))


@router.patch("/labs/{lab_id}", response_model=LabOut, summary="Update a lab")
def patch_lab(lab_id: Id, patch: LabPatch, db: WriteDB, principal: AuthedPrincipal):
    """Update a lab's record (its operator; status and validity: regulators)."""
    return lab_view(labs.update_lab(db, principal=principal, lab_id=lab_id,
                                    changes=patch.model_dump(exclude_unset=True)))


@router.get("/people", response_model=Page[PersonOut], summary="Directory of auditors and inspectors")
def list_people(db: ReadDB, principal: CurrentPrincipal, kind: Annotated[str | None, Query(max_length=12)] = None,
                body_id: IdFilter = None, cursor: Cursor = None,
                limit: Limit = 50):
    """List people (auditors are public; inspectors only to regulators)."""
    stmt = select(Person).where(Person.id > decode_cursor(cursor))
    if not principal.is_regulator:
        stmt = stmt.where(Person.kind == "auditor")
    if kind:
        stmt = stmt.where(Person.kind == kind)
    if body_id:
        stmt = stmt.where(Person.body_id == body_id)
    items = list(db.scalars(stmt.order_by(Person.id).limit(limit)))
    return {"items": [person_view(p) for p in items], "next_cursor": next_cursor([p.id for p in items], limit)}


@router.get("/people/{person_id}", response_model=PersonOut, summary="Read a person")
def read_person(person_id: Id, db: ReadDB, principal: CurrentPrincipal):
    """Return a person (inspectors only to regulators)."""
    person = people.get_person(db, person_id)
    if person.kind != "auditor" and not principal.is_regulator:
        raise NotFound("person.not_found", id=person_id)
    return person_view(person)


@router.post("/people", response_model=PersonOut, status_code=201, summary="Register a person")
def create_person(item: PersonIn, db: WriteDB, principal: AuthedPrincipal, request: Request):
    """Register an auditor, inspector or expert (regulators); a barred or banned identity is refused."""
    data = item.model_dump()
    id_number = data.pop("id_number")
    data["id_fingerprint"] = fingerprint(identity_key(request.app.state.settings), id_number) if id_number else None
    return person_view(people.register_person(db, principal=principal, **data))


@router.put("/people/{person_id}/id-document", response_model=PersonOut, summary="Record a person's ID document")
def put_id_document(person_id: Id, item: IdDocumentIn, db: WriteDB, principal: AuthedPrincipal, request: Request):
    """Record the ID document of a person registered without one (regulators); kept only as a keyed hash."""
    return person_view(people.record_id_document(
        db, principal=principal, person_id=person_id,
        id_fingerprint=fingerprint(identity_key(request.app.state.settings), item.id_number)))


@router.post("/people/{person_id}/registrations", response_model=PersonOut, status_code=201,
             summary="Add a registration")
def add_registration(person_id: Id, item: RegistrationIO, db: WriteDB, principal: AuthedPrincipal):
    """Add a registration to a person (regulators)."""
    return person_view(people.add_registration(db, principal=principal, person_id=person_id,
                                               registration=item.model_dump()))


@router.post("/registrations/{number}/revoke", response_model=PersonOut, summary="Revoke a registration")
def revoke_registration(number: Annotated[str, Path(min_length=1, max_length=40)], item: RevokeRegistrationIn,
                        db: WriteDB, principal: AuthedPrincipal):
    """Revoke a person's registration (regulators)."""
    return person_view(people.revoke_registration(db, principal=principal, number=number, reason=item.reason))


@router.get("/schemes", response_model=list[SchemeOut], summary="Schemes and their rules")
def list_schemes(db: ReadDB):
    """List certification schemes with their configurable rules."""
    return list(db.scalars(select(Scheme).order_by(Scheme.code)))


@router.post("/schemes/{code}/grades", response_model=SchemeOut, status_code=201, summary="Define a grade")
def post_grade(code: Annotated[str, Path(max_length=20)], item: GradeIn, db: WriteDB, principal: AuthedPrincipal):
    """Define a grade (level of a graded certification) or sector variant of a scheme (regulators)."""
    schemes.define_grade(db, principal=principal, scheme_code=code, **item.model_dump())
    return schemes.get_scheme(db, code)


@router.get("/standards", response_model=list[StandardOut], summary="Standards and versions")
def list_standards(db: ReadDB, scheme: Annotated[str | None, Query(max_length=20)] = None):
    """List standards, optionally of one scheme."""
    stmt = select(Standard).order_by(Standard.scheme_code, Standard.code, Standard.version)
    if scheme:
        stmt = stmt.where(Standard.scheme_code == scheme.upper())
    return list(db.scalars(stmt))


@router.post("/standards", response_model=StandardOut, status_code=201, summary="Publish a standard version")
def create_standard(item: StandardIn, db: WriteDB, principal: AuthedPrincipal):
    """Publish a standard version, optionally superseding an older one (regulators)."""
    return schemes.publish_standard(db, principal=principal, **item.model_dump())


@router.get("/regions", response_model=list[RegionOut], summary="Administrative regions (GB/T 2260)")
def list_regions(db: ReadDB, parent: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None):
    """List provinces, or the regions directly under a parent code."""
    stmt = select(Region).order_by(Region.code)
    stmt = stmt.where(Region.parent_code == parent) if parent else stmt.where(Region.level == "province")
    return list(db.scalars(stmt))


@router.get("/restrictions", response_model=list[RestrictionOut], summary="Bars in force on a subject")
def list_restrictions(db: ReadDB, subject_type: Annotated[str, Query(pattern="^(body|person|organization)$")],
                      subject_id: IdQuery):
    """List the bars in force today on a body, person or organization."""
    return restrictions.active_restrictions(db, subject_type, subject_id, date.today())


@router.post("/restrictions", response_model=RestrictionOut, status_code=201, summary="Impose a bar")
def create_restriction(item: RestrictionIn, db: WriteDB, principal: AuthedPrincipal):
    """Bar a person, list an organization or block a re-application (regulators)."""
    return restrictions.impose_restriction(db, principal=principal, **item.model_dump())


@router.post("/restrictions/{restriction_id}/lift", response_model=RestrictionOut, summary="Lift a bar early")
def lift(restriction_id: Id, item: RevokeRegistrationIn, db: WriteDB, principal: AuthedPrincipal):
    """Lift a bar early (regulators)."""
    return restrictions.lift_restriction(db, principal=principal, restriction_id=restriction_id, on=date.today(),
                                         reason=item.reason)


