"""A body's approval ends (revoked, withdrawn, or revoked with permanent exit): what happens to its certificates.

DOMAIN.md: a body whose approval is revoked can issue nothing; its certificates stay in force for a grace
period after the revocation (3 months, configurable per scheme), during which the holder may move them to
another approved body; what is not moved by the end of the grace period is withdrawn. Permanent exit
(永久退出) is a revocation that also binds the body's USCC and legal representative (registry.bodies), so its
certificates follow the same path.

* `transfer_certificate` — the holder's way out within the grace period: the receiving body issues the
  certificate under its own number through the one issue path (`service.issue_certificate`: its approval and
  field, the holder's bars, the auditors' registrations and bans), and the old certificate ends as cancelled
  ("transferred") with a link to its successor. Both are events in the same transaction.
* The withdrawal at the end of the grace period, and the warning verification shows in between, are dated
  facts: the effective-status verdict and the date-driven sweep record them (`workflow.sweep_due`), on the day
  the grace ends, as `certificate.withdrawn` with cause `body_revoked`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn, HolderIn, TransferIn
from certbridge.certificates.service import get_certificate, issue_certificate
from certbridge.certificates.workflow import _apply
from certbridge.errors import RuleViolation
from certbridge.policy import require_body_operator
from certbridge.principal import Principal
from certbridge.registry.bodies import get_body
from certbridge.registry.models import Organization, Standard

ENDED_APPROVALS = ("revoked", "withdrawn")


def transfer_open(session: Session, cert: Certificate) -> bool:
    """Tell whether a certificate may move to another body: valid, and its body's approval has ended."""
    return cert.status == "valid" and get_body(session, cert.body_id).status in ENDED_APPROVALS


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
    if not transfer_open(session, old):
        raise RuleViolation("certificate.transfer_not_open")
    org = session.get(Organization, old.organization_id)
    standard = session.get(Standard, old.standard_id) if old.standard_id else None
    draft = CertificateIn(
        number=transfer.number, scheme=old.scheme_code,
        standard_code=standard.code if standard else None, standard_version=standard.version if standard else None,
        holder=HolderIn(name=old.holder_name, uscc=org.uscc, address=old.holder_address, region_code=old.region_code),
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
