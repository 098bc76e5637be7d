"""Connecting peers: an admin records another instance's name, log verifier key and URL (exchanged out of band),
and — unless told otherwise — trusts its log as our witness (we cosign its checkpoints) and asks it to witness
ours when its witness key is given. This instance's own particulars, to hand to the peer, are `identity`."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.db import utcnow
from certbridge.errors import Conflict, InvalidInput, NotFound
from certbridge.federation.models import ROLES, FederationPeer
from certbridge.kit.signed_note import InvalidKeyError, Verifier
from certbridge.ledger.journal import record_event
from certbridge.ledger.keys import local_verifier_key
from certbridge.ledger.models import LedgerWitness, WitnessedLog
from certbridge.ledger.witness import trust_log
from certbridge.ledger.witnessing import add_witness
from certbridge.policy import require_admin
from certbridge.principal import Principal
from certbridge.settings import Settings

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,190}(:[0-9]{1,5})?")


def identity(settings: Settings) -> dict[str, str]:
    """Return what a peer needs to connect to this instance: name, URL, log and witness verifier keys."""
    return {"name": settings.instance_name, "url": (settings.public_url or "").rstrip("/"),
            "log_key": local_verifier_key(settings, "log"), "witness_key": local_verifier_key(settings, "witness")}


def _state(peer: FederationPeer) -> dict[str, Any]:
    return {"name": peer.name, "origin": peer.origin, "verifier_key": peer.verifier_key, "base_url": peer.base_url,
            "role": peer.role, "region_code": peer.region_code, "label": peer.label, "witness": peer.witness,
            "active": peer.active}


def add_peer(session: Session, *, principal: Principal, settings: Settings, name: str, base_url: str,
             log_key: str, role: str = "region", region_code: str | None = None, label: str = "",
             witness: bool = True, witness_key: str | None = None) -> FederationPeer:
    """Connect a peer instance: follow its public data and prove it against checkpoints signed by `log_key`.

    `witness`: also cosign the peer's checkpoints (C2SP tlog-witness); `witness_key`: the peer's witness key,
    to ask it to cosign ours at `<base_url>/witness`.
    """
    require_admin(principal)
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise InvalidInput("federation.peer_name", field="name", name=name)
    if name == settings.instance_name:
        raise InvalidInput("federation.peer_self", field="name", name=name)
    base_url = base_url.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", base_url):
        raise InvalidInput("federation.peer_url", field="base_url", url=base_url)
    if role not in ROLES:
        raise InvalidInput("federation.peer_role", field="role")
    origin = f"{name}/log"
    try:
        verifier = Verifier(log_key.strip())
    except InvalidKeyError as exc:
        raise InvalidInput("federation.peer_key", field="log_key", origin=origin, detail=str(exc)) from None
    if verifier.name != origin:
        raise InvalidInput("federation.peer_key", field="log_key", origin=origin,
                           detail=f"the key is named {verifier.name}")
    if session.scalar(select(FederationPeer.id).where(FederationPeer.name == name)):
        raise Conflict("federation.peer_known", name=name)
    peer = FederationPeer(name=name, origin=origin, verifier_key=verifier.verifier_key, base_url=base_url, role=role,
                          region_code=region_code or None, label=label.strip(), witness=witness, active=True,
                          verified_size=0, frontier=b"", created_at=utcnow())
    session.add(peer)
    session.flush()
    record_event(session, type="federation.peer_added", subject_type="federation_peer", subject_id=peer.id,
                 actor=principal.actor, data={"state": _state(peer)}, public=False)
    if witness:
        trusted = session.scalar(select(WitnessedLog).where(WitnessedLog.origin == origin))
        if trusted is None or verifier.verifier_key not in trusted.verifier_keys.splitlines():
            trust_log(session, principal=principal, origin=origin, verifier_key=verifier.verifier_key)
    if witness_key and not session.scalar(select(LedgerWitness.id).where(LedgerWitness.verifier_key == witness_key)):
        add_witness(session, principal=principal, url=f"{base_url}/witness", verifier_key=witness_key.strip())
    return peer


def set_active(session: Session, *, principal: Principal, peer_id: int, active: bool) -> FederationPeer:
    """Stop (or resume) following a peer; what was mirrored stays, labelled with its last proven checkpoint."""
    require_admin(principal)
    peer = get_peer(session, peer_id)
    peer.active = active
    session.flush()
    record_event(session, type="federation.peer_" + ("resumed" if active else "paused"),
                 subject_type="federation_peer", subject_id=peer.id, actor=principal.actor,
                 data={"state": {"active": active}}, public=False)
    return peer


def get_peer(session: Session, peer_id: int) -> FederationPeer:
    """Return a peer by id."""
    peer = session.get(FederationPeer, peer_id)
    if peer is None:
        raise NotFound("federation.peer_not_found", id=peer_id)
    return peer


def list_peers(session: Session) -> list[FederationPeer]:
    """Return every peer, by name."""
    return list(session.scalars(select(FederationPeer).order_by(FederationPeer.name)))


def peer_view(peer: FederationPeer) -> dict[str, Any]:
    """Return a peer as the API and the CLI show it: particulars, proven size and any problem found."""
    iso = (lambda d: d.isoformat() if d else None)
    return {"id": peer.id, **_state(peer), "verified_size": peer.verified_size,
            "verified_root": peer.verified_root.hex() if peer.verified_root else None,
            "verified_at": iso(peer.verified_at), "checkpoint": peer.checkpoint, "problem": peer.problem,
            "problem_detail": peer.problem_detail, "problem_at": iso(peer.problem_at),
            "last_contact_at": iso(peer.last_contact_at), "last_error": peer.last_error}
