"""`ledger verify`: re-check everything the log claims, from the database alone.

(a) every event body re-hashes to its leaf hash, and its seq, type, subject, actor and time match
    the columns beside it; (b) the tree recomputed from the leaf hashes matches every stored hash,
    the tree row and every checkpoint, whose signatures verify with the recorded keys; (c) replaying
    `data.state` gives exactly the current rows (see replay.py).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.ledger.journal import LedgerEvent, log_size
from certbridge.ledger.private_entries import event_leaf
from certbridge.kit.canonical_json import to_json_value
from certbridge.kit.signed_note import (
    CosignatureVerifier,
    InvalidNoteError,
    UnverifiedNoteError,
    Verifier,
    open as open_note,
    parse_checkpoint,
)
from certbridge.ledger.integrate import extend_tree, root_from_frontier
from certbridge.ledger.keys import known_keys
from certbridge.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerTree, LedgerWitness
from certbridge.ledger.replay import KINDS, count_subjects, replay_kind
from certbridge.ledger.store import read_hash_range
from certbridge.kit.merkle import stored_hash_index

CHUNK = 20_000
MAX_REPORTED = 1000  # per code; the count keeps going

_EVENT_COLUMNS = (LedgerEvent.seq, LedgerEvent.type, LedgerEvent.subject_type, LedgerEvent.subject_id,
                  LedgerEvent.actor, LedgerEvent.at, LedgerEvent.body, LedgerEvent.leaf_hash, LedgerEvent.public,
                  LedgerEvent.nonce)

Progress = Callable[[str, int, int], None]  # phase, advance, total


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold, as a catalog code and its parameters."""

    code: str
    params: dict[str, Any]


@dataclass
class Report:
    """Everything `ledger verify` found."""

    events: int = 0
    tree_size: int = 0
    checkpoints: int = 0
    subjects: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, code: str, **params: Any) -> None:
        """Record a problem (only the first MAX_REPORTED of each code are kept in full)."""
        self.counts[code] = self.counts.get(code, 0) + 1
        if self.counts[code] <= MAX_REPORTED:
            self.problems.append(Problem(code, params))

    @property
    def ok(self) -> bool:
        return not self.counts


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _check_event(report: Report, row) -> None:
    seq, body = row.seq, row.body.encode("utf-8")
    if event_leaf(seq, row.public, body, row.nonce) != row.leaf_hash:
        report.add("ledger.verify.leaf_hash", seq=seq)
    try:
        parsed = json.loads(body)
    except ValueError:
        report.add("ledger.verify.body_unreadable", seq=seq)
        return
    columns = {"seq": seq, "type": row.type, "subject.type": row.subject_type, "subject.id": row.subject_id,
               "actor": row.actor, "at": to_json_value(row.at)}
    subject = parsed.get("subject") or {}
    in_body = {"seq": parsed.get("seq"), "type": parsed.get("type"), "subject.type": subject.get("type"),
               "subject.id": subject.get("id"), "actor": parsed.get("actor"), "at": parsed.get("at")}
    for name, value in columns.items():
        if in_body[name] != value:
            report.add("ledger.verify.column_differs", seq=seq, field=name, body=_short(in_body[name]),
                       column=_short(value))


def _verify_checkpoint(report: Report, cp: LedgerCheckpoint, root: bytes, log_verifiers, key_periods,
                       cosigs: list[str], witness_verifiers) -> None:
    if cp.root_hash != root:
        report.add("ledger.verify.checkpoint_root", id=cp.id, size=cp.size)
    try:
        opened = open_note(cp.note, log_verifiers)
        parsed = parse_checkpoint(opened.text)
    except (InvalidNoteError, UnverifiedNoteError, ValueError):
        report.add("ledger.verify.checkpoint_signature", id=cp.id, size=cp.size, key=cp.key)
        return
    if (parsed.size, parsed.root_hash) != (cp.size, cp.root_hash) or parsed.root_hash != root:
        report.add("ledger.verify.checkpoint_root", id=cp.id, size=cp.size)
    signed = {f"{s.name}+{s.key_id:08x}" for s in opened.sigs}
    if cp.key not in signed:
        report.add("ledger.verify.checkpoint_signature", id=cp.id, size=cp.size, key=cp.key)
    period = key_periods.get(cp.key)
    if period and not (period[0] <= cp.created_at and (period[1] is None or cp.created_at <= period[1])):
        report.add("ledger.verify.checkpoint_key_period", id=cp.id, size=cp.size, key=cp.key)
    for line in cosigs:
        try:
            note = open_note(opened.text + "\n" + line, witness_verifiers)
        except (InvalidNoteError, UnverifiedNoteError, ValueError):
            report.add("ledger.verify.cosignature", id=cp.id, size=cp.size, line=line.strip()[:60])
            continue
        if not note.sigs:
            report.add("ledger.verify.cosignature", id=cp.id, size=cp.size, line=line.strip()[:60])


def verify_log(session: Session, report: Report, progress: Progress | None = None) -> None:
    """Check (a) events against their hashes and (b) the tree, stored hashes and checkpoints."""
    progress = progress or (lambda *_: None)
    head = log_size(session)
    total = session.scalar(select(func.count()).select_from(LedgerEvent)) or 0
    tree = session.get(LedgerTree, 1)
    report.events, report.tree_size = total, tree.size if tree else 0
    if head != total:
        report.add("ledger.verify.head_size", head=head, events=total)
    checkpoints = list(session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.size, LedgerCheckpoint.id)))
    report.checkpoints = len(checkpoints)
    cosigs: dict[int, list[str]] = {}
    for cp_id, line in session.execute(select(LedgerCosignature.checkpoint_id, LedgerCosignature.line)):
        cosigs.setdefault(cp_id, []).append(line)
    keys = known_keys(session, "log")
    log_verifiers = [Verifier(k.verifier_key) for k in keys]
    key_periods = {f"{k.name}+{k.key_id}": (k.valid_from, k.valid_until) for k in keys}
    witness_verifiers = [CosignatureVerifier(w.verifier_key) for w in session.scalars(select(LedgerWitness))]
    frontier: dict[int, bytes] = {}
    size, cp_pos = 0, 0

    def checkpoints_up_to(n: int) -> None:
        nonlocal cp_pos
        while cp_pos < len(checkpoints) and checkpoints[cp_pos].size <= n:
            cp = checkpoints[cp_pos]
            if cp.size == n:
                _verify_checkpoint(report, cp, root_from_frontier(n, frontier), log_verifiers, key_periods,
                                   cosigs.get(cp.id, []), witness_verifiers)
            cp_pos += 1

    checkpoints_up_to(0)
    expected_seq = 0
    while True:
        rows = session.execute(select(*_EVENT_COLUMNS).where(LedgerEvent.seq >= expected_seq)
                               .order_by(LedgerEvent.seq).limit(CHUNK)).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                report.add("ledger.verify.seq_gap", expected=expected_seq, found=row.seq)
                for missing in range(expected_seq, min(row.seq, expected_seq + 10)):
                    report.add("ledger.verify.event_missing", seq=missing)
            _check_event(report, row)
            expected_seq = row.seq + 1
        # (b): extend the recomputed tree leaf by leaf up to the integrated size, checkpoint by checkpoint.
        leaves = [r.leaf_hash for r in rows if r.seq < report.tree_size]
        while leaves:
            stop = checkpoints[cp_pos].size if cp_pos < len(checkpoints) else None
            take = len(leaves) if stop is None else min(len(leaves), stop - size)
            start_index = stored_hash_index(0, size)
            computed, frontier = extend_tree(size, frontier, leaves[:take])
            size += take
            stored = dict(read_hash_range(session, start_index, start_index + len(computed)))
            for index, h in computed:
                if stored.get(index) != h:
                    report.add("ledger.verify.stored_hash", index=index, leaf=size - take,
                               expected=base64.b64encode(h).decode(),
                               found=base64.b64encode(stored[index]).decode() if index in stored else "-")
            checkpoints_up_to(size)
            leaves = leaves[take:]
        progress("log", len(rows), total)
    for missing in range(expected_seq, min(head, expected_seq + MAX_REPORTED)):  # a deleted tail
        report.add("ledger.verify.event_missing", seq=missing)
    if size != report.tree_size:
        report.add("ledger.verify.tree_beyond_events", tree=report.tree_size, events=size)
    elif tree is not None and tree.root_hash != root_from_frontier(size, frontier):
        report.add("ledger.verify.tree_root", size=size)
    for cp in checkpoints[cp_pos:]:
        report.add("ledger.verify.checkpoint_beyond_tree", id=cp.id, size=cp.size)
    latest = session.scalar(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc()).limit(1))
    if latest is None:
        report.add("ledger.verify.no_checkpoint")
    elif tree is not None and (latest.size, latest.root_hash) != (tree.size, tree.root_hash):
        report.add("ledger.verify.latest_checkpoint", size=latest.size, tree=tree.size)


def verify_state(session: Session, report: Report, progress: Progress | None = None) -> None:
    """Check (c): replaying the log gives the current rows of every replayed table."""
    progress = progress or (lambda *_: None)
    for kind in KINDS:
        total = count_subjects(session, kind)
        report.subjects[kind.subject_type] = total
        for m in replay_kind(session, kind, on_progress=lambda n, k=kind, t=total: progress(k.subject_type, n, t)):
            if m.problem == "row_missing":
                report.add("ledger.verify.row_missing", table=m.table, id=m.subject_id)
            elif m.problem == "row_unlogged":
                report.add("ledger.verify.row_unlogged", table=m.table, id=m.subject_id)
            else:
                report.add("ledger.verify.state_mismatch", table=m.table, id=m.subject_id, field=m.field,
                           expected=_short(m.expected), found=_short(m.found))


def verify_everything(session: Session, progress: Progress | None = None, *, replay: bool = True) -> Report:
    """Run every check and return the report."""
    from certbridge.ledger.state_map import verify_map

    report = Report()
    verify_log(session, report, progress)
    for code, params in verify_map(session):  # the state map, rebuilt from the log and from its chunks
        report.add(code, **params)
    if replay:
        verify_state(session, report, progress)
    return report
