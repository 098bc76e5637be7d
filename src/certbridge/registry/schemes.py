"""Schemes, standards and certification fields."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import Conflict, InvalidInput, NotFound
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import CertificationField, Scheme, SchemeGrade, Standard


def get_scheme(session: Session, code: str) -> Scheme:
    """Get a scheme by its code."""
    scheme = session.get(Scheme, (code or "").strip().upper())
    if scheme is None:
        raise NotFound("scheme.not_found", code=code)
    return scheme


def define_field(session: Session, *, principal: Principal, code: str, kind: str, name: str, name_en: str) -> CertificationField:
    """Define a certification field bodies can be approved for."""
    require_regulator(principal)
    if kind not in ("product", "service", "system"):
        raise InvalidInput("scheme.kind_unknown", field="kind", kind=kind)
    if session.get(CertificationField, code):
        raise Conflict("field.code_taken", field="code", value=code)
    item = CertificationField(code=code, kind=kind, name=name, name_en=name_en)
    session.add(item)
    session.flush()
    record_event(session, type="field.defined", subject_type="field", subject_id=code, actor=principal.actor,
                 data={"state": {"kind": kind, "name": name, "name_en": name_en}})
    return item


def define_scheme(
    session: Session, *, principal: Principal, code: str, name: str, name_en: str, kind: str, field_code: str,
    mandatory: bool = False, validity_years: int = 3, max_suspension_months: int = 6,
    surveillance_interval_months: int = 12, number_pattern: str | None = None,
) -> Scheme:
    """Define a scheme with its configurable rules (validity, suspension maximum, surveillance)."""
    require_regulator(principal)
    code = code.strip().upper()
    if session.get(Scheme, code):
        raise Conflict("scheme.code_taken", field="code", value=code)
    if session.get(CertificationField, field_code) is None:
        raise InvalidInput("body.field_unknown", field="field_code", codes=field_code)
    for name_, value, low, high in (("validity_years", validity_years, 1, 10),
                                    ("max_suspension_months", max_suspension_months, 1, 24),
                                    ("surveillance_interval_months", surveillance_interval_months, 1, 36)):
        if not low <= value <= high:
            raise InvalidInput("field.range", field=name_, min=low, max=high)
    scheme = Scheme(code=code, name=name, name_en=name_en, kind=kind, field_code=field_code, mandatory=mandatory,
                    validity_years=validity_years, max_suspension_months=max_suspension_months,
                    surveillance_interval_months=surveillance_interval_months, number_pattern=number_pattern)
    session.add(scheme)
    session.flush()
    record_event(session, type="scheme.defined", subject_type="scheme", subject_id=code, actor=principal.actor,
                 data={"state": {"name": name, "kind": kind, "field_code": field_code,
                                 "validity_years": validity_years, "max_suspension_months": max_suspension_months}})
    return scheme


def publish_standard(
    session: Session, *, principal: Principal, scheme_code: str, code: str, version: str, title: str,
    published_on: date | None = None, supersedes_id: int | None = None, transition_deadline: date | None = None,
) -> Standard:
    """Publish a standard version; a superseded version gets its transition deadline."""
    require_regulator(principal)
    get_scheme(session, scheme_code)
    if session.scalar(select(Standard.id).where(Standard.code == code, Standard.version == version)):
        raise Conflict("standard.taken", field="version", code=code, version=version)
    std = Standard(scheme_code=scheme_code.upper(), code=code, version=version, title=title, published_on=published_on)
    session.add(std)
    session.flush()
    if supersedes_id is not None:
        old = session.get(Standard, supersedes_id)
        if old is None:
            raise InvalidInput("standard.not_found", field="supersedes_id", id=supersedes_id)
        old.superseded_by_id, old.transition_deadline = std.id, transition_deadline
        if old.status == "current":
            old.status = "superseded"
    session.flush()
    record_event(session, type="standard.published", subject_type="standard", subject_id=std.id,
                 actor=principal.actor, data={"state": {"scheme_code": std.scheme_code, "code": code,
                                                        "version": version, "title": title,
                                                        "supersedes_id": supersedes_id,
                                                        "transition_deadline": transition_deadline}})
    return std


def find_standard(session: Session, scheme_code: str, code: str, version: str | None) -> Standard | None:
    """Find a standard of a scheme by its code and version (newest version when none is given)."""
    stmt = select(Standard).where(Standard.scheme_code == scheme_code, Standard.code == code)
    if version:
        stmt = stmt.where(Standard.version == version)
    return session.scalars(stmt.order_by(Standard.version.desc())).first()


GRADE_KINDS = ("grade", "sector")


def define_grade(session: Session, *, principal: Principal, scheme_code: str, code: str, name: str, name_en: str,
                 kind: str = "grade", rank: int = 0) -> SchemeGrade:
    """Define a grade (a level of a graded certification) or a sector variant of a scheme."""
    require_regulator(principal)
    scheme = get_scheme(session, scheme_code)
    code = (code or "").strip().upper()
    if not code:
        raise InvalidInput("field.required", field="code")
    if not (name or "").strip():
        raise InvalidInput("field.required", field="name")
    if kind not in GRADE_KINDS:
        raise InvalidInput("grade.kind_unknown", field="kind", value=kind)
    if session.get(SchemeGrade, (scheme.code, code)):
        raise Conflict("grade.taken", field="code", scheme=scheme.code, code=code)
    item = SchemeGrade(scheme_code=scheme.code, code=code, name=name.strip(), name_en=(name_en or name).strip(),
                       kind=kind, rank=rank)
    scheme.grades.append(item)
    session.flush()
    record_event(session, type="scheme.grade_defined", subject_type="scheme", subject_id=scheme.code,
                 actor=principal.actor, data={"grade": {"code": code, "name": item.name, "name_en": item.name_en,
                                                        "kind": kind, "rank": rank}})
    return item


def scheme_grades(session: Session) -> dict[str, dict[str, SchemeGrade]]:
    """Return every scheme's grades and sector variants by code."""
    out: dict[str, dict[str, SchemeGrade]] = {}
    for grade in session.scalars(select(SchemeGrade)):
        out.setdefault(grade.scheme_code, {})[grade.code] = grade
    return out


def check_grade(grades: dict[str, dict[str, SchemeGrade]], scheme_code: str, grade: str | None,
                field: str = "grade") -> str | None:
    """Return the grade code a certificate of the scheme may carry (None when none is given)."""
    grade = (grade or "").strip().upper()
    if not grade:
        return None
    offered = grades.get(scheme_code, {})
    if not offered:
        raise InvalidInput("grade.not_offered", field=field, scheme=scheme_code, grade=grade)
    if grade not in offered:
        raise InvalidInput("grade.unknown", field=field, scheme=scheme_code, grade=grade, known=", ".join(offered))
    return grade
