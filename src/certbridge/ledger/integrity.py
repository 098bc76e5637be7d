"""The integrity monitor: at start-up and in the background, check that the log still proves what it says.

Each step checks, from stored watermarks so its cost is bounded (at most `EVENTS_PER_RUN` events, the same
number of tree leaves, `SWEEP_LEAVES` older leaves and `ROWS_PER_RUN` certificates, replayed `BATCH` at a time);
a run takes steps while there is more to check, for up to `CATCH_UP_SECONDS`, and the background runner comes
back at once while it is behind — catch-up is proportional to the backlog:

* the log's tail: sequence numbers dense up to the head (the last event still there), each new event's
  body re-hashing to its leaf hash, and each new event that names its predecessor by `prev_hash` naming an
  earlier public event of its subject with that leaf hash;
* the stored tree: the stored hashes of newly integrated leaves recomputed from the event bodies, plus a
  rolling window of older leaves (so every stored hash is re-checked over time), the frontier folding to the
  tree row's root, and the latest signed checkpoint naming the tree's size and root with a valid signature;
* the rows changed since the last check: certificates whose events arrived since, and certificates with ids
  above the last checked one (rows inserted straight into the database), replayed from their events.

On any problem the state becomes *degraded*, stored in `ledger_integrity` (so every process sees it) and
kept in memory per engine: signing stops (tokens, receipts, checkpoints), verification answers carry an
integrity warning, `/healthz` answers 503 and the server log says why. It stays degraded until
`certbridge ledger verify` passes in full (which also moves the watermarks to what it checked).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from certbridge.certificates.models import Certificate
from certbridge.db import read_session, utcnow, write_session
from certbridge.errors import DomainError
from certbridge.kit.merkle import stored_hash_index
from certbridge.ledger.private_entries import event_leaf
from certbridge.kit.signed_note import InvalidNoteError, UnverifiedNoteError, Verifier, open as open_note, \
    parse_checkpoint
from certbridge.ledger.integrate import extend_tree, frontier_indexes, root_from_frontier
from certbridge.ledger.keys import known_keys
from certbridge.ledger.models import LedgerCheckpoint, LedgerIntegrity
from certbridge.ledger.replay import KINDS, compare, fold

log = logging.getLogger(__name__)

EVENTS_PER_RUN = 50_000
SWEEP_LEAVES = 4096
ROWS_PER_RUN = 5_000
BATCH = 500  # certificates replayed per round of statements
CATCH_UP_SECONDS = 2.0  # one run goes on checking while it is behind, for up to this long
MAX_PROBLEMS = 50
CERTIFICATES = next(k for k in KINDS if k.subject_type == "certificate")


class IntegrityHalt(DomainError):
    """The server refuses to sign: its log and its rows (or its stored tree) disagree."""

    status = 503

    def message(self, lang: str = "zh") -> str:
        """Render the refusal with the problem it is about, both in the caller's language."""
        from certbridge.i18n.catalog import render

        problem = self.params.get("problem")
        params = {k: v for k, v in self.params.items() if k != "problem"}
        text = render(problem["code"], lang, **problem["params"]) if isinstance(problem, dict) else ""
        return render(self.code, lang, **params, problem=text)


def problem_text(problem: dict[str, Any], lang: str) -> str:
    """Render one stored problem ({code, params}) in a language."""
    from certbridge.i18n.catalog import render

    return render(problem["code"], lang, **problem["params"])


@dataclass(frozen=True)
class IntegrityStatus:
    """The monitor's verdict: ok, or degraded with the problems found (catalog codes and parameters)."""

    ok: bool
    problems: tuple[dict[str, Any], ...] = ()
    checked_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the status as /healthz and `ledger integrity` show it."""
        return {"status": "ok" if self.ok else "degraded", "problems": list(self.problems),
                "checked_at": self.checked_at.isoformat() if self.checked_at else None}


@dataclass
class Findings:
    """What one run found and how far it got."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    checked_seq: int = 0
    checked_tree: int = 0
    sweep_leaf: int = 0
    checked_certificate: int = 0
    behind: bool = False  # more is left to check than one run's share (events, leaves or new rows)

    def add(self, code: str, **params: Any) -> None:
        """Record a problem (the first MAX_PROBLEMS are kept)."""
        problem = {"code": code, "params": params}
        if len(self.problems) < MAX_PROBLEMS and problem not in self.problems:
            self.problems.append(problem)


_known: WeakKeyDictionary[Engine, IntegrityStatus] = WeakKeyDictionary()
_sweeps: WeakKeyDictionary[Engine, int] = WeakKeyDictionary()  # where the rolling re-check of older leaves is
_behind: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()  # the last run stopped with more to check


def _driver_rows(session: Session, sql: str, params: tuple) -> list[tuple]:
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
    return [tuple(r) for r in conn.exec_driver_sql(sql, params).all()]


def _stored(session: Session, indexes: list[int]) -> dict[int, bytes]:
    """Read stored hashes straight from the table (never the proof cache: the point is to distrust it)."""
    out: dict[int, bytes] = {}
    for start in range(0, len(indexes), 500):
        part = indexes[start:start + 500]
        marks = ", ".join("?" for _ in part)
        for idx, h in _driver_rows(session, f"SELECT idx, hash FROM ledger_hash WHERE idx IN ({marks})", tuple(part)):
            out[idx] = bytes(h)
    return out


def _check_events(session: Session, found: Findings, head: int, start: int) -> int:
    """Check events [start, start + EVENTS_PER_RUN) ∩ [0, head): dense, re-hashing; return where it stopped."""
    end = min(head, start + EVENTS_PER_RUN)
    rows = _driver_rows(session, "SELECT seq, body, leaf_hash, public, nonce FROM ledger_event WHERE seq >= ? "
                                 "AND seq < ? ORDER BY seq", (start, end))
    expected = start
    for seq, body, leaf, public, nonce in rows:
        if seq != expected:
            for missing in range(expected, min(seq, expected + 5)):
                found.add("integrity.event_missing", seq=missing)
        if event_leaf(seq, bool(public), body.encode("utf-8"), nonce) != bytes(leaf):
            found.add("integrity.leaf_hash", seq=seq)
        expected = seq + 1
    if expected < end:
        found.add("integrity.event_missing", seq=expected)
    _check_links(session, found, [(seq, body) for seq, body, _, public, _ in rows
                                  if public and '"prev_hash":"' in body])
    if head > 0 and not _driver_rows(session, "SELECT 1 FROM ledger_event WHERE seq = ?", (head - 1,)):
        found.add("integrity.event_missing", seq=head - 1)
    beyond = _driver_rows(session, "SELECT max(seq) FROM ledger_event", ())[0][0]
    if beyond is not None and beyond >= head:
        found.add("integrity.event_beyond_head", seq=beyond, head=head)
    return end


def _check_links(session: Session, found: Findings, linked: list[tuple[int, str]]) -> None:
    """Check that each event naming its predecessor by `prev` and `prev_hash` (ledger/journal.py) names an earlier
    public event of the same subject with that leaf hash: a stapled proof takes those events on the link alone.
    (`certbridge ledger verify` also checks that no public event of the subject lies in between.)"""
    import base64

    links = {}
    for seq, body in linked:
        event = json.loads(body)
        links[seq] = (event.get("prev"), event.get("prev_hash"), event.get("subject") or {})
    targets: dict[int, tuple] = {}
    wanted = sorted({p for p, _, _ in links.values() if isinstance(p, int)})
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        for row in _driver_rows(session, f"SELECT seq, subject_type, subject_id, public, leaf_hash FROM ledger_event "
                                         f"WHERE seq IN ({', '.join('?' for _ in part)})", tuple(part)):
            targets[row[0]] = row
    for seq, (prev, prev_hash, subject) in links.items():
        target = targets.get(prev)
        if target is None or not (prev < seq and target[1] == subject.get("type") and target[2] == subject.get("id")
                                  and target[3] and base64.b64encode(bytes(target[4])).decode() == prev_hash):
            found.add("statemap.verify.chain", seq=seq)


def _check_leaves(session: Session, found: Findings, start: int, end: int) -> None:
    """Recompute the stored hashes that leaves [start, end) completed, from the event bodies, and compare."""
    if end <= start:
        return
    bodies = _driver_rows(session, "SELECT seq, body, public, nonce FROM ledger_event WHERE seq >= ? AND seq < ? "
                                   "ORDER BY seq", (start, end))
    if len(bodies) != end - start:
        return  # the missing events are reported by _check_events
    front = frontier_indexes(start)
    stored_front = _stored(session, front)
    if len(stored_front) != len(front):
        found.add("integrity.stored_hash", index=next(i for i in front if i not in stored_front), leaf=start)
        return
    leaves = [event_leaf(seq, bool(public), body.encode("utf-8"), nonce) for seq, body, public, nonce in bodies]
    computed, _ = extend_tree(start, stored_front, leaves)
    first = stored_hash_index(0, start)
    stored = dict(_driver_rows(session, "SELECT idx, hash FROM ledger_hash WHERE idx >= ? AND idx < ? ORDER BY idx",
                               (first, first + len(computed))))
    for index, h in computed:
        if bytes(stored.get(index, b"")) != h:
            found.add("integrity.stored_hash", index=index, leaf=start)
            return


def _check_tree_head(session: Session, found: Findings, tree_size: int, tree_root: bytes) -> None:
    """The frontier folds to the tree row's root; the latest checkpoint names that size and root, validly signed."""
    front = frontier_indexes(tree_size)
    stored = _stored(session, front)
    if len(stored) != len(front):
        found.add("integrity.stored_hash", index=next(i for i in front if i not in stored), leaf=tree_size)
        return
    if root_from_frontier(tree_size, stored) != tree_root:
        found.add("integrity.tree_root", size=tree_size)
    cp = session.scalar(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc()).limit(1))
    if cp is None:
        return
    if (cp.size, bytes(cp.root_hash)) != (tree_size, tree_root):
        found.add("integrity.checkpoint", size=cp.size, tree=tree_size)
        return
    try:
        parsed = parse_checkpoint(open_note(cp.note, [Verifier(k.verifier_key) for k in known_keys(session, "log")]).text)
    except (InvalidNoteError, UnverifiedNoteError, ValueError):
        found.add("integrity.checkpoint_signature", size=cp.size)
        return
    if (parsed.size, parsed.root_hash) != (tree_size, tree_root):
        found.add("integrity.checkpoint", size=parsed.size, tree=tree_size)


def _check_rows(session: Session, found: Findings, event_start: int, event_end: int, after_id: int) -> tuple[int, int]:
    """Replay the certificates that got events in [event_start, event_end) and those with ids above `after_id`.

    At most ROWS_PER_RUN certificates of each kind: when more got events, the window is cut where the limit
    is reached. Their events and rows are read in batches of BATCH (a few statements per batch, not per
    certificate). Returns (the highest new id checked, where the event window now ends).
    """
    ids: dict[int, None] = {}
    cut = event_end
    for seq, sid in _driver_rows(session, "SELECT seq, subject_id FROM ledger_event WHERE seq >= ? AND seq < ? "
                                          "AND subject_type = ? ORDER BY seq", (event_start, event_end, "certificate")):
        if not str(sid).isdigit() or int(sid) in ids:
            continue
        if len(ids) == ROWS_PER_RUN:
            cut = seq
            break
        ids[int(sid)] = None
    new = [i for (i,) in _driver_rows(session, "SELECT id FROM certificate WHERE id > ? ORDER BY id LIMIT ?",
                                      (after_id, ROWS_PER_RUN))]
    every = sorted(set(ids) | set(new))
    for start in range(0, len(every), BATCH):
        _replay_batch(session, found, every[start:start + BATCH])
    return (max(new) if new else after_id), cut


def _replay_batch(session: Session, found: Findings, ids: list[int]) -> None:
    """Fold the events of some certificates and compare each fold with its row (three statements in all)."""
    keys = [str(i) for i in ids]
    marks = ", ".join("?" for _ in keys)
    events: dict[str, list[str]] = {}
    for sid, body in _driver_rows(session, f"SELECT subject_id, body FROM ledger_event WHERE subject_type = ? AND "
                                           f"subject_id IN ({marks}) ORDER BY subject_id, seq", ("certificate", *keys)):
        events.setdefault(sid, []).append(body)
    rows = {row.id: row for row in session.scalars(
        select(Certificate).where(Certificate.id.in_(ids)).options(*CERTIFICATES.options))}
    for cid in ids:
        bodies, row = events.get(str(cid), []), rows.get(cid)
        if row is None:
            if bodies:
                found.add("integrity.row_missing", table="certificate", id=cid)
            continue
        if not bodies:
            found.add("integrity.row_unlogged", table="certificate", id=cid)
            continue
        for m in compare(CERTIFICATES, str(cid), fold(bodies), row)[:1]:
            found.add("integrity.row_differs", table="certificate", id=cid, field=m.field)
    session.expunge_all()


def check(session: Session, state: LedgerIntegrity, sweep_leaf: int = 0) -> Findings:
    """Run one bounded check from the stored watermarks and the rolling re-check's place (read-only)."""
    found = Findings(checked_seq=state.checked_seq, checked_tree=state.checked_tree, sweep_leaf=sweep_leaf,
                     checked_certificate=state.checked_certificate)
    head_row = _driver_rows(session, "SELECT size FROM ledger_head WHERE id = 1", ())
    head = head_row[0][0] if head_row else 0
    tree_row = _driver_rows(session, "SELECT size, root_hash FROM ledger_tree WHERE id = 1", ())
    tree_size, tree_root = (tree_row[0][0], bytes(tree_row[0][1])) if tree_row else (0, b"")
    start = min(state.checked_seq, head)
    end = _check_events(session, found, head, start)
    if tree_size > head:
        found.add("integrity.tree_beyond_log", tree=tree_size, head=head)
    elif tree_row:
        tree_start = min(state.checked_tree, tree_size)
        tree_end = min(tree_size, tree_start + EVENTS_PER_RUN)
        _check_leaves(session, found, tree_start, tree_end)
        sweep = sweep_leaf if sweep_leaf < tree_start else 0
        sweep_end = min(tree_start, sweep + SWEEP_LEAVES)
        _check_leaves(session, found, sweep, sweep_end)
        _check_tree_head(session, found, tree_size, tree_root)
        found.checked_tree, found.sweep_leaf = tree_end, sweep_end
    found.checked_certificate, found.checked_seq = _check_rows(session, found, start, end, state.checked_certificate)
    found.behind = (found.checked_seq < head or (bool(tree_row) and found.checked_tree < tree_size)
                    or bool(_driver_rows(session, "SELECT 1 FROM certificate WHERE id > ? LIMIT 1",
                                         (found.checked_certificate,))))
    return found


def _load(session: Session) -> LedgerIntegrity:
    state = session.get(LedgerIntegrity, 1)
    if state is None:
        state = LedgerIntegrity(id=1, checked_seq=0, checked_tree=0, checked_certificate=0,
                                status="ok")
    return state


def _status_of(row: LedgerIntegrity) -> IntegrityStatus:
    problems = tuple(json.loads(row.problems)) if row.problems else ()
    return IntegrityStatus(row.status != "degraded", problems, row.checked_at)


def run(sessions: sessionmaker[Session], *, budget_seconds: float = CATCH_UP_SECONDS) -> IntegrityStatus:
    """Check until caught up (or for `budget_seconds`); store the watermarks after each clean step; return the status.

    Catch-up is proportional to the work: a run that finds more to check than one step's share (EVENTS_PER_RUN
    events, ROWS_PER_RUN certificates) goes on with the next step at once, and stops when nothing is left, on a
    problem, or when its time is up — then `behind(engine)` tells the background runner to come back at once
    rather than after its interval. So a large log (an import of millions of events) is checked at the speed the
    machine can replay it, not at one share per interval.
    """
    engine = sessions.kw["bind"]
    started = time.monotonic()
    while True:
        status, found = _step(sessions, engine)
        _behind[engine] = found.behind and status.ok
        if not _behind[engine] or time.monotonic() - started >= budget_seconds:
            return status


def behind(engine: Engine) -> bool:
    """Tell whether the last run on this engine stopped with more left to check (it should run again soon)."""
    return _behind.get(engine, False)


def _step(sessions: sessionmaker[Session], engine: Engine) -> tuple[IntegrityStatus, Findings]:
    """Run one bounded check; store new watermarks (only when clean) or new problems; return the status now.

    Nothing is written when nothing moved (no new event, no new problem): the check itself is read-only, and
    the rolling re-check of older leaves keeps its place in memory.
    """
    with read_session(sessions) as session:
        if session.get_bind().dialect.name == "postgresql":  # one snapshot: events and rows seen together
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        stored = session.get(LedgerIntegrity, 1)
        state = LedgerIntegrity(  # a detached copy: the read session never flushes it
            checked_seq=stored.checked_seq if stored else 0, checked_tree=stored.checked_tree if stored else 0,
            checked_certificate=stored.checked_certificate if stored else 0)
        before = _status_of(stored) if stored is not None else IntegrityStatus(True)
        found = check(session, state, _sweeps.get(engine, 0))
    _sweeps[engine] = found.sweep_leaf
    marks = (state.checked_seq, state.checked_tree, state.checked_certificate)
    moved = (found.checked_seq, found.checked_tree, found.checked_certificate) != marks
    new_problems = [p for p in found.problems if p not in before.problems]
    if stored is not None and not new_problems and (found.problems or not moved):
        status = IntegrityStatus(before.ok, before.problems, utcnow())
        _known[engine] = status
        return status, found
    with write_session(sessions) as session:
        row = _load(session)
        now = utcnow()
        if found.problems:
            if row.status != "degraded":
                log.error("ledger integrity check failed; signing stopped until `certbridge ledger verify` "
                          "passes: %s", json.dumps(found.problems, ensure_ascii=False))
            row.status, row.degraded_at = "degraded", row.degraded_at or now
            row.problems = json.dumps(_merge(row.problems, found.problems), ensure_ascii=False)
        else:
            # Watermarks only move forward over what was found clean (another process may be further).
            row.checked_seq = max(row.checked_seq or 0, found.checked_seq)
            row.checked_tree = max(row.checked_tree or 0, found.checked_tree)
            row.checked_certificate = max(row.checked_certificate or 0, found.checked_certificate)
        row.checked_at = now
        session.add(row)
        session.flush()
        status = _status_of(row)
    _known[engine] = status
    return status, found


def _merge(stored: str | None, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    old = json.loads(stored) if stored else []
    return (old + [p for p in new if p not in old])[:MAX_PROBLEMS]


def record_verified(session: Session, *, problems: list[dict[str, Any]], size: int, tree: int,
                    certificate: int) -> None:
    """Store what a full `ledger verify` found: clean moves the watermarks and clears a degraded state."""
    row = _load(session)
    now = utcnow()
    if problems:
        row.status, row.degraded_at = "degraded", row.degraded_at or now
        row.problems = json.dumps(problems[:MAX_PROBLEMS], ensure_ascii=False)
    else:
        row.status, row.problems, row.degraded_at = "ok", None, None
        row.checked_seq, row.checked_tree, row.checked_certificate = size, tree, certificate
    row.checked_at = now
    session.add(row)
    session.flush()
    _known[session.get_bind()] = _status_of(row)


def current(session: Session) -> IntegrityStatus:
    """Return the integrity status: this engine's last known one, else the stored row (one primary-key read)."""
    known = _known.get(session.get_bind())
    if known is not None:
        return known
    row = session.get(LedgerIntegrity, 1)
    return _status_of(row) if row is not None else IntegrityStatus(True)


def forget(engine: Engine) -> None:
    """Drop the remembered status of an engine (the next `current` reads the stored row)."""
    _known.pop(engine, None)


def require_sound(session: Session) -> None:
    """Raise IntegrityHalt when the monitor found the log and the database disagree: nothing may be signed."""
    status = current(session)
    if not status.ok:
        first = status.problems[0] if status.problems else {"code": "integrity.unknown", "params": {}}
        raise IntegrityHalt("integrity.degraded", problem=first)
