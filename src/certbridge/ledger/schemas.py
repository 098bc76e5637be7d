"""API shapes of the ledger: proofs, bundles, events, keys and witnesses."""

from __future__ import annotations

from pydantic import BaseModel, Field


class InclusionProofOut(BaseModel):
    """An RFC 9162 inclusion proof."""

    index: int = Field(description="Leaf index (the event's seq)")
    tree_size: int
    leaf_hash: str = Field(description="base64 of SHA-256(0x00 ‖ event body)")
    proof: list[str] = Field(description="base64 hashes, leaf end first")


class ConsistencyProofOut(BaseModel):
    """An RFC 9162 consistency proof between two tree sizes."""

    old_size: int
    new_size: int
    proof: list[str] = Field(description="base64 hashes")


class SubjectOut(BaseModel):
    """What an event is about."""

    type: str
    id: str


class EventOut(BaseModel):
    """One event of the log; the body (exactly the hashed bytes) only when public."""

    seq: int
    leaf_hash: str = Field(description="base64")
    public: bool
    type: str | None
    subject: SubjectOut | None
    at: str | None
    body: str | None = Field(description="Canonical JSON (RFC 8785) whose leaf hash is leaf_hash; null if not public")
    nonce: str | None = Field(None, description="base64; a private event shown to a regulator: its leaf covers the "
                                                "committed form of body under this nonce (docs/ledger.md)")


class ProofBundle(BaseModel):
    """Everything needed to check offline that an event is in a signed checkpoint (format certbridge-proof/v1)."""

    format: str = Field(examples=["certbridge-proof/v1"])
    index: int
    event: str | None = Field(description="The event body, exactly as hashed; null for non-public events")
    nonce: str | None = Field(None, description="base64; a revealed private event: its leaf covers the committed "
                                                "form of `event` under this nonce")
    leaf_hash: str
    tree_size: int
    root_hash: str
    inclusion_proof: list[str]
    checkpoint: str = Field(description="The signed checkpoint note (with witness cosignatures)")
    log_keys: list[str] = Field(description="The log's verifier keys, for information only: check with your own copy")


class StatusProofOut(BaseModel):
    """A subject's latest state (or its absence) as of a signed checkpoint (format certbridge-status-proof/v1)."""

    format: str = Field(examples=["certbridge-status-proof/v1"])
    name: str = Field(description="The subject's name in the state map, e.g. certificate:00126:CN-2024-0001")
    present: bool = Field(description="Whether the subject has any public event as of the checkpoint")
    checkpoint: str = Field(description="The signed checkpoint note with its state-map line and cosignatures")
    tree_size: int
    map_proof: str = Field(description="The state-map proof, base64 (docs/ledger.md, 'Status proofs')")
    events: list[str] = Field(description="The subject's public events, first to latest, exactly as hashed")
    inclusion_proofs: list[list[str]] = Field(description="Per event, its inclusion proof in the checkpoint's tree")
    log_keys: list[str] = Field(description="The log's verifier keys, for information only: check with your own copy")
    body_proof: dict | None = Field(None, description="A present certificate's issuing body, as a bundle of the same "
                                    "form under the same checkpoint (its approval is part of the effective status)")


class KeyOut(BaseModel):
    """A verifier key this instance has used."""

    purpose: str = Field(description="log | witness | credential")
    name: str
    key_id: str
    verifier_key: str
    valid_from: str
    valid_until: str | None


class WitnessOut(BaseModel):
    """A witness this log asks for cosignatures."""

    id: int
    name: str
    url: str
    verifier_key: str
    last_size: int
    active: bool
    last_contact_at: str | None
    last_error: str | None
