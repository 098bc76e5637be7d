"""Batch form of the effective-status rule: bodies, standards and schemes read once, then no query per row.

Exports, the sweep and other loops over many certificates load a `StatusContext` (a few small tables: some
thousand bodies, some hundred standards, a few dozen schemes) and turn each certificate into its verdict
without touching the database again. Holder facts (USCC check flag, list entries) are passed per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.effective_status import DEFAULT_GRACE_MONTHS, Facts, Verdict, facts_of, verdict
from certbridge.certificates.models import Certificate
from certbridge.registry.models import CertificationBody, Organization, Scheme, Standard
from certbridge.registry.restrictions import active_restrictions

HOLDER_FLAG_KINDS = ("dishonesty_list", "permanent_exit")  # list entries every verification flags


@dataclass(frozen=True)
class StatusContext:
    """What certificates' verdicts need beyond their own row, by body id, standard id and scheme code."""

    bodies: dict[int, tuple[str, date | None, date | None]]  # status, status_changed_on, valid_until
    standards: dict[int, tuple[str, date | None]]  # "code-version", transition_deadline
    grace_months: dict[str, int]

    def facts(self, cert: Certificate, *, uscc: str | None = None, uscc_needs_check: bool = False,
              holder_flags: tuple[str, ...] = ()) -> Facts:
        """Return the facts of a certificate row in this context."""
        body_status, body_on, body_until = self.bodies.get(cert.body_id, ("approved", None, None))
        standard, deadline = self.standards.get(cert.standard_id, (None, None))
        return Facts(cert.status, cert.status_changed_on, cert.issued_on, cert.expires_on, cert.suspended_until,
                     cert.status_reason, body_status, body_on, body_until,
                     self.grace_months.get(cert.scheme_code, DEFAULT_GRACE_MONTHS), standard, deadline,
                     uscc, uscc_needs_check, holder_flags)

    def verdict(self, cert: Certificate, on: date, **holder) -> Verdict:
        """Return a certificate's verdict on a date in this context."""
        return verdict(self.facts(cert, **holder), on)


def load_context(session: Session) -> StatusContext:
    """Read bodies, standards and schemes once (three small queries)."""
    bodies = {row[0]: (row[1], row[2], row[3]) for row in session.execute(select(
        CertificationBody.id, CertificationBody.status, CertificationBody.status_changed_on,
        CertificationBody.valid_until))}
    standards = {row[0]: (f"{row[1]}-{row[2]}", row[3]) for row in session.execute(select(
        Standard.id, Standard.code, Standard.version, Standard.transition_deadline))}
    grace = dict(session.execute(select(Scheme.code, Scheme.body_revoked_grace_months)).all())
    return StatusContext(bodies, standards, grace)


def certificate_verdict(session: Session, cert: Certificate, on: date) -> Verdict:
    """Return one certificate's verdict on a date, reading its body, holder, standard, scheme and list entries."""
    org = session.get(Organization, cert.organization_id)
    flags = [r.kind for r in active_restrictions(session, "organization", org.id, on, HOLDER_FLAG_KINDS)] if org else []
    standard = session.get(Standard, cert.standard_id) if cert.standard_id else None
    return verdict(facts_of(cert, session.get(CertificationBody, cert.body_id), org, standard,
                            session.get(Scheme, cert.scheme_code), flags), on)
