"""A body's approval ends (revoked, withdrawn, or revoked with permanent exit): what happens to its certificates.

DOMAIN.md: a body whose approval is revoked can issue nothing; its certificates stay in force for a grace
period after the revocation (3 months, configurable per scheme), during which the holder may move them to
another approved body; what is not moved by the end of the grace period is withdrawn. Permanent exit
(永久退出) is a revocation that also binds the body's USCC and legal representative (registry.bodies), so its
certificates follow the same path.

* `transfer_certificate` — the holder's way out within the grace period: the receiving body issues the
  certificate under its own number through the one issue path (`service.issue_certificate`: its approval and
  field, the holder's bars, the auditors' registrations and bans), and the old certificate ends as cancelled
  ("transferred") with a link to its successor. Both are events in the same transaction. The transfer is open
  while the old certificate is valid on the transfer's date by the effective-status verdict: its body's
  approval ended, the grace period not over (its last day is the day before `effective_status.grace_end`),
  the certificate itself not past its end date; after that it is refused (`certificate.transfer_grace_over`).
* The withdrawal at the end of the grace period, and the warning verification shows in between, are dated
  facts: the effective-status verdict and the date-driven sweep record them (`workflow.sweep_due`), on the day
  the grace ends, as `certificate.withdrawn` with cause `body_revoked`.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from certbridge.certificates.effective_status import facts_of, grace_end
from certbridge.certificates.holders import holder_of
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn, TransferIn
from certbridge.certificates.service import get_certificate, issue_certificate
from certbridge.certificates.status_context import certificate_verdict
from certbridge.certificates.workflow import _apply
from certbridge.errors import RuleViolation
from certbridge.policy import require_body_operator
from certbridge.principal import Principal
from certbridge.registry.bodies import get_body
from certbridge.registry.models import Organization, Scheme, Standard

ENDED_APPROVALS = ("revoked", "withdrawn")


def transfer_open(session: Session, cert: Certificate, on: date) -> bool:
    """Tell whether a certificate may move to another body on a date: its body's approval has ended and the
    certificate is still valid that day — in force, not past its end date, within the grace period."""
    if cert.status != "valid" or get_body(session, cert.body_id).status not in ENDED_APPROVALS:
        return False
    return certificate_verdict(session, cert, on).valid


def require_transfer_open(session: Session, cert: Certificate, on: date) -> None:
    """Refuse a transfer that is not open on `on`, saying why (the grace period over, or not open at all)."""
    if transfer_open(session, cert, on):
        return
    body = get_body(session, cert.body_id)
    if cert.status == "valid" and body.status in ENDED_APPROVALS:
        end = grace_end(facts_of(cert, body, scheme=session.get(Scheme, cert.scheme_code)))
        if end is not None and on >= end:
            raise RuleViolation("certificate.transfer_grace_over", number=cert.number,
                                decided_on=body.status_changed_on.isoformat() if body.status_changed_on else "",
                                last_day=(end - timedelta(days=1)).isoformat())
    raise RuleViolation("certificate.transfer_not_open")


def transfer_certificate(session: Session, *, principal: Principal, body_id: int, transfer: TransferIn,
                         today: date | None = None) -> Certificate:
    """Move a certificate of a body whose approval ended to another approved body; return the new certificate.

    Only the receiving body's operators (or regulators) may do it. The new certificate keeps the old one's end
    date unless told otherwise and is checked by every issue rule; the old one is cancelled as "transferred".
    """
    require_body_operator(principal, body_id)
    old = get_certificate(session, transfer.certificate_id, for_update=True)
    if old.body_id == body_id:
        raise RuleViolation("certificate.transfer_same_body")
    require_transfer_open(session, old, today or date.today())
    org = session.get(Organization, old.organization_id)
    standard = session.get(Standard, old.standard_id) if old.standard_id else None
    draft = CertificateIn(
        number=transfer.number, scheme=old.scheme_code,
        standard_code=standard.code if standard else None, standard_version=standard.version if standard else None,
        holder=holder_of(org, old), country=old.country,
        scope=transfer.scope or old.scope, scope_en=old.scope_en, product=old.product,
        certification_mode=old.certification_mode, grade=old.grade, issued_on=transfer.issued_on,
        expires_on=transfer.expires_on or old.expires_on,
        sites=[{"name": s.name, "address": s.address, "region_code": s.region_code, "scope": s.scope}
               for s in old.sites],
        audits=transfer.audits,
    )
    new = issue_certificate(session, principal=principal, body_id=body_id, draft=draft, today=today)
    _apply(session, principal, old, "cancelled", max(transfer.issued_on, old.status_changed_on), "transferred",
           {"transferred_to_id": new.id, "transferred_to_number": new.number, "transferred_to_body_id": body_id})
    return new
