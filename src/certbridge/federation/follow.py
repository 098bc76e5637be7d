"""Following a peer: read its newest signed checkpoint and its change feed up to that size, prove the feed
complete against the checkpoint (proving.py), and only then fold the public events into the mirror.

Network reads happen with no transaction open; what was proven is applied in one short write transaction, so
the mirror only ever holds a proven prefix of the peer's log. A feed that withholds or alters an entry, or a
checkpoint that goes back, is a *finding*: stored on the peer (problem, detail, index), logged as a warning and
recorded as a private ledger event — nothing of that round is mirrored. An unreachable peer is only a delay
(`last_error`); the next round starts again from the last proven size.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from certbridge.db import read_session, utcnow, write_session
from certbridge.errors import NotFound
from certbridge.federation.models import MIRRORED, FederationPeer, PeerRecord
from certbridge.federation.recognition import mirror_round
from certbridge.federation.proving import FeedProblem, Frontier, check_items
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.signed_note import InvalidCheckpointError, InvalidNoteError, UnverifiedNoteError, Verifier
from certbridge.kit.signed_note import open as open_note
from certbridge.kit.signed_note import parse_checkpoint
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
PAGE = 1000
KEYS = {"certificate": ("number", "holder_name"), "body": ("code", "name"), "organization": ("uscc", "name")}


@dataclass(frozen=True)
class SyncOutcome:
    """What one round with one peer did."""

    peer: str
    size: int
    new_events: int
    problem: str | None = None
    detail: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Peer:
    id: int
    name: str
    origin: str
    verifier_key: str
    base_url: str
    size: int
    root: bytes | None
    frontier: bytes


class _Unreachable(Exception):
    """The peer could not be read (a delay, not a finding)."""


def _get(http: httpx.Client, url: str, **params: Any) -> httpx.Response:
    import httpx

    try:
        response = http.get(url, params=params or None)
    except httpx.HTTPError as exc:
        raise _Unreachable(f"{url}: {exc}") from None
    if response.status_code != 200:
        raise _Unreachable(f"{url}: HTTP {response.status_code}")
    return response


def fetch_checkpoint(http: httpx.Client, peer: _Peer) -> tuple[str, int, bytes]:
    """Return the peer's newest checkpoint note, size and root, after checking its signature and origin."""
    note = _get(http, peer.base_url + "/api/v1/ledger/checkpoint").text
    try:
        opened = open_note(note, [Verifier(peer.verifier_key)])
        checkpoint = parse_checkpoint(opened.text)
    except (InvalidNoteError, UnverifiedNoteError, InvalidCheckpointError) as exc:
        raise FeedProblem("bad_checkpoint", f"the checkpoint is not signed by the peer's log key: {exc}") from None
    if checkpoint.origin != peer.origin:
        raise FeedProblem("bad_checkpoint", f"the checkpoint is of {checkpoint.origin!r}, not {peer.origin!r}")
    return note, checkpoint.size, checkpoint.root_hash


def fetch_items(http: httpx.Client, peer: _Peer, *, start: int, size: int) -> list[dict[str, Any]]:
    """Return the peer's feed items from index `start` up to (not including) `size`."""
    items: list[dict[str, Any]] = []
    after = start - 1
    while after + 1 < size:
        page = _get(http, peer.base_url + "/api/v1/feed", after=after, limit=PAGE).json()
        got = [i for i in page.get("items", []) if isinstance(i, dict) and isinstance(i.get("seq"), int)]
        items.extend(i for i in got if i["seq"] < size)
        if not got or got[-1]["seq"] <= after:
            break  # the feed ends early: check_items says what is missing
        after = got[-1]["seq"]
    return items


def _fold(session: Session, peer_id: int, events: list[dict[str, Any]]) -> None:
    """Fold public events of certificates, organizations and bodies into the peer's mirrored records."""
    for event in events:
        subject = event.get("subject") or {}
        kind, sid = subject.get("type"), str(subject.get("id"))
        state = (event.get("data") or {}).get("state")
        if kind not in MIRRORED or not isinstance(state, dict):
            continue
        row = session.scalar(select(PeerRecord).where(PeerRecord.peer_id == peer_id, PeerRecord.subject_type == kind,
                                                      PeerRecord.subject_id == sid))
        if row is None:
            row = PeerRecord(peer_id=peer_id, subject_type=kind, subject_id=sid, state="{}", first_seq=event["seq"])
            session.add(row)
        folded = {**json.loads(row.state), **state}
        key, name = KEYS[kind]
        row.state = canonical_bytes(folded).decode("utf-8")
        row.key, row.name = folded.get(key), folded.get(name)
        row.parent_id = str(folded["organization_id"]) if folded.get("organization_id") is not None else None
        row.last_seq = event["seq"]
    session.flush()


def _snapshot(session: Session, peer_id: int) -> _Peer:
    p = session.get(FederationPeer, peer_id)
    if p is None:
        raise NotFound("federation.peer_not_found", id=peer_id)
    return _Peer(p.id, p.name, p.origin, p.verifier_key, p.base_url, p.verified_size, p.verified_root, p.frontier)


def _record_problem(sessions: sessionmaker[Session], peer: _Peer, problem: FeedProblem, *, source: str) -> None:
    log.warning("federation: peer %s: %s", peer.name, problem)
    with write_session(sessions) as session:
        row = session.get(FederationPeer, peer.id)
        row.problem, row.problem_detail, row.problem_at = problem.code, problem.detail, utcnow()
        row.problem_source = source
        row.last_contact_at, row.last_error = utcnow(), None
        session.flush()
        record_event(session, type="federation.peer_problem", subject_type="federation_peer", subject_id=peer.id,
                     actor="system:federation", public=False,
                     data={"problem": problem.code, "detail": problem.detail, "seq": problem.seq})


def sync_peer(sessions: sessionmaker[Session], peer_id: int, *, http: httpx.Client) -> SyncOutcome:
    """Follow one peer up to its newest checkpoint, proving the feed complete before mirroring anything."""
    with read_session(sessions) as session:
        peer = _snapshot(session, peer_id)
    try:
        note, size, root = fetch_checkpoint(http, peer)
        if size < peer.size or (size == peer.size and peer.root is not None and root != peer.root):
            raise FeedProblem("rollback", f"the peer now signs size {size}; we proved size {peer.size} before")
        frontier = Frontier.load(peer.size, peer.frontier)
        events = check_items(frontier, fetch_items(http, peer, start=peer.size, size=size), size=size, root=root)
    except _Unreachable as exc:
        with write_session(sessions) as session:
            session.get(FederationPeer, peer.id).last_error = str(exc)
        return SyncOutcome(peer.name, peer.size, 0, error=str(exc))
    except FeedProblem as problem:
        _record_problem(sessions, peer, problem, source="round")
        return SyncOutcome(peer.name, peer.size, 0, problem.code, problem.detail)
    with write_session(sessions) as session:
        row = session.get(FederationPeer, peer.id, with_for_update=True)
        if row.verified_size != peer.size:  # another process proved more meanwhile: its round stands
            return SyncOutcome(peer.name, row.verified_size, 0)
        _fold(session, peer.id, events)
        mirror_round(session, row, events, size=size, root=root)  # 监管互认: results and penalties
        row.verified_size, row.verified_root, row.frontier = size, root, frontier.pack()
        row.checkpoint, row.verified_at, row.last_contact_at = note, utcnow(), utcnow()
        row.last_error = None
        if row.problem_source != "audit":  # a round cannot see what an audit found in entries proven before
            row.problem = row.problem_detail = row.problem_source = None
    return SyncOutcome(peer.name, size, len(events))


def audit_peer(sessions: sessionmaker[Session], peer_id: int, *, http: httpx.Client) -> SyncOutcome:
    """Re-read the peer's whole feed from index 0 and prove it against its newest checkpoint (mirrors nothing).

    This finds an entry altered or withheld *after* we mirrored it: the incremental rounds read each index once.
    """
    with read_session(sessions) as session:
        peer = _snapshot(session, peer_id)
    try:
        _note, size, root = fetch_checkpoint(http, peer)
        check_items(Frontier(), fetch_items(http, peer, start=0, size=size), size=size, root=root)
    except _Unreachable as exc:
        return SyncOutcome(peer.name, peer.size, 0, error=str(exc))
    except FeedProblem as problem:
        _record_problem(sessions, peer, problem, source="audit")
        return SyncOutcome(peer.name, peer.size, 0, problem.code, problem.detail)
    with write_session(sessions) as session:  # the whole feed proven against the newest checkpoint: nothing stands
        row = session.get(FederationPeer, peer.id)
        row.problem = row.problem_detail = row.problem_source = None
    return SyncOutcome(peer.name, size, 0)


def record_requested_round(session: Session, *, principal: Principal, peer_id: int, kind: str,
                           outcome: SyncOutcome) -> None:
    """Record that a regulator asked for a round (sync or audit) with a peer now, and what it found."""
    require_regulator(principal)
    record_event(session, type=f"federation.peer_{kind}_requested", subject_type="federation_peer", subject_id=peer_id,
                 actor=principal.actor, public=False, data={"outcome": outcome.__dict__})


def active_peer_ids(sessions: sessionmaker[Session]) -> list[int]:
    """Return the ids of the peers we follow."""
    with read_session(sessions) as session:
        return list(session.scalars(select(FederationPeer.id).where(FederationPeer.active.is_(True))
                                    .order_by(FederationPeer.id)))


def b64(data: bytes | None) -> str | None:
    """Return base64 of a hash (None stays None)."""
    return base64.b64encode(data).decode("ascii") if data is not None else None
