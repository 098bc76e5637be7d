"""Whether a certificate issued under accreditation is covered by an IAF MLA / ILAC MRA signatory for its scope.

A scheme falls in a main scope by its kind (management systems: ISO/IEC 17021-1; products and services:
ISO/IEC 17065) and, for management systems, in the sub-scope named like it (QMS, EMS …). An accreditation
body *covers* a scheme when it has a scope row for that main scope and either that sub-scope or "" (the whole
main scope); the specific row decides over the whole-scope row. The certificate is *MLA-covered* on a date when
that row is signed under an arrangement then (signatory_since ≤ date, signatory_until absent or ≥ date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from certbridge.accreditation.models import SUB_SCOPES, AccreditationBody, AccreditationScope

KIND_TO_MAIN_SCOPE = {"system": "17021-1", "product": "17065", "service": "17065"}


def scheme_scope(kind: str, scheme_code: str) -> tuple[str, str]:
    """Return the (main scope, sub-scope) a scheme falls in ("" when it has no sub-scope of its own)."""
    main = KIND_TO_MAIN_SCOPE.get(kind, "17065")
    return main, (scheme_code if main == "17021-1" and scheme_code in SUB_SCOPES else "")


def matching_scope(session: Session, body_id: int, kind: str, scheme_code: str) -> AccreditationScope | None:
    """Return the accreditation body's scope row that decides for a scheme, or None if it accredits no such scope."""
    main, sub = scheme_scope(kind, scheme_code)
    return session.scalar(select(AccreditationScope).where(
        AccreditationScope.body_id == body_id, AccreditationScope.main_scope == main,
        AccreditationScope.sub_scope.in_({sub, ""})).order_by(AccreditationScope.sub_scope.desc()).limit(1))


def scope_text(scope: AccreditationScope | None) -> str | None:
    """Return a scope row as the verification statement carries it: "arrangement|since|until|main|sub"."""
    if scope is None:
        return None
    return "|".join([scope.arrangement or "", scope.signatory_since.isoformat() if scope.signatory_since else "",
                     scope.signatory_until.isoformat() if scope.signatory_until else "", scope.main_scope,
                     scope.sub_scope])


def scope_text_column(certificate_table, scheme_table):
    """Return the correlated SQL expression giving `scope_text` of a certificate's deciding scope row."""
    s = AccreditationScope.__table__
    main = case((scheme_table.c.kind == "system", literal("17021-1")), else_=literal("17065"))
    text = (func.coalesce(s.c.arrangement, "") + "|" + func.coalesce(cast(s.c.signatory_since, String), "") + "|"
            + func.coalesce(cast(s.c.signatory_until, String), "") + "|" + s.c.main_scope + "|" + s.c.sub_scope)
    deciding = (select(text).where(s.c.body_id == certificate_table.c.accreditation_body_id,
                                   scheme_table.c.code == certificate_table.c.scheme_code, s.c.main_scope == main,
                                   or_(s.c.sub_scope == certificate_table.c.scheme_code, s.c.sub_scope == ""))
                .order_by(s.c.sub_scope.desc()).limit(1).correlate(certificate_table).scalar_subquery())
    # Looked up only for a certificate issued under accreditation: most are not, and the subquery costs a
    # verify ~15 % of its time when run for every row (bench/verify_inprocess.py, issue #15).
    return case((certificate_table.c.accreditation_body_id.is_not(None), deciding), else_=None)


@dataclass(frozen=True)
class Coverage:
    """What a verifier learns about a certificate's accreditation."""

    covered: bool
    arrangement: str | None
    main_scope: str | None
    sub_scope: str | None


def coverage_of(text: str | None, on: date | str) -> Coverage:
    """Return the coverage on a date from `scope_text` (None: the body accredits no such scope)."""
    if not text:
        return Coverage(False, None, None, None)
    arrangement, since, until, main, sub = text.split("|")
    day = on if isinstance(on, str) else on.isoformat()
    covered = bool(arrangement and since and since[:10] <= day and (not until or until[:10] >= day))
    return Coverage(covered, arrangement or None, main, sub or None)


def accreditation_view(code: str | None, name: str | None, name_en: str | None, number: str | None,
                       text: str | None, on: date | str) -> dict[str, Any] | None:
    """Return the public accreditation part of a certificate's view (None when not issued under accreditation)."""
    if code is None:
        return None
    cov = coverage_of(text, on)
    return {"body": code, "body_name": name, "body_name_en": name_en, "number": number, "covered": cov.covered,
            "arrangement": cov.arrangement, "main_scope": cov.main_scope, "sub_scope": cov.sub_scope}


def accreditation_of(session: Session, body_id: int | None, number: str | None, kind: str, scheme_code: str,
                     on: date) -> dict[str, Any] | None:
    """`accreditation_view` of a loaded certificate's accreditation (the ORM path of the public view)."""
    if body_id is None:
        return None
    body = session.get(AccreditationBody, body_id)
    return accreditation_view(body.code, body.name, body.name_en, number,
                              scope_text(matching_scope(session, body_id, kind, scheme_code)), on)
