"""Keeping the accreditation bodies current (regulators) and checking a certificate's accreditation against them."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from certbridge.accreditation.coverage import matching_scope
from certbridge.accreditation.models import ARRANGEMENTS, MAIN_SCOPES, SUB_SCOPES, AccreditationBody, AccreditationScope
from certbridge.errors import InvalidInput, NotFound, ValidationErrors
from certbridge.registry.countries import check_country
from certbridge.kit.dates import iso_or_none
from certbridge.kit.tabular import TableError, read_table
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


def list_accreditation_bodies(session: Session) -> list[AccreditationBody]:
    """Return every accreditation body with its scopes, by code."""
    return list(session.scalars(select(AccreditationBody).options(selectinload(AccreditationBody.scopes))
                                .order_by(AccreditationBody.code)))


def find_accreditation_body(session: Session, code: str) -> AccreditationBody | None:
    """Return an accreditation body by its code (CNAS, UKAS …), or None."""
    return session.scalar(select(AccreditationBody).where(AccreditationBody.code == (code or "").strip().upper()))


def code_of(session: Session, body_id: int | None) -> str | None:
    """Return an accreditation body's code by its id (None for None)."""
    return session.get(AccreditationBody, body_id).code if body_id else None


def get_accreditation_body(session: Session, code: str) -> AccreditationBody:
    """Return an accreditation body by its code or raise NotFound."""
    body = find_accreditation_body(session, code)
    if body is None:
        raise NotFound("accreditation.body_not_found", code=code)
    return body


def _scope(index: int, item: dict[str, Any]) -> AccreditationScope:
    where = f"scopes[{index}]"
    main = str(item.get("main_scope") or "").strip()
    if main not in MAIN_SCOPES:
        raise InvalidInput("accreditation.main_scope", field=f"{where}.main_scope", value=main,
                           allowed=", ".join(MAIN_SCOPES))
    sub = str(item.get("sub_scope") or "").strip().upper()
    if sub and sub not in SUB_SCOPES:
        raise InvalidInput("accreditation.sub_scope", field=f"{where}.sub_scope", value=sub,
                           allowed=", ".join(SUB_SCOPES))
    arrangement = (item.get("arrangement") or None)
    if arrangement is not None and arrangement not in ARRANGEMENTS:
        raise InvalidInput("accreditation.arrangement", field=f"{where}.arrangement", value=arrangement)
    since, until = item.get("signatory_since"), item.get("signatory_until")
    if (arrangement is None) != (since is None):
        raise InvalidInput("accreditation.signatory_dates", field=f"{where}.signatory_since")
    if since and until and until < since:
        raise InvalidInput("date.order", field=f"{where}.signatory_until", start=since, end=until)
    return AccreditationScope(main_scope=main, sub_scope=sub, arrangement=arrangement, signatory_since=since,
                              signatory_until=until)


def body_state(body: AccreditationBody) -> dict[str, Any]:
    """Return an accreditation body's public state (what its events carry)."""
    return {"code": body.code, "name": body.name, "name_en": body.name_en, "country": body.country,
            "website": body.website, "note": body.note,
            "scopes": [[s.main_scope, s.sub_scope, s.arrangement, iso_or_none(s.signatory_since),
                        iso_or_none(s.signatory_until)] for s in body.scopes]}


def save_accreditation_body(session: Session, *, principal: Principal, code: str, name: str, name_en: str,
                            country: str, scopes: list[dict[str, Any]], website: str | None = None,
                            note: str | None = None) -> AccreditationBody:
    """Record an accreditation body or replace its particulars and scopes (a regulator keeps the list current)."""
    require_regulator(principal)
    code = (code or "").strip().upper()
    if not CODE.match(code):
        raise InvalidInput("accreditation.code_format", field="code", value=code)
    for key, value in (("name", name), ("name_en", name_en)):
        if not (value or "").strip():
            raise InvalidInput("field.required", field=key)
    rows = [_scope(i, s) for i, s in enumerate(scopes)]
    if len({(r.main_scope, r.sub_scope) for r in rows}) != len(rows):
        raise InvalidInput("accreditation.scope_repeated", field="scopes")
    body = find_accreditation_body(session, code)
    created = body is None
    if created:
        body = AccreditationBody(code=code)
        session.add(body)
    body.name, body.name_en = name.strip(), name_en.strip()
    body.country, body.website, body.note = check_country(country), website or None, note or None
    body.scopes.clear()
    session.flush()
    body.scopes.extend(rows)
    session.flush()
    record_event(session, type="accreditation_body.recorded" if created else "accreditation_body.changed",
                 subject_type="accreditation_body", subject_id=body.id, actor=principal.actor,
                 data={"state": body_state(body)})
    return body


IMPORT_COLUMNS = ("code", "name", "name_en", "country", "main_scope", "sub_scope", "arrangement",
                  "signatory_since", "signatory_until", "website")


def _date(value: Any, line: int, column: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidInput("accreditation.bad_date", field=f"line {line}: {column}", value=str(value)) from None


def import_accreditation_bodies(session: Session, *, principal: Principal, filename: str, data: bytes) -> list[str]:
    """Import accreditation bodies from CSV/XLSX/JSON, one row per scope (IMPORT_COLUMNS); every body named is
    replaced with its rows, all bodies or none. Returns the codes recorded."""
    require_regulator(principal)
    try:
        table = read_table(filename, data)
    except TableError as exc:
        raise InvalidInput(exc.code, field="file", **exc.params) from None
    bodies: dict[str, dict[str, Any]] = {}
    problems: list = []
    for line, row in table.rows:
        get = lambda key: str(row.get(key) or "").strip()  # noqa: E731
        try:
            code = get("code").upper()
            item = bodies.setdefault(code, {"code": code, "name": get("name"), "name_en": get("name_en"),
                                            "country": get("country"), "website": get("website"), "scopes": []})
            if get("main_scope"):
                item["scopes"].append({"main_scope": get("main_scope"), "sub_scope": get("sub_scope"),
                                       "arrangement": get("arrangement") or None,
                                       "signatory_since": _date(row.get("signatory_since"), line, "signatory_since"),
                                       "signatory_until": _date(row.get("signatory_until"), line, "signatory_until")})
        except InvalidInput as exc:
            problems.append(exc)
    if problems:
        raise ValidationErrors(problems)
    if not bodies:
        raise InvalidInput("import.empty", field="file")
    for item in bodies.values():
        save_accreditation_body(session, principal=principal, **item)
    return sorted(bodies)


def check_accreditation(session: Session, *, code: str | None, number: str | None, scheme_kind: str,
                        scheme_code: str) -> tuple[int | None, str | None]:
    """Return (accreditation body id, accreditation number) for a certificate issued under accreditation, after
    checking the body exists and accredits the scheme's scope; (None, None) when not under accreditation."""
    code = (code or "").strip().upper()
    number = (number or "").strip().upper() or None
    if not code:
        if number:
            raise InvalidInput("field.required", field="accreditation_body")
        return None, None
    body = find_accreditation_body(session, code)
    if body is None:
        raise InvalidInput("accreditation.body_unknown", field="accreditation_body", code=code)
    if matching_scope(session, body.id, scheme_kind, scheme_code) is None:
        raise InvalidInput("accreditation.scheme_not_accredited", field="accreditation_body", code=code,
                           scheme=scheme_code)
    if number is None:
        raise InvalidInput("field.required", field="accreditation_number")
    return body.id, number
