"""Public verification: what a buyer learns when checking a certificate, with the exact not-found case.

The public view of certificates comes from one SQL statement (certificate, its body, its holder and the
holder's list entries in force) built with SQLAlchemy Core, compiled once per database dialect and run on
the session's own connection — no ORM objects on this path, which is the busiest one of the public site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from certbridge.accreditation.coverage import accreditation_of, accreditation_view, scope_text_column
from certbridge.accreditation.models import AccreditationBody
from certbridge.certificates.effective_status import (
    ENDED_BODY_STATUSES,
    facts_from_values,
    facts_of,
    final_reason,
    plainly_final,
    plainly_valid,
    verdict,
)
from certbridge.certificates.models import Certificate, StatusFactsVersion
from certbridge.certificates.status_facts import StatusFacts, facts_at, facts_at_async
from certbridge.certificates.status_context import HOLDER_FLAG_KINDS
from certbridge.db import compiled_once, driver_arguments, session_driver
from certbridge.kit.dates import today
from certbridge.kit.text_input import normalize_identifier
from certbridge.registry.bodies import find_body
from certbridge.registry.models import CertificationBody, Organization, RegionalBrand, Restriction, Scheme, Standard
from certbridge.registry.restrictions import active_restrictions

# outcome: valid | not_valid | not_found ; reason explains which case it is.


@dataclass
class Verification:
    """The answer to "is this certificate real and valid now?"."""

    outcome: str
    reason: str
    query: dict[str, Any]
    certificates: list[dict[str, Any]] = field(default_factory=list)


def _iso(value: Any) -> str | None:
    """Return a date as YYYY-MM-DD (SQLite hands dates back as that text already, PostgreSQL as dates)."""
    if value is None or type(value) is str:
        return value
    return value.isoformat()


def public_certificate(session: Session, cert: Certificate, body: CertificationBody, org: Organization | None,
                       on: date) -> dict[str, Any]:
    """Return the public view of a certificate with its effective status and list flags (from loaded objects)."""
    holder_flags = []
    if org is not None:
        holder_flags = [r.kind for r in active_restrictions(session, "organization", org.id, on, HOLDER_FLAG_KINDS)]
    standard = session.get(Standard, cert.standard_id) if cert.standard_id else None
    scheme = session.get(Scheme, cert.scheme_code)
    result = verdict(facts_of(cert, body, org, standard, scheme, holder_flags), on)
    return {
        "id": cert.id,
        "number": cert.number,
        "status": result.status,
        "status_reason": result.status_reason,
        "status_changed_on": result.since.isoformat(),
        "suspended_until": cert.suspended_until.isoformat() if cert.suspended_until else None,
        "valid_now": result.valid,
        "recorded_status": cert.status,
        "reasons": [r.as_dict() for r in result.reasons],
        "scheme": cert.scheme_code,
        "grade": cert.grade,
        "issued_on": cert.issued_on.isoformat(),
        "expires_on": cert.expires_on.isoformat(),
        "cycle": cert.cycle,
        "scope": cert.scope,
        "holder": {
            "name": cert.holder_name,
            "uscc": org.uscc if org else None,
            "organization_id": cert.organization_id,
            "region_code": cert.region_code,
            "flags": holder_flags,
            "country": org.country if org else None,
        },
        "body": {
            "id": body.id,
            "code": body.code,
            "name": body.name,
            "approval_number": body.approval_number,
            "status": body.status,
            "country": body.country,
        },
        "country": cert.country,
        "accreditation": accreditation_of(session, cert.accreditation_body_id, cert.accreditation_number,
                                          scheme.kind, cert.scheme_code, on),
        "brand": _brand(session.get(RegionalBrand, cert.brand_code) if cert.brand_code else None),
    }


def _brand(brand: RegionalBrand | None) -> dict[str, Any] | None:
    return {"code": brand.code, "name": brand.name, "name_en": brand.name_en} if brand else None


# --- the one-statement public view -------------------------------------------------------------------------

_C, _O, _R, _V = (Certificate.__table__, Organization.__table__, Restriction.__table__,
                  StatusFactsVersion.__table__)
_B, _T = CertificationBody.__table__, Scheme.__table__
_A, _RB = AccreditationBody.__table__, RegionalBrand.__table__
_ON = bindparam("on", None)  # values are given at run time; None keeps them optional when compiling
# Rows: the certificate (0–15, with its body and standard ids), holder USCC (16), a list entry in force (17), the
# USCC check flag (18), the grade (19), then the version of the body, standard and scheme facts in this snapshot
# (20), which `status_facts` serves from memory (what the effective status needs beyond the row: see
# effective_status.Facts), then what international recognition adds (21–31: accreditation body, number and
# deciding scope, country abroad, brand, body's and holder's countries). Columns a statement adds come after these.
_COLUMNS = (_C.c.id, _C.c.number, _C.c.status, _C.c.status_reason, _C.c.status_changed_on, _C.c.suspended_until,
            _C.c.scheme_code, _C.c.issued_on, _C.c.expires_on, _C.c.cycle, _C.c.scope, _C.c.holder_name,
            _C.c.organization_id, _C.c.region_code, _C.c.body_id, _C.c.standard_id, _O.c.uscc, _R.c.kind,
            _O.c.uscc_needs_check, _C.c.grade, select(_V.c.version).where(_V.c.id == 1).scalar_subquery(),
            _A.c.code, _A.c.name, _A.c.name_en, _C.c.accreditation_number, scope_text_column(_C, _T), _C.c.country,
            _RB.c.code, _RB.c.name, _RB.c.name_en,
            select(_B.c.country).where(_B.c.id == _C.c.body_id).scalar_subquery(), _O.c.country)
FACTS_VERSION = 20
_FROM = (
    _C.outerjoin(_O, _O.c.id == _C.c.organization_id)
    .outerjoin(_A, _A.c.id == _C.c.accreditation_body_id)
    .outerjoin(_RB, _RB.c.code == _C.c.brand_code)
    .outerjoin(_R, and_(_R.c.subject_type == "organization", _R.c.subject_id == _O.c.id,
                        _R.c.kind.in_(HOLDER_FLAG_KINDS), _R.c.starts_on <= _ON,
                        or_(_R.c.ends_on.is_(None), _R.c.ends_on >= _ON),
                        or_(_R.c.lifted_on.is_(None), _R.c.lifted_on > _ON)))
)


def public_view_select(where, *order_by):
    """Return the Core statement of public views: one row per certificate and holder list entry in force.

    Bind `on` (the date the answer is for). Rows come in `order_by` order, then by list entry, so
    `public_views_from_rows` can fold them back into one view per certificate.
    """
    return select(*_COLUMNS).select_from(_FROM).where(where).order_by(*order_by, _R.c.id)


_STATEMENTS = {
    "number": public_view_select(_C.c.number == bindparam("number", None), _C.c.id),
    "number_body": public_view_select(
        and_(_C.c.number == bindparam("number", None), _C.c.body_id == bindparam("body_id", None)), _C.c.id),
    "holder": public_view_select(_C.c.organization_id == bindparam("organization_id", None), _C.c.issued_on.desc(),
                                 _C.c.id),
}


def _statement(dialect, key: str):
    """Return a public-view statement compiled for a dialect (once)."""
    return compiled_once(dialect, ("public_view", key), lambda: _STATEMENTS[key], inline_constants=True)


def _run(session: Session, key: str, **params: Any) -> list[tuple]:
    """Run a compiled public-view statement on the session's connection (inside its transaction)."""
    return _run_on(*session_driver(session), key, params)


def _run_on(driver, dialect, key: str, params: dict[str, Any]) -> list[tuple]:
    sql, args = driver_arguments(dialect, _statement(dialect, key), params)
    return driver.execute(sql, args).fetchall()


def public_views_from_rows(rows: Iterable[tuple], on: date, facts: StatusFacts) -> list[dict[str, Any]]:
    """Fold public-view rows into one view per certificate (the shape of `public_certificate`).

    Rows come grouped by certificate (one per holder list entry in force, see `public_view_select`); `facts` are
    the body, standard and scheme facts at the rows' version (`views_on_session` and the others find them).
    """
    rows = rows if isinstance(rows, list) else list(rows)
    views: list[dict[str, Any]] = []
    on_text = on.isoformat()
    count, i = len(rows), 0
    while i < count:
        row = rows[i]
        flags = [] if row[17] is None else [row[17]]
        i += 1
        while i < count and rows[i][0] == row[0]:  # the holder's other list entries
            if rows[i][17] is not None:
                flags.append(rows[i][17])
            i += 1
        views.append(_public_view(row, flags, on, on_text, facts))
    return views


def views_on_session(session: Session, rows: list[tuple], on: date) -> list[dict[str, Any]]:
    """Return the public views of rows read in the session's transaction."""
    if not rows:
        return []
    return public_views_from_rows(rows, on, facts_at(session_driver(session)[0], rows[0][FACTS_VERSION]))


def _public_view(row: tuple, flags: list[str], on: date, on_text: str, facts: StatusFacts) -> dict[str, Any]:
    """Return one certificate's public view from its row, its holder's list entries in force and the facts."""
    body_code, body_name, approval, body_status, body_on, body_until, body_until_text = facts.bodies[row[14]]
    superseded = facts.standards.get(row[15]) if row[15] is not None else None
    if type(row[7]) is str:  # SQLite gives dates as ISO text (which orders the same): used as they are
        day, changed, suspended, issued, expires = on_text, row[4], row[5], row[7], row[8]
        until = body_until_text
    else:
        day, changed, suspended, issued, expires = on, _iso(row[4]), _iso(row[5]), _iso(row[7]), _iso(row[8])
        until = body_until
    if plainly_valid(row[2], body_status, superseded, row[18], flags, row[7], row[8], until, day):
        status, status_reason, since, valid, reasons = "valid", row[3], changed, True, []
    elif plainly_final(row[2], row[3], row[18], flags):
        status, status_reason, since, valid, reasons = row[2], row[3], changed, False, [
            final_reason(row[2], changed, row[3])]
    else:
        result = verdict(facts_from_values(
            status=row[2], status_changed_on=row[4], issued_on=row[7], expires_on=row[8], suspended_until=row[5],
            status_reason=row[3], body_status=body_status, body_status_on=body_on, body_valid_until=body_until,
            grace_months=facts.grace_months.get(row[6]) if body_status in ENDED_BODY_STATUSES else None,
            standard=superseded[0] if superseded else None, standard_deadline=superseded[1] if superseded else None,
            uscc=row[16], uscc_needs_check=row[18], holder_flags=flags), on)
        status, status_reason, since, valid = result.status, result.status_reason, result.since.isoformat(), result.valid
        reasons = [r.as_dict() for r in result.reasons]
    return {
        "id": row[0], "number": row[1], "suspended_until": suspended, "scheme": row[6], "grade": row[19],
        "issued_on": issued,
        "expires_on": expires, "cycle": row[9], "scope": row[10],
        "holder": {"name": row[11], "uscc": row[16], "organization_id": row[12], "region_code": row[13],
                   "flags": flags, "country": row[31]},
        "body": {"id": row[14], "code": body_code, "name": body_name, "approval_number": approval,
                 "status": body_status, "country": row[30]},
        "status": status, "status_reason": status_reason, "status_changed_on": since, "valid_now": valid,
        "recorded_status": row[2], "reasons": reasons, "country": row[26],
        "accreditation": accreditation_view(row[21], row[22], row[23], row[24], row[25], on),
        "brand": {"code": row[27], "name": row[28], "name_en": row[29]} if row[27] else None,
    }


def _answer(query: dict[str, Any], views: list[dict[str, Any]]) -> Verification:
    if any(v["valid_now"] for v in views):
        valid = [v for v in views if v["valid_now"]]
        if any(v["holder"]["flags"] for v in valid):
            return Verification("valid", "holder_listed", query, views)
        warned = any(v["reasons"] for v in valid)  # e.g. body revoked (grace), standard superseded, USCC unchecked
        return Verification("valid", "valid_with_warnings" if warned else "valid", query, views)
    return Verification("not_valid", views[0]["status"] if len(views) == 1 else "none_valid", query, views)


def verify_number(session: Session, number: str, body_ref: str | None = None, *, on: date | None = None) -> Verification:
    """Verify a certificate number, optionally from a named body."""
    on = on or today()
    number = normalize_identifier(number or "", upper=True)
    query = {"number": number, "body": body_ref}
    if body_ref:
        body = find_body(session, body_ref)
        if body is None:
            return Verification("not_found", "unknown_body", query)
        key, missing = "number_body", "no_such_number_from_body"
        params = {"number": number, "body_id": body.id, "on": on}
    else:
        key, params, missing = "number", {"number": number, "on": on}, "no_such_number"
    driver, dialect = session_driver(session)  # asked for once: the facts below are read on the same connection
    rows = _run_on(driver, dialect, key, params)
    if not rows:
        return Verification("not_found", missing, query)
    return _answer(query, public_views_from_rows(rows, on, facts_at(driver, rows[0][FACTS_VERSION])))


def verify_number_on(driver_connection, dialect, number: str, *, on: date | None = None) -> Verification:
    """`verify_number` without a body, on a DBAPI connection: one statement, which reads one snapshot on its own.

    For the public API's hot path, where a Session and its transaction would cost more than the query.
    """
    on = on or today()
    number = normalize_identifier(number or "", upper=True)
    sql, args = driver_arguments(dialect, _statement(dialect, "number"), {"number": number, "on": on})
    rows = driver_connection.execute(sql, args).fetchall()
    return _number_answer(number, on, rows, facts_at(driver_connection, rows[0][FACTS_VERSION]) if rows else None)


async def verify_number_async(async_connection, dialect, number: str, *, on: date | None = None) -> Verification:
    """`verify_number_on` over a psycopg `AsyncConnection`: the same statement, awaited on the event loop."""
    on = on or today()
    number = normalize_identifier(number or "", upper=True)
    cursor = await async_connection.execute(*driver_arguments(dialect, _statement(dialect, "number"),
                                                             {"number": number, "on": on}))
    rows = await cursor.fetchall()
    facts = await facts_at_async(async_connection, rows[0][FACTS_VERSION]) if rows else None
    return _number_answer(number, on, rows, facts)


def _number_answer(number: str, on: date, rows: list[tuple], facts: StatusFacts | None) -> Verification:
    query = {"number": number, "body": None}
    if not rows:
        return Verification("not_found", "no_such_number", query)
    return _answer(query, public_views_from_rows(rows, on, facts))


def verify_number_pooled(engine: Engine, number: str, *, on: date | None = None) -> Verification:
    """`verify_number_on` a connection borrowed from the engine's pool and given back (reset) at once."""
    raw = engine.raw_connection()
    try:
        return verify_number_on(raw.driver_connection, engine.dialect, number, on=on)
    finally:
        raw.close()


def verify_holder(session: Session, uscc: str, *, on: date | None = None) -> Verification:
    """Verify what certificates an organization holds, by its 统一社会信用代码."""
    on = on or today()
    uscc = normalize_identifier(uscc or "", upper=True)
    query = {"uscc": uscc}
    org_id = session.scalar(select(Organization.id).where(Organization.uscc == uscc))
    if org_id is None:
        return Verification("not_found", "unknown_organization", query)
    rows = _run(session, "holder", organization_id=org_id, on=on)
    if not rows:
        return Verification("not_found", "organization_has_no_certificates", query)
    return _answer(query, views_on_session(session, rows, on))
