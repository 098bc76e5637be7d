"""Which watched things an event concerns: the certificate itself, its holder and its body, or the party of a
penalty, dishonesty listing or restriction; a saved search matches a certificate by its current fields.

Certificate events carry only the fields that changed, so the holder and body come from the certificate row
(they never change over a certificate's life). Penalties and listings name their party in their first event;
later events (published, repaired, withdrawn) are traced back to it through the subject's history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.ledger.journal import LedgerEvent, subject_history

PARTY_SUBJECTS = ("penalty", "dishonesty_listing", "restriction")  # events about a party: organization or body
SEARCH_FIELDS = ("scheme_code", "body_id", "organization_id", "region_code", "status")  # what a saved search filters


@dataclass(frozen=True)
class Concern:
    """What one event is about, as watches address it."""

    targets: frozenset[tuple[str, str]]  # ("certificate", "12"), ("organization", "3"), ("body", "1")
    certificate: dict[str, Any] | None  # the certificate's current fields, for saved searches


def _state(event: LedgerEvent) -> dict[str, Any]:
    data = json.loads(event.body).get("data") or {}
    state = data.get("state")
    return state if isinstance(state, dict) else {}


def _party(session: Session, event: LedgerEvent) -> tuple[str, str] | None:
    state = _state(event)
    if "subject_type" not in state:
        for earlier in subject_history(session, event.subject_type, event.subject_id):
            state = _state(earlier)
            if "subject_type" in state:
                break
    kind, ident = state.get("subject_type"), state.get("subject_id")
    if kind in ("organization", "body") and ident is not None:
        return kind, str(ident)
    return None


def concerns(session: Session, events: list[LedgerEvent]) -> dict[int, Concern]:
    """Return, per event seq, what the (public) events are about."""
    cert_ids = {int(e.subject_id) for e in events if e.subject_type == "certificate" and e.subject_id.isdigit()}
    certs = {}
    if cert_ids:
        for row in session.execute(select(Certificate.id, *(getattr(Certificate, f) for f in SEARCH_FIELDS))
                                   .where(Certificate.id.in_(cert_ids))):
            certs[row[0]] = dict(zip(SEARCH_FIELDS, row[1:], strict=True))
    out = {}
    for event in events:
        targets = {(event.subject_type, event.subject_id)}
        cert = None
        if event.subject_type == "certificate" and event.subject_id.isdigit():
            cert = certs.get(int(event.subject_id))
            if cert is not None:
                targets |= {("organization", str(cert["organization_id"])), ("body", str(cert["body_id"]))}
        elif event.subject_type in PARTY_SUBJECTS:
            party = _party(session, event)
            if party:
                targets.add(party)
        out[event.seq] = Concern(frozenset(targets), cert)
    return out


def search_matches(search: dict[str, Any], certificate: dict[str, Any] | None) -> bool:
    """Tell whether a certificate's current fields match a saved search (every given field equal)."""
    if certificate is None:
        return False
    return all(str(certificate.get(key)) == str(value) for key, value in search.items() if key in SEARCH_FIELDS)


def watch_matches(kind: str, target: str, concern: Concern) -> bool:
    """Tell whether a watch (kind, target) is concerned by an event."""
    if kind == "search":
        return search_matches(json.loads(target), concern.certificate)
    return (kind, target) in concern.targets
