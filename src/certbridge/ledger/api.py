"""Ledger endpoints: checkpoints, proofs, events, proof bundles, keys; tiles and the witness live beside."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from certbridge.api.deps import CurrentPrincipal
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.errors import NotFound
from certbridge.ledger import proofs
from certbridge.ledger.api_static import static_router
from certbridge.ledger.deps import LedgerDB, note_response
from certbridge.ledger.keys import known_keys
from certbridge.ledger.status_proofs import name_of, status_bundle
from certbridge.ledger.schemas import (
    ConsistencyProofOut,
    EventOut,
    InclusionProofOut,
    KeyOut,
    ProofBundle,
    StatusProofOut,
    WitnessOut,
)
from certbridge.ledger.witnessing import list_witnesses

api = APIRouter(prefix="/api/v1", tags=["ledger"], responses=PROBLEM_RESPONSES)

Seq = Annotated[int, Path(ge=0, le=2**62)]
NOTE = {200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "A C2SP signed note"}}


@api.get("/ledger/checkpoint", responses=NOTE, summary="Latest checkpoint")
def latest_checkpoint(db: LedgerDB):
    """Return the latest signed checkpoint (C2SP tlog-checkpoint) with its witness cosignatures."""
    return note_response(proofs.served_note(db, proofs.latest_checkpoint(db)))


@api.get("/ledger/checkpoints/{size}", responses=NOTE,
            summary="Checkpoint of a tree size")
def checkpoint_of_size(size: Annotated[int, Path(ge=0, le=2**62)], db: LedgerDB):
    """Return the signed checkpoint of a given tree size, if one was signed."""
    return note_response(proofs.served_note(db, proofs.checkpoint_at(db, size)), cache="public, max-age=60")


@api.get("/ledger/proof/inclusion", response_model=InclusionProofOut, summary="Inclusion proof")
def inclusion(db: LedgerDB, index: Annotated[int, Query(ge=0, le=2**62)],
              size: Annotated[int | None, Query(ge=1, le=2**62, description="Default: latest checkpoint")] = None):
    """Return the proof that event `index` is in the tree of `size`."""
    size = size if size is not None else proofs.latest_checkpoint(db).size
    proof = proofs.inclusion_proof(db, index=index, size=size)
    event = proofs.get_event(db, index)
    return {"index": index, "tree_size": size, "leaf_hash": proofs.b64(event.leaf_hash),
            "proof": [proofs.b64(h) for h in proof]}


@api.get("/ledger/proof/consistency", response_model=ConsistencyProofOut, summary="Consistency proof")
def consistency(db: LedgerDB, old: Annotated[int, Query(ge=1, le=2**62)],
                new: Annotated[int | None, Query(ge=1, le=2**62, description="Default: latest checkpoint")] = None):
    """Return the proof that the tree of size `old` is a prefix of the tree of size `new`."""
    new = new if new is not None else proofs.latest_checkpoint(db).size
    proof = proofs.consistency_proof(db, old_size=old, new_size=new)
    return {"old_size": old, "new_size": new, "proof": [proofs.b64(h) for h in proof]}


@api.get("/ledger/events/{seq}", response_model=EventOut, summary="One event")
def event(seq: Seq, db: LedgerDB, principal: CurrentPrincipal):
    """Return one event with its leaf hash; the body only if the event is public (or you are a regulator)."""
    return proofs.event_view(proofs.get_event(db, seq), reveal_private=principal.is_regulator)


@api.get("/ledger/events/{seq}/proof", response_model=ProofBundle, summary="Proof bundle of an event")
def event_proof(seq: Seq, db: LedgerDB, principal: CurrentPrincipal,
                size: Annotated[int | None, Query(ge=0, le=2**62, description="Checkpoint size")] = None):
    """Return a self-contained bundle proving an event is in a signed checkpoint (verify it offline)."""
    return proofs.proof_bundle(db, seq=seq, size=size, reveal_private=principal.is_regulator)


@api.get("/certificates/{certificate_id}/history/{seq}/proof", response_model=ProofBundle,
            summary="Proof bundle of a certificate event")
def certificate_event_proof(certificate_id: Id, seq: Seq, db: LedgerDB,
                            size: Annotated[int | None, Query(ge=0, le=2**62, description="Checkpoint size")] = None):
    """Return the downloadable proof that this event of a certificate's history is in the log."""
    event = proofs.get_event(db, seq)
    if event.subject_type != "certificate" or event.subject_id != str(certificate_id) or not event.public:
        raise NotFound("ledger.not_this_certificate", seq=seq, id=certificate_id)
    return proofs.proof_bundle(db, seq=seq, size=size)


@api.get("/ledger/status", response_model=StatusProofOut, summary="Status or absence proof")
def status_proof(db: LedgerDB,
                 certificate: Annotated[str | None, Query(max_length=200, description="<body code>:<number>")] = None,
                 body: Annotated[str | None, Query(max_length=40, description="A certification body's code")] = None,
                 organization: Annotated[str | None, Query(max_length=40, description="An organization's USCC "
                                                           "(统一社会信用代码), or #<id>")] = None,
                 person: Annotated[str | None, Query(max_length=40, description="A person's registration "
                                                     "number (auditors)")] = None,
                 lab: Annotated[str | None, Query(max_length=30, description="A lab's CMA number")] = None):
    """Prove a subject's latest state as of the newest checkpoint — or that it does not exist (verify offline)."""
    return status_bundle(db, name_of(certificate=certificate, body=body, organization=organization, person=person,
                                     lab=lab))


@api.get("/ledger/keys", response_model=list[KeyOut], summary="Verifier keys")
def keys(db: LedgerDB):
    """Return every verifier key this instance has used, with when it was in use."""
    return [{"purpose": k.purpose, "name": k.name, "key_id": k.key_id, "verifier_key": k.verifier_key,
             "valid_from": k.valid_from.isoformat(), "valid_until": k.valid_until.isoformat() if k.valid_until else None}
            for k in known_keys(db)]


@api.get("/ledger/witnesses", response_model=list[WitnessOut], summary="Witnesses")
def witnesses(db: LedgerDB):
    """Return the witnesses this log asks to cosign its checkpoints, and how they last answered."""
    return [{"id": w.id, "name": w.name, "url": w.url, "verifier_key": w.verifier_key, "last_size": w.last_size,
             "active": w.active, "last_contact_at": w.last_contact_at.isoformat() if w.last_contact_at else None,
             "last_error": w.last_error} for w in list_witnesses(db)]


# Registered in app.py: the JSON API under /api/v1, and the C2SP resources (/log/..., /witness/...) at the root.
router = APIRouter()
router.include_router(api)
router.include_router(static_router)
