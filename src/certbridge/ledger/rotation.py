"""Key rotation: a new key takes over, the old one is retired but stays on record, so all it signed verifies."""

from __future__ import annotations

from sqlalchemy.orm import Session

from certbridge.ledger.journal import record_event
from certbridge.kit.signed_note import Signer
from certbridge.ledger import keys
from certbridge.ledger.integrate import integrate, sign_checkpoint
from certbridge.ledger.models import LedgerCheckpoint, LedgerKey
from certbridge.policy import require_admin
from certbridge.principal import Principal
from certbridge.settings import Settings


def rotate_key(session: Session, *, principal: Principal, settings: Settings, purpose: str,
               new_signer_key: str) -> tuple[LedgerKey, LedgerKey, LedgerCheckpoint | None]:
    """Retire a purpose's key for a prepared one; a new log key first co-signs the current tree with the old."""
    require_admin(principal)
    keys.key_name(settings, purpose)
    integration = integrate(session, settings=settings, rotating=True)  # takes the tree lock: no one signs meanwhile
    old_signer = Signer(keys.signer_key(settings, "log")) if purpose == "log" else None
    old, new = keys.record_rotation(session, settings, purpose, new_signer_key)
    record_event(session, type="ledger.key_rotated", subject_type="ledger_key", subject_id=new.id,
                 actor=principal.actor,
                 data={"state": {"purpose": purpose, "verifier_key": new.verifier_key,
                                 "valid_from": new.valid_from},
                       "retired": {"verifier_key": old.verifier_key, "valid_until": old.valid_until}})
    checkpoint = None
    if old_signer is not None:
        # The hand-over checkpoint carries both signatures: whoever trusts the old key can adopt the new one.
        checkpoint = sign_checkpoint(session, settings=settings, size=integration.size,
                                     root_hash=integration.root_hash, signers=[Signer(new_signer_key), old_signer])
    return old, new, checkpoint
