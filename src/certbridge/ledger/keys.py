"""The instance's Ed25519 keys: files in <data_dir>/keys (mode 0600), every verifier key kept in ledger_key.

Three keys, one per purpose, so a signature made for one thing can never pass for another:
`log` signs checkpoints (its name is the log's origin), `witness` cosigns other logs' checkpoints,
`credential` signs certificate tokens and verification receipts. A key file is created on first use;
its verifier key is recorded with the time it came into use, and keeps its row after rotation, so
everything it ever signed stays verifiable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.db import utcnow
from certbridge.errors import InvalidInput, RuleViolation
from certbridge.kit.secret_files import write_exclusive
from certbridge.kit.signed_note import CosignatureSigner, Signer, generate_key, is_valid_key_name
from certbridge.ledger.models import LedgerKey
from certbridge.settings import INSTANCE_NAME_FILE, Settings

PURPOSES = ("log", "witness", "credential")


def key_name(settings: Settings, purpose: str) -> str:
    """Return the signed-note key name of one of this instance's keys."""
    if purpose not in PURPOSES:
        raise InvalidInput("ledger.key_purpose", field="purpose", purpose=purpose, allowed=", ".join(PURPOSES))
    name = f"{settings.instance_name}/{purpose}"
    if not is_valid_key_name(name):
        raise InvalidInput("ledger.instance_name", field="instance_name", name=settings.instance_name)
    return name


def log_origin(settings: Settings) -> str:
    """Return the checkpoint origin line of this instance's log (also its log key's name)."""
    return key_name(settings, "log")


def keys_dir(settings: Settings) -> Path:
    """Return the folder holding the private keys, created with mode 0700."""
    path = settings.ensure_data_dir() / "keys"
    path.mkdir(mode=0o700, exist_ok=True)
    name_file = path / INSTANCE_NAME_FILE
    if not name_file.exists():  # the log origin is fixed with the first key: later runs read it back
        write_exclusive(name_file, settings.instance_name)
    return path


def key_file(settings: Settings, purpose: str) -> Path:
    """Return where a purpose's current private key lives, checking and creating nothing (for stat calls)."""
    return settings.data_dir / "keys" / f"{purpose}.key"


def key_path(settings: Settings, purpose: str) -> Path:
    """Return the file of a purpose's current private key, its folder created."""
    key_name(settings, purpose)
    keys_dir(settings)
    return key_file(settings, purpose)


def signer_key(settings: Settings, purpose: str) -> str:
    """Return a purpose's private signer key, generating it on first use."""
    path = key_path(settings, purpose)
    if not path.exists():
        write_exclusive(path, generate_key(key_name(settings, purpose))[0])
    text = path.read_text().strip()
    name = text.split("+")[2] if text.count("+") >= 4 else ""
    if name != key_name(settings, purpose):
        raise RuleViolation("ledger.key_file_name", path=str(path), found=name, expected=key_name(settings, purpose))
    return text


def log_signer(settings: Settings) -> Signer:
    """Return the signer of this instance's checkpoints."""
    return Signer(signer_key(settings, "log"))


def credential_signer(settings: Settings) -> Signer:
    """Return the signer of certificate tokens and receipts."""
    return Signer(signer_key(settings, "credential"))


def witness_cosigner(settings: Settings) -> CosignatureSigner:
    """Return the cosigner this instance witnesses other logs with."""
    return CosignatureSigner(signer_key(settings, "witness"))


def local_verifier_key(settings: Settings, purpose: str) -> str:
    """Return the verifier key of a purpose's current local key."""
    if purpose == "witness":
        return witness_cosigner(settings).verifier_key
    return Signer(signer_key(settings, purpose)).verifier_key


def _row(purpose: str, verifier_key: str) -> LedgerKey:
    name, key_id, _ = verifier_key.split("+", 2)
    return LedgerKey(purpose=purpose, name=name, key_id=key_id, verifier_key=verifier_key, valid_from=utcnow())


def active_key(session: Session, purpose: str) -> LedgerKey | None:
    """Return the key currently in use for a purpose, as recorded."""
    return session.scalar(select(LedgerKey).where(LedgerKey.purpose == purpose, LedgerKey.valid_until.is_(None))
                          .order_by(LedgerKey.id.desc()))


def known_keys(session: Session, purpose: str | None = None) -> list[LedgerKey]:
    """Return every key ever used (for a purpose), oldest first."""
    stmt = select(LedgerKey).order_by(LedgerKey.id)
    if purpose:
        stmt = stmt.where(LedgerKey.purpose == purpose)
    return list(session.scalars(stmt))


def register_local_keys(session: Session, settings: Settings, *, finish_rotations: bool = True) -> None:
    """Record this server's keys; refuse to sign with a key that is not the log's recorded one.

    Call inside a write transaction that holds the tree lock (integrate does), so two servers
    starting at once cannot both record a different first key.
    """
    for purpose in PURPOSES:
        if finish_rotations:
            _finish_rotation(session, settings, purpose)
        local = local_verifier_key(settings, purpose)
        row = session.scalar(select(LedgerKey).where(LedgerKey.verifier_key == local))
        current = active_key(session, purpose)
        if row is None and current is None:
            session.add(_row(purpose, local))
            session.flush()
        elif row is None or row.valid_until is not None:
            # Another server's key, or a retired one: signing with it would fork the log's identity.
            raise RuleViolation("ledger.key_not_current", purpose=purpose, path=str(key_path(settings, purpose)),
                                expected=current.verifier_key if current else "-")


def _pending_path(settings: Settings, purpose: str) -> Path:
    return key_path(settings, purpose).with_name(f"{purpose}.key.new")


def _finish_rotation(session: Session, settings: Settings, purpose: str) -> None:
    """Complete a rotation that committed but crashed before swapping files, or drop one that never committed."""
    pending = _pending_path(settings, purpose)
    if not pending.exists():
        return
    text = pending.read_text().strip()
    vkey = CosignatureSigner(text).verifier_key if purpose == "witness" else Signer(text).verifier_key
    row = session.scalar(select(LedgerKey).where(LedgerKey.verifier_key == vkey))
    if row is not None and row.valid_until is None:
        swap_key_files(settings, purpose)
    elif row is None:
        pending.unlink()


def prepare_rotation(settings: Settings, purpose: str) -> str:
    """Write the next key beside the current one (as <purpose>.key.new) and return its signer key."""
    pending = _pending_path(settings, purpose)
    if pending.exists():
        raise RuleViolation("ledger.rotation_pending", path=str(pending))
    text = generate_key(key_name(settings, purpose))[0]
    if not write_exclusive(pending, text):
        raise RuleViolation("ledger.rotation_pending", path=str(pending))
    return text


def record_rotation(session: Session, settings: Settings, purpose: str, new_signer_key: str) -> tuple[LedgerKey, LedgerKey]:
    """Retire the active key of a purpose and record the new one; return (old, new) rows."""
    old = active_key(session, purpose)
    if old is None:
        raise RuleViolation("ledger.no_key_to_rotate", purpose=purpose)
    now = utcnow()
    old.valid_until = now
    if purpose == "witness":
        vkey = CosignatureSigner(new_signer_key).verifier_key
    else:
        vkey = Signer(new_signer_key).verifier_key
    new = _row(purpose, vkey)
    new.valid_from = now
    session.add(new)
    session.flush()
    return old, new


def swap_key_files(settings: Settings, purpose: str) -> None:
    """After the rotation committed: archive the old private key and put the new one in its place."""
    current, pending = key_path(settings, purpose), _pending_path(settings, purpose)
    if not pending.exists():  # another process on this data directory finished it already
        return
    retired = keys_dir(settings) / "retired"
    retired.mkdir(mode=0o700, exist_ok=True)
    if current.exists():
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        os.replace(current, retired / f"{purpose}-{stamp}-{secrets.token_hex(3)}.key")
    os.replace(pending, current)


def abandon_rotation(settings: Settings, purpose: str) -> None:
    """Remove a prepared key whose rotation did not commit."""
    _pending_path(settings, purpose).unlink(missing_ok=True)
