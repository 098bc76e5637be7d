"""Never sign beyond the log: fold a certificate's own events before signing anything about it.

Tokens and receipts are signed statements about a certificate. Before either is signed — and in the online
token check — the certificate's events are read (one indexed read by subject) and folded, and the fold is
compared with the row, field by field. A row with no issue event (inserted straight into the database) or a
row that differs from its fold (edited behind the services' back) gets no signature, and the online check
never calls it valid. The integrity monitor (ledger/integrity.py) stops all signing when the log itself is
damaged. Verification by number does not fold: it stays one point read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.ledger.journal import LedgerEvent, subject_history
from certbridge.ledger.integrity import IntegrityHalt, require_sound
from certbridge.ledger.replay import KINDS, StateMismatch, compare, fold

ISSUE_EVENTS = ("certificate.issued", "certificate.renewed")
_CERTIFICATES = next(k for k in KINDS if k.subject_type == "certificate")


@dataclass(frozen=True)
class LogFold:
    """A certificate's events, their folded state, and how the row compares with it."""

    events: list[LedgerEvent]
    state: dict[str, Any]
    issued: bool  # the first event is an issue (or renewal) event
    mismatches: list[StateMismatch]

    @property
    def agrees(self) -> bool:
        """Tell whether the row is exactly what the certificate's events say."""
        return self.issued and not self.mismatches

    @property
    def differing_fields(self) -> tuple[str, ...]:
        """Return the top-level fields where row and log differ."""
        return tuple(dict.fromkeys(m.field.split("[")[0].split(".")[0] for m in self.mismatches))


def fold_certificate(session: Session, cert: Certificate) -> LogFold:
    """Fold a certificate's events (one indexed read) and compare them with its row."""
    events = subject_history(session, "certificate", cert.id)
    issued = bool(events) and events[0].type in ISSUE_EVENTS
    state = fold([e.body for e in events])
    mismatches = compare(_CERTIFICATES, str(cert.id), state, cert) if events else []
    return LogFold(events, state, issued, mismatches)


def require_logged(session: Session, cert: Certificate) -> LogFold:
    """Return the certificate's fold if the server may sign about it; raise IntegrityHalt otherwise."""
    require_sound(session)
    result = fold_certificate(session, cert)
    if not result.issued:
        raise IntegrityHalt("credential.not_in_log", id=cert.id)
    if result.mismatches:
        raise IntegrityHalt("credential.row_differs", id=cert.id, fields=", ".join(result.differing_fields))
    return result
