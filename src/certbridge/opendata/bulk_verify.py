"""Verify a supplier list: per row the organization matched, its relevant certificates with their effective
status and reasons, and an overall answer — reading bodies, standards and schemes once and everything else
set-wise (no query per row except a fuzzy name's search).

Row answers (`outcome`): `valid` (a relevant certificate is valid), `not_valid` (relevant certificates exist,
none valid), `no_certificate` (the organization holds none that meets the requirement), `ambiguous` (several
organizations fit; candidates given), `not_found`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.effective_status import final_reason, plainly_final, plainly_valid
from certbridge.certificates.models import Certificate
from certbridge.certificates.status_context import HOLDER_FLAG_KINDS, load_context
from certbridge.ledger.journal import LedgerEvent
from certbridge.opendata.bulk_input import ListRow
from certbridge.opendata.iaf_standards import standard_matches
from certbridge.opendata.matching import CHUNK, Match, Wanted, match_rows
from certbridge.registry.models import CertificationBody, Organization, Restriction

MAX_CERTIFICATES_PER_ROW = 20  # newest first; a holder with more is summarised by these
OUTCOMES = ("valid", "not_valid", "no_certificate", "ambiguous", "not_found")
Progress = Callable[[int, int], None]


def _chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


def _organizations(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    out = {}
    for part in _chunks(sorted(ids)):
        for org_id, name, uscc, needs_check in session.execute(select(
                Organization.id, Organization.name, Organization.uscc, Organization.uscc_needs_check)
                .where(Organization.id.in_(part))):
            out[org_id] = {"id": org_id, "name": name, "uscc": uscc, "uscc_needs_check": bool(needs_check)}
    return out


def _holder_flags(session: Session, ids: set[int], on: date) -> dict[int, tuple[str, ...]]:
    flags: dict[int, list[str]] = {}
    for part in _chunks(sorted(ids)):
        stmt = select(Restriction.subject_id, Restriction.kind).where(
            Restriction.subject_type == "organization", Restriction.subject_id.in_(part),
            Restriction.kind.in_(HOLDER_FLAG_KINDS), Restriction.starts_on <= on,
            or_(Restriction.ends_on.is_(None), Restriction.ends_on >= on),
            or_(Restriction.lifted_on.is_(None), Restriction.lifted_on > on)).order_by(Restriction.id)
        for subject_id, kind in session.execute(stmt):
            flags.setdefault(subject_id, []).append(kind)
    return {k: tuple(v) for k, v in flags.items()}


# The columns a verdict and an answer need, read as plain rows (attribute access like the ORM object's, at a
# fraction of the cost of loading thousands of mapped objects).
CERTIFICATE_COLUMNS = (Certificate.id, Certificate.number, Certificate.organization_id, Certificate.body_id,
                       Certificate.scheme_code, Certificate.standard_id, Certificate.status, Certificate.status_reason,
                       Certificate.status_changed_on, Certificate.suspended_until, Certificate.issued_on,
                       Certificate.expires_on)


def _certificates(session: Session, org_ids: set[int], cert_ids: set[int]) -> list[Any]:
    """Return the certificates the holders hold and those named by number (most are the holders': read once)."""
    found: dict[int, Any] = {}
    for part in _chunks(sorted(org_ids)):
        for cert in session.execute(select(*CERTIFICATE_COLUMNS).where(Certificate.organization_id.in_(part))):
            found[cert.id] = cert
    for part in _chunks(sorted(cert_ids - found.keys())):
        for cert in session.execute(select(*CERTIFICATE_COLUMNS).where(Certificate.id.in_(part))):
            found[cert.id] = cert
    return list(found.values())


def _last_seqs(session: Session, cert_ids: set[int]) -> dict[int, int]:
    """Return each certificate's latest log event (any), by the events' subject index; the ids written out as
    the index's text keys (integers only), so tens of thousands of them cost no parameter binding."""
    out = {}
    conn = session.connection()
    for part in _chunks(sorted(cert_ids)):
        keys = ", ".join(f"'{int(i)}'" for i in part)
        out.update({int(subject_id): seq for subject_id, seq in conn.exec_driver_sql(
            f"SELECT subject_id, MAX(seq) FROM {LedgerEvent.__tablename__} WHERE subject_type = 'certificate' "
            f"AND subject_id IN ({keys}) GROUP BY subject_id").all()})
    return out


def _bodies(session: Session, ids: set[int]) -> dict[int, dict[str, str]]:
    out = {}
    for part in _chunks(sorted(ids)):
        for body_id, code, name in session.execute(select(CertificationBody.id, CertificationBody.code,
                                                          CertificationBody.name).where(CertificationBody.id.in_(part))):
            out[body_id] = {"code": code, "name": name}
    return out


def verify_rows(session: Session, rows: list[ListRow], *, on: date, tree_size: int | None = None,
                progress: Progress | None = None) -> list[dict[str, Any]]:
    """Return the verification of each row of a list on a date (see the module docstring for the answers)."""
    report = progress or (lambda done, total: None)
    matches: list[Match] = []
    for start in range(0, len(rows), 1000):  # in slices, so a job can show how far it got
        part = rows[start:start + 1000]
        matches += match_rows(session, [Wanted(r.row, r.name, r.uscc, r.number) for r in part])
        report(len(matches), len(rows))
    org_ids = {m.organization_id for m in matches if m.organization_id}
    named = org_ids | {org_id for m in matches for org_id, _ in m.candidates}
    by_number = {cid for m in matches for cid in m.certificate_ids}
    orgs = _organizations(session, named)
    flags = _holder_flags(session, org_ids, on)
    certs = _certificates(session, org_ids, by_number)
    seqs = _last_seqs(session, {c.id for c in certs})
    bodies = _bodies(session, {c.body_id for c in certs})
    context = load_context(session)
    held: dict[int, list[Any]] = {}
    for cert in sorted(certs, key=lambda c: (c.issued_on, c.id), reverse=True):
        held.setdefault(cert.organization_id, []).append(cert)
    by_id = {c.id: c for c in certs}
    described: dict[int, dict[str, Any]] = {}  # a holder listed on many rows is described once
    bodies_status = context.bodies

    def describe(cert) -> dict[str, Any]:
        found = described.get(cert.id)
        if found is not None:
            return found
        org = orgs.get(cert.organization_id) or {}
        needs_check, holder_flags = org.get("uscc_needs_check", False), flags.get(cert.organization_id, ())
        body_status, _, body_until = bodies_status.get(cert.body_id, ("approved", None, None))
        standard, deadline = context.standards.get(cert.standard_id, (None, None))
        # `verdict`'s own two fast paths, taken before building its facts (most certificates of a list)
        if plainly_valid(cert.status, body_status, deadline, needs_check, holder_flags, cert.issued_on,
                         cert.expires_on, body_until, on):
            status, valid, reasons = "valid", True, []
        elif plainly_final(cert.status, cert.status_reason, needs_check, holder_flags):
            status, valid = cert.status, False
            reasons = [final_reason(cert.status, cert.status_changed_on.isoformat(), cert.status_reason)]
        else:
            verdict = context.verdict(cert, on, uscc=org.get("uscc"), uscc_needs_check=needs_check,
                                      holder_flags=holder_flags)
            status, valid, reasons = verdict.status, verdict.valid, [r.as_dict() for r in verdict.reasons]
        last = seqs.get(cert.id)
        described[cert.id] = found = {
            "id": cert.id, "number": cert.number, "scheme": cert.scheme_code, "standard": standard,
            "body": bodies.get(cert.body_id, {}), "issued_on": cert.issued_on.isoformat(),
            "expires_on": cert.expires_on.isoformat(), "status": status, "valid": valid, "reasons": reasons,
            "last_seq": last, "in_checkpoint": None if tree_size is None or last is None else last < tree_size}
        return found

    shown_by_holder: dict[tuple, list[dict[str, Any]]] = {}  # rows naming one holder with one requirement

    def shown(row: ListRow, match: Match) -> list[dict[str, Any]]:
        key = None if match.certificate_ids else (match.organization_id, row.scheme, row.standard)
        if key in shown_by_holder:
            return shown_by_holder[key]
        if match.certificate_ids:  # named by number: those certificates
            relevant = [by_id[i] for i in match.certificate_ids if i in by_id]
        else:
            relevant = held.get(match.organization_id, [])
        found = list(map(describe, relevant))
        if row.scheme or row.standard.strip():  # a requirement: only the certificates meeting it
            found = [d for d in found if _meets(d, row)]
        found.sort(key=_expiry, reverse=True)  # latest expiry first …
        found.sort(key=_invalid)  # … and valid ones before the rest (a stable sort keeps that)
        if key is not None:
            shown_by_holder[key] = found
        return found

    out = []
    for row, match in zip(rows, matches):
        out.append(_answer(row, match, orgs, shown))
    return out


def _expiry(d: dict[str, Any]) -> str:
    return d["expires_on"]


def _invalid(d: dict[str, Any]) -> bool:
    return not d["valid"]


def _meets(described: dict[str, Any], row: ListRow) -> bool:
    if row.scheme and described["scheme"].upper() != row.scheme.strip().upper():
        return False
    return standard_matches(row.standard, described["standard"])


def _answer(row: ListRow, match: Match, orgs, shown) -> dict[str, Any]:
    answer: dict[str, Any] = {"row": row.row, "input": row.as_dict(), "match": match.kind, "score": match.score,
                              "notes": list(match.notes)}
    answer["candidates"] = [{**{k: orgs[oid][k] for k in ("id", "name", "uscc")}, "score": score}
                            for oid, score in match.candidates if oid in orgs] if match.kind != "uscc" else []
    if match.organization_id is None:
        answer.update(organization=None, certificates=[],
                      outcome="ambiguous" if match.kind == "ambiguous" else "not_found")
        return answer
    org = orgs[match.organization_id]
    answer["organization"] = {k: org[k] for k in ("id", "name", "uscc")}
    found = shown(row, match)
    answer["certificates"] = found[:MAX_CERTIFICATES_PER_ROW]
    if not found:
        answer["outcome"] = "no_certificate"
    else:
        answer["outcome"] = "valid" if found[0]["valid"] else "not_valid"  # valid ones come first
    return answer


def summarize(results: list[dict[str, Any]]) -> dict[str, int]:
    """Return how many rows got each answer, and how many rows there were."""
    counts = {outcome: 0 for outcome in OUTCOMES}
    for result in results:
        counts[result["outcome"]] += 1
    return {"rows": len(results), **counts}
