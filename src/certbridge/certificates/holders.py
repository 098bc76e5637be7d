"""Holder-level operations that span the registry and certificates."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import HolderIn
from certbridge.ledger.journal import EventDraft, record_events
from certbridge.principal import Principal
from certbridge.registry.models import Organization
from certbridge.registry.service import merge_organizations


def merge_holders(session: Session, *, principal: Principal, source_id: int, target_id: int, reason: str) -> Organization:
    """Merge a duplicate organization into another and move its certificates with it."""
    target = merge_organizations(session, principal=principal, source_id=source_id, target_id=target_id, reason=reason)
    moved = list(session.scalars(select(Certificate).where(Certificate.organization_id == source_id)
                                 .order_by(Certificate.id).with_for_update()))
    for cert in moved:
        cert.organization_id = target.id
    session.flush()
    record_events(session, [
        EventDraft("certificate.holder_merged", "certificate", str(cert.id), principal.actor,
                   {"state": {"organization_id": target.id}, "from": source_id, "reason": reason})
        for cert in moved
    ])
    return target


def holder_of(org: Organization, cert: Certificate) -> HolderIn:
    """Return the holder of a certificate as a new cycle or a transfer names it (a foreign holder by its key)."""
    foreign = next((i.value for i in org.identifiers if i.scheme == "foreign"), None) if org.country else None
    return HolderIn(name=cert.holder_name, uscc=org.uscc, address=cert.holder_address, region_code=cert.region_code,
                    country=org.country, foreign_id=foreign.partition(":")[2] if foreign else None)
