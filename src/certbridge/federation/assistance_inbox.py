"""Taking a message a peer sent us (POST /api/v1/federation/messages): no cookie, no API key — the signature by
the peer's log key we hold *is* the authentication.

Refused, each with a problem in Chinese and English: a note that is not a federation message (422), one for
another instance (422: a message replayed elsewhere), one from an instance that is not our active peer (403),
one whose signature is not by that peer's key (403), and an id the peer already used for another message (409).
The same message delivered again (the sender's retry after a lost answer, or a replay) changes nothing and
answers 200 with `duplicate: true`: it was taken once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.db import utcnow
from certbridge.errors import Conflict, Forbidden, InvalidInput
from certbridge.federation.assistance import apply_message
from certbridge.federation.assistance_models import InboundMessage
from certbridge.federation.assistance_notes import BadMessage, BadSignature, open_message, read_unverified
from certbridge.federation.models import FederationPeer
from certbridge.settings import Settings

MAX_NOTE_BYTES = 256 * 1024


def receive_note(session: Session, *, settings: Settings, note: str) -> dict[str, Any]:
    """Check a peer's signed message and take it once; return its id, type and whether it was a duplicate."""
    if len(note.encode("utf-8")) > MAX_NOTE_BYTES:
        raise InvalidInput("federation.message_malformed", detail=f"larger than {MAX_NOTE_BYTES} bytes")
    try:
        claimed = read_unverified(note)
    except BadMessage as exc:
        raise InvalidInput("federation.message_malformed", detail=str(exc)) from None
    if claimed.recipient != settings.instance_name:
        raise InvalidInput("federation.message_misdirected", to=claimed.recipient, me=settings.instance_name)
    peer = session.scalar(select(FederationPeer).where(FederationPeer.name == claimed.sender,
                                                       FederationPeer.active.is_(True)))
    if peer is None:
        raise Forbidden("federation.message_unknown_peer", name=claimed.sender)
    try:
        message = open_message(note, peer.verifier_key)
    except (BadSignature, BadMessage) as exc:
        raise Forbidden("federation.message_signature", name=peer.name, detail=str(exc)) from None
    seen = session.scalar(select(InboundMessage).where(InboundMessage.peer_id == peer.id,
                                                       InboundMessage.message_id == message.id))
    if seen is not None:
        if seen.note != note:
            raise Conflict("federation.message_replayed", id=message.id, name=peer.name)
        return {"id": message.id, "type": message.type, "duplicate": True}
    request = apply_message(session, peer=peer, message=message)
    session.add(InboundMessage(peer_id=peer.id, message_id=message.id, type=message.type, note=note,
                               received_at=utcnow()))
    session.flush()
    return {"id": message.id, "type": message.type, "duplicate": False, "assistance_id": request.id}
