"""Searching the peers' mirrored certificates: by number, by the holder's USCC, or by holder name.

Every answer names its source — the peer instance, and the checkpoint (size, root, time) up to which its log
was proven complete — so a reader knows whose register speaks and as of when. The status is the one the
peer's log records, read as expired once its end date has passed (the peer's own daily sweep may not have
recorded that yet).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.federation.follow import b64
from certbridge.federation.models import FederationPeer, PeerRecord
from certbridge.kit.uscc import normalize_uscc

LIMIT = 50


def _source(peer: FederationPeer) -> dict[str, Any]:
    return {"instance": peer.name, "label": peer.label or peer.name, "url": peer.base_url, "role": peer.role,
            "region_code": peer.region_code, "checkpoint_size": peer.verified_size,
            "checkpoint_root": b64(peer.verified_root),
            "verified_at": peer.verified_at.isoformat() if peer.verified_at else None, "problem": peer.problem}


def _status(state: dict[str, Any], on: date) -> str:
    status = state.get("status") or "valid"
    expires = state.get("expires_on")
    if status in ("valid", "suspended") and expires and expires < on.isoformat():
        return "expired"
    return status


def _answer(peer: FederationPeer, cert: PeerRecord, body: PeerRecord | None, org: PeerRecord | None,
            on: date) -> dict[str, Any]:
    state = json.loads(cert.state)
    body_state = json.loads(body.state) if body else {}
    return {"source": _source(peer),
            "certificate": {"id": int(cert.subject_id) if cert.subject_id.isdigit() else cert.subject_id,
                            "number": state.get("number"), "status": _status(state, on),
                            "recorded_status": state.get("status"), "scheme_code": state.get("scheme_code"),
                            "holder_name": state.get("holder_name"), "holder_uscc": org.key if org else None,
                            "scope": state.get("scope"), "issued_on": state.get("issued_on"),
                            "expires_on": state.get("expires_on"), "body_code": body_state.get("code"),
                            "body_name": body_state.get("name"), "last_seq": cert.last_seq,
                            "history_url": f"{peer.base_url}/api/v1/certificates/{cert.subject_id}/history"}}


def search_peers(session: Session, q: str, *, on: date | None = None) -> list[dict[str, Any]]:
    """Return the peers' certificates matching `q` (number, holder USCC or part of the holder's name)."""
    q = (q or "").strip()
    if not q:
        raise InvalidInput("federation.query_required", field="q")
    on = on or date.today()
    certs = select(PeerRecord).where(PeerRecord.subject_type == "certificate")
    uscc = normalize_uscc(q) if len(q) == 18 else None
    holders = select(PeerRecord.peer_id, PeerRecord.subject_id).where(PeerRecord.subject_type == "organization",
                                                                      PeerRecord.key == (uscc or q))
    by_holder = [(p, s) for p, s in session.execute(holders)]
    conditions = [PeerRecord.key == q, PeerRecord.name.contains(q, autoescape=True)]
    conditions += [(PeerRecord.peer_id == p) & (PeerRecord.parent_id == s) for p, s in by_holder]
    rows = list(session.scalars(certs.where(or_(*conditions)).order_by(PeerRecord.peer_id, PeerRecord.id)
                                .limit(LIMIT)))
    peers = {p.id: p for p in session.scalars(select(FederationPeer))}
    out = []
    for cert in rows:
        state = json.loads(cert.state)
        body = _record(session, cert.peer_id, "body", state.get("body_id"))
        org = _record(session, cert.peer_id, "organization", state.get("organization_id"))
        out.append(_answer(peers[cert.peer_id], cert, body, org, on))
    return out


def _record(session: Session, peer_id: int, kind: str, subject_id: Any) -> PeerRecord | None:
    if subject_id is None:
        return None
    return session.scalar(select(PeerRecord).where(PeerRecord.peer_id == peer_id, PeerRecord.subject_type == kind,
                                                   PeerRecord.subject_id == str(subject_id)))
