"""The standards service: search, a standard's whole story (versions, supersession, equivalences, where it is
used, which labs test to it), and the regulator's upkeep of entries and equivalences."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from certbridge.certificates.effective_status_sql import status_filter
from certbridge.certificates.models import Certificate
from certbridge.errors import InvalidInput, NotFound
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import Lab, LabCapability, Scheme, Standard
from certbridge.registry.schemes import get_scheme
from certbridge.standards.models import DEGREES, StandardEquivalence
from certbridge.standards.numbers import kind_of, number_key, number_key_sql

STATUSES = ("current", "superseded", "withdrawn")


def get_standard(session: Session, standard_id: int) -> Standard:
    """Get a standard version by id."""
    item = session.get(Standard, standard_id)
    if item is None:
        raise NotFound("standard.not_found", id=standard_id)
    return item


def search_standards(session: Session, q: str | None = None, *, status: str | None = None,
                     kind: str | None = None, after_id: int = 0, limit: int = 50) -> list[Standard]:
    """Find standards by a number fragment ("19001", "gbt 19001", "ISO 9001:2015") or a word of the title
    (Chinese or English); newest entries of a number first within id order for paging."""
    stmt = select(Standard).where(Standard.id > after_id)
    text = (q or "").strip()
    if text:
        conditions = [func.lower(Standard.title).contains(text.lower()),
                      func.lower(Standard.title_en).contains(text.lower())]
        key = number_key(text)
        if key:
            conditions.append(number_key_sql(Standard.code + Standard.version).contains(key))
        stmt = stmt.where(or_(*conditions))
    if status:
        if status not in STATUSES:
            raise InvalidInput("standard.status_unknown", field="status", value=status)
        stmt = stmt.where(Standard.status == status)
    items = list(session.scalars(stmt.order_by(Standard.id).limit(limit if not kind else limit * 20)))
    if kind:
        items = [s for s in items if kind_of(s.code) == kind][:limit]
    return items


@dataclass
class StandardStory:
    """Everything the standard's page shows."""

    standard: Standard
    kind: str
    versions: list[Standard]
    superseded_by: Standard | None
    supersedes: list[Standard]
    equivalences: list[tuple[StandardEquivalence, Standard]]  # (note, the other standard)
    schemes: list[Scheme]
    certificates_in_force: int
    labs: list[tuple[Lab, LabCapability]] = field(default_factory=list)


def standard_story(session: Session, standard_id: int, today: date) -> StandardStory:
    """Return a standard with its versions, supersession, equivalences, schemes, certificates and labs."""
    std = get_standard(session, standard_id)
    versions = list(session.scalars(select(Standard).where(Standard.code == std.code).order_by(Standard.version)))
    supersedes = list(session.scalars(select(Standard).where(Standard.superseded_by_id == std.id)))
    pairs = session.execute(
        select(StandardEquivalence, Standard).join(
            Standard, or_((StandardEquivalence.standard_id == std.id) & (Standard.id == StandardEquivalence.foreign_id),
                          (StandardEquivalence.foreign_id == std.id) & (Standard.id == StandardEquivalence.standard_id)))
        .order_by(StandardEquivalence.id)).all()
    scheme_codes = {std.scheme_code} | set(session.scalars(
        select(Certificate.scheme_code).where(Certificate.standard_id == std.id).distinct()))
    schemes = list(session.scalars(select(Scheme).where(Scheme.code.in_(scheme_codes)).order_by(Scheme.code)))
    in_force = session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.standard_id == std.id, status_filter("valid")), {"on": today}) or 0
    labs = session.execute(select(Lab, LabCapability).join(LabCapability, LabCapability.lab_id == Lab.id)
                           .where(LabCapability.standard_id == std.id).order_by(Lab.name, LabCapability.id)).all()
    return StandardStory(std, kind_of(std.code), versions, session.get(Standard, std.superseded_by_id)
                         if std.superseded_by_id else None, supersedes, [(e, s) for e, s in pairs], schemes,
                         in_force, [(lab, cap) for lab, cap in labs])


def standard_state(std: Standard) -> dict[str, Any]:
    """Return a standard's fields as its events record them."""
    return {"code": std.code, "version": std.version, "title": std.title, "title_en": std.title_en,
            "scheme_code": std.scheme_code, "status": std.status, "issuer": std.issuer,
            "published_on": std.published_on.isoformat() if std.published_on else None,
            "withdrawn_on": std.withdrawn_on.isoformat() if std.withdrawn_on else None,
            "transition_deadline": std.transition_deadline.isoformat() if std.transition_deadline else None,
            "superseded_by_id": std.superseded_by_id}


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def save_standard(
    session: Session, *, principal: Principal, code: str, version: str, title: str, scheme_code: str,
    title_en: str | None = None, issuer: str | None = None, published_on: date | None = None,
    status: str = "current", withdrawn_on: date | None = None, supersedes: str | None = None,
    transition_deadline: date | None = None,
) -> tuple[Standard, bool]:
    """Create or update the catalogue entry for number + version; returns (standard, created).

    `supersedes` names the version this one replaces ("2008"): that version becomes superseded, pointing here,
    with the transition deadline. A withdrawn entry needs its withdrawal date.
    """
    require_regulator(principal)
    code, version, title = _clean(code), _clean(version), _clean(title)
    for name, value in (("code", code), ("version", version), ("title", title)):
        if not value:
            raise InvalidInput("field.required", field=name)
    if status not in STATUSES:
        raise InvalidInput("standard.status_unknown", field="status", value=status)
    if status == "withdrawn" and withdrawn_on is None:
        raise InvalidInput("standard.withdrawn_needs_date", field="withdrawn_on")
    scheme = get_scheme(session, scheme_code)
    std = session.scalar(select(Standard).where(Standard.code == code, Standard.version == version))
    created = std is None
    if created:
        std = Standard(code=code, version=version, title=title, scheme_code=scheme.code)
        session.add(std)
    before = {} if created else standard_state(std)
    std.title, std.title_en, std.issuer, std.scheme_code = title, _clean(title_en), _clean(issuer), scheme.code
    std.published_on, std.withdrawn_on = published_on or std.published_on, withdrawn_on
    if std.superseded_by_id is None or status == "withdrawn":
        std.status = status
    session.flush()
    if supersedes:
        old = session.scalar(select(Standard).where(Standard.code == code, Standard.version == supersedes.strip()))
        if old is None:
            raise InvalidInput("standard.supersedes_unknown", field="supersedes", code=code, version=supersedes)
        if old.id == std.id:
            raise InvalidInput("standard.supersedes_itself", field="supersedes", code=code, version=version)
        old_before = standard_state(old)
        old.superseded_by_id, old.transition_deadline = std.id, transition_deadline
        if old.status == "current":
            old.status = "superseded"
        session.flush()
        _record(session, principal, old, old_before, "standard.superseded")
    _record(session, principal, std, before, "standard.published" if created else "standard.updated")
    link_capabilities(session, std)
    return std, created


def _record(session: Session, principal: Principal, std: Standard, before: dict[str, Any], kind: str) -> None:
    changed = {k: v for k, v in standard_state(std).items() if before.get(k, object()) != v}
    if changed:
        record_event(session, type=kind, subject_type="standard", subject_id=std.id, actor=principal.actor,
                     data={"state": changed})


def set_equivalence(session: Session, *, principal: Principal, standard_id: int, foreign_id: int, degree: str,
                    note: str | None = None) -> StandardEquivalence:
    """Record how a Chinese standard corresponds to a foreign or international one (IDT / MOD / NEQ)."""
    require_regulator(principal)
    degree = (degree or "").strip().upper()
    if degree not in DEGREES:
        raise InvalidInput("standard.degree_unknown", field="degree", value=degree)
    std, other = get_standard(session, standard_id), get_standard(session, foreign_id)
    if std.id == other.id:
        raise InvalidInput("standard.equivalent_to_itself", field="foreign_id")
    if kind_of(other.code) not in ("international", "foreign"):
        raise InvalidInput("standard.not_foreign", field="foreign_id", code=other.code)
    item = session.scalar(select(StandardEquivalence).where(StandardEquivalence.standard_id == std.id,
                                                            StandardEquivalence.foreign_id == other.id))
    if item is None:
        item = StandardEquivalence(standard_id=std.id, foreign_id=other.id, degree=degree)
        session.add(item)
    item.degree, item.note = degree, _clean(note)
    session.flush()
    record_event(session, type="standard.equivalence", subject_type="standard", subject_id=std.id,
                 actor=principal.actor, data={"foreign_id": other.id, "foreign_code": f"{other.code}:{other.version}",
                                              "degree": degree, "note": item.note})
    return item


def find_by_number(session: Session, text: str) -> Standard | None:
    """Return the standard a written number names ("GB/T 19001-2016"; without a year: the newest version)."""
    key = number_key(text)
    if not key:
        return None
    exact = session.scalars(select(Standard).where(number_key_sql(Standard.code + Standard.version) == key)
                            .order_by(Standard.id)).first()
    if exact is not None:
        return exact
    return session.scalars(select(Standard).where(number_key_sql(Standard.code) == key)
                           .order_by(Standard.version.desc())).first()


def link_capabilities(session: Session, std: Standard) -> int:
    """Point lab capabilities whose standard text names this standard at it (the version, or the number alone
    when this is its newest version); returns how many were linked."""
    keys = [number_key(std.code + std.version)]
    newest = session.scalar(select(func.max(Standard.version)).where(Standard.code == std.code))
    if newest == std.version:
        keys.append(number_key(std.code))
    result = session.execute(update(LabCapability).where(number_key_sql(LabCapability.standard).in_(keys))
                             .values(standard_id=std.id).execution_options(synchronize_session=False))
    return result.rowcount or 0


__all__ = ["search_standards", "standard_story", "save_standard", "set_equivalence", "find_by_number",
           "link_capabilities", "get_standard", "STATUSES"]
