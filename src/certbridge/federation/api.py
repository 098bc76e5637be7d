"""JSON routes of the federation: this instance's identity, its peers (connect, follow now, audit) and the
search over the peers' mirrored certificates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, Request
from pydantic import BaseModel, Field

from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.federation import peers
from certbridge.db import write_session
from certbridge.federation.follow import SyncOutcome, audit_peer, record_requested_round, sync_peer
from certbridge.federation.search import search_peers
from certbridge.policy import require_regulator, require_regulator_reader

router = APIRouter(prefix="/api/v1/federation", tags=["federation"], responses=PROBLEM_RESPONSES)


class IdentityOut(BaseModel):
    """What a peer needs to connect to this instance."""

    name: str = Field(description="Instance name (the log's origin is `<name>/log`)")
    url: str = Field(description="Public base URL")
    log_key: str = Field(description="Checkpoint (log) verifier key")
    witness_key: str = Field(description="Cosignature verifier key of this instance's witness")


class PeerIn(BaseModel):
    """A peer's particulars, exchanged out of band."""

    name: str = Field(max_length=200, description="The peer's instance name, e.g. certs.fuzhou.example")
    base_url: str = Field(max_length=500, description="Its public base URL")
    log_key: str = Field(max_length=300, description="Its log verifier key, named `<name>/log`")
    role: Literal["region", "national"] = "region"
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$", description="GB/T 2260 code of its region")
    label: str = Field(default="", max_length=200, description="A display name, e.g. 福州市市场监管局")
    witness: bool = Field(default=True, description="Cosign its checkpoints as a witness")
    witness_key: str | None = Field(default=None, max_length=300,
                                    description="Its witness key: ask it to cosign our checkpoints")


class PeerOut(BaseModel):
    """A peer, with how far its log is proven and any problem found."""

    id: int
    name: str
    origin: str
    verifier_key: str
    base_url: str
    role: str
    region_code: str | None
    label: str
    witness: bool
    active: bool
    verified_size: int = Field(description="Size of the peer's latest checkpoint whose every entry we hold")
    verified_root: str | None = Field(description="Its root hash (hex)")
    verified_at: str | None
    checkpoint: str | None = Field(description="That checkpoint, as the peer signed it")
    problem: str | None = Field(description="withheld, tampered, root_mismatch, rollback or bad_checkpoint")
    problem_detail: str | None
    problem_at: str | None
    last_contact_at: str | None
    last_error: str | None = Field(description="Why the last round could not read the peer (a delay only)")


class SyncOut(BaseModel):
    """What one round with a peer did."""

    peer: str
    size: int = Field(description="The peer's log size proven now")
    new_events: int = Field(description="Public events mirrored in this round")
    problem: str | None = None
    detail: str | None = None
    error: str | None = None


class PeerCertificates(BaseModel):
    """The peers' certificates matching a query, each with its source instance and checkpoint."""

    items: list[dict[str, Any]]


def _recorded(request: Request, principal, peer_id: int, kind: str, outcome: SyncOutcome) -> dict[str, Any]:
    """Record who asked for the round and what it found (after it, in its own short transaction)."""
    with write_session(request.app.state.sessions) as session:
        record_requested_round(session, principal=principal, peer_id=peer_id, kind=kind, outcome=outcome)
    return outcome.__dict__


@router.get("/identity", response_model=IdentityOut, summary="This instance's particulars for its peers")
def identity(request: Request):
    """Return this instance's name, URL and verifier keys: give them to a peer's operator to connect."""
    return peers.identity(request.app.state.settings)


@router.get("/peers", response_model=list[PeerOut], summary="List the peers")
def list_peers(db: ReadDB, principal: AuthedPrincipal):
    """Return every connected peer with its proven size and any problem found (regulators)."""
    require_regulator_reader(principal)
    return [peers.peer_view(p) for p in peers.list_peers(db)]


@router.post("/peers", response_model=PeerOut, status_code=201, summary="Connect a peer")
def add_peer(item: PeerIn, request: Request, db: WriteDB, principal: AuthedPrincipal):
    """Connect a peer instance by its exchanged keys (admins); it is followed from its first log entry."""
    peer = peers.add_peer(db, principal=principal, settings=request.app.state.settings, **item.model_dump())
    return peers.peer_view(peer)


@router.post("/peers/{peer_id}/sync", response_model=SyncOut, summary="Follow a peer now")
def sync(peer_id: Id, request: Request, principal: AuthedPrincipal):
    """Read the peer's newest checkpoint and feed now, prove them and mirror what is proven (regulators)."""
    require_regulator(principal)
    return _recorded(request, principal, peer_id, "sync",
                     sync_peer(request.app.state.sessions, peer_id, http=request.app.state.federation_http))


@router.post("/peers/{peer_id}/audit", response_model=SyncOut, summary="Re-prove a peer's whole log")
def audit(peer_id: Id, request: Request, principal: AuthedPrincipal):
    """Re-read the peer's whole feed and prove it against its newest checkpoint; a finding is stored."""
    require_regulator(principal)
    return _recorded(request, principal, peer_id, "audit",
                     audit_peer(request.app.state.sessions, peer_id, http=request.app.state.federation_http))


@router.get("/certificates", response_model=PeerCertificates, summary="Search the peers' certificates")
def peer_certificates(db: ReadDB, q: Annotated[str, Query(min_length=1, max_length=100,
                                                          description="Number, 统一社会信用代码 or name substring")]):
    """Return the peers' mirrored certificates matching `q`, each labelled with its source and checkpoint."""
    return {"items": search_peers(db, q)}
