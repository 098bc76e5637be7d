"""Facts recognized from peer instances (监管互认), read from the log like every other fact.

The federation records `recognition.spot_check` / `recognition.penalty` (subject `recognized_fact`, private)
for a peer's spot-check result or penalty that concerns an organization or body known here, and
`recognition.withdrawn` when it stops counting (the switch turned off, the peer withdrew or repaired its
penalty). A fact counts while its latest event is not a withdrawal. Each names its source: the peer instance,
its label, the peer's log index and the checkpoint that proved it. Credit turns them into entries
(credit/feed.py), risk into signal evidence, and the draw into exclusions — without importing the federation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.credit.models import CreditEntry
from certbridge.i18n.catalog import render
from certbridge.ledger.journal import LedgerEvent

FACT = "recognized_fact"
SPOT_CHECK, PENALTY, WITHDRAWN = "recognition.spot_check", "recognition.penalty", "recognition.withdrawn"


def recognized_facts(session: Session, event_type: str) -> list[tuple[int, dict[str, Any]]]:
    """Return (local log index, data) of every recognized fact of that type that counts now, in log order."""
    last: dict[str, LedgerEvent] = {}
    for event in session.scalars(select(LedgerEvent).where(LedgerEvent.subject_type == FACT)
                                 .order_by(LedgerEvent.seq)):
        last[event.subject_id] = event
    return sorted((e.seq, e.data) for e in last.values() if e.type == event_type)


def source_label(source: dict[str, Any], kind: str, lang: str = "zh") -> str:
    """Return "来自 <peer> 的抽查结果" (or 的行政处罚) for a recognized fact's source."""
    return render(f"recognition.source.{kind}", lang, peer=source.get("label") or source.get("instance"))


def recognized_entries(session: Session, subject_type: str, subject_id: int, lang: str = "zh") -> list[dict[str, Any]]:
    """Return the recognized facts weighing on a subject's credit now, each with its source and label."""
    entries = list(session.scalars(select(CreditEntry).where(
        CreditEntry.subject_type == subject_type, CreditEntry.subject_id == subject_id,
        CreditEntry.source_type == FACT, CreditEntry.void.is_(False)).order_by(CreditEntry.source_seq)))
    events = {e.seq: e for e in session.scalars(select(LedgerEvent).where(
        LedgerEvent.seq.in_([e.source_seq for e in entries])))} if entries else {}
    out = []
    for entry in entries:
        event = events.get(entry.source_seq)
        source = event.data.get("source", {}) if event is not None else {}
        kind = "spot_check" if event is not None and event.type == SPOT_CHECK else "penalty"
        out.append({"kind": entry.kind, "occurred_on": entry.occurred_on, "source": source,
                    "label": source_label(source, kind, lang)})
    return out
