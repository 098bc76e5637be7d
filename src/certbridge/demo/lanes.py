"""Certificates generated and written by parallel lanes, each its own process, writing in chunk order.

Chunk n is made by lane n mod `LANES` (see `generator`). A lane generates its chunk, learns where the
chunk starts (ids and log position) from the lane before it, tells the lane after it where the next
chunk starts — the counts are known as soon as the specs are drawn — then validates and builds rows
and events (`certificates.bulk.prepare_batch`, the costly part) while the other lane does the same,
and writes when chunk n − 1 has been committed. So both cores generate, only the writes take turns,
and rows, ids and log positions are the same as if one process had made every chunk in order.

Lanes run with the cyclic garbage collector off: they build millions of short-lived containers that
reference counting frees, and each full collection would walk all of them.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import event

from certbridge.certificates.bulk import (
    BulkRules, CertificateSpec, OrganizationSpec, Positions, PreparedBatch, prepare_batch, write_batch,
)
from certbridge.db import make_engine, make_sessionmaker, write_session
from certbridge.demo import loading
from certbridge.demo.generator import LANES, Generator, chunk_count
from certbridge.demo.ledger_tree import TreeBuilder, write_hashes
from certbridge.demo.registries import RegistrySnapshot
from certbridge.principal import SYSTEM

IN_PROCESS_BELOW = 30_000  # small data sets are made in this process, lane after lane
Progress = Callable[[int], None]  # called with the certificates of each chunk committed
Block = tuple[int, list[bytes]]  # stored hashes of the Merkle tree: (first index, hashes)


@dataclass
class LoadPlan:
    """What every lane needs to make and write its chunks."""

    url: str
    busy_timeout_ms: int
    snapshot: RegistrySnapshot
    rules: BulkRules
    size: int
    seed: int
    as_of: date
    at: datetime
    dialect: str

    def generators(self) -> list[Generator]:
        """Return one generator per lane."""
        return [Generator(self.snapshot, size=self.size, seed=self.seed, as_of=self.as_of, lane=lane, lanes=LANES)
                for lane in range(LANES)]

    def prepare(self, orgs: list[OrganizationSpec], certs: list[CertificateSpec], start: Positions) -> PreparedBatch:
        """Validate a chunk and build its rows and events at `start`, checking the end `advance` foresaw."""
        batch = prepare_batch(orgs, certs, rules=self.rules, start=start, actor=SYSTEM.actor, at=self.at,
                              dialect=self.dialect, today=self.as_of)
        if batch.end != advance(start, orgs, certs):
            raise RuntimeError(f"chunk ends at {batch.end}, not where the next one was told to start")
        return batch

    def sessions(self):
        """Return a session factory on a new engine tuned for loading."""
        engine = make_engine(self.url, busy_timeout_ms=self.busy_timeout_ms)
        event.listen(engine, "connect", lambda dbapi_conn, _rec: loading.tune_connection(dbapi_conn, self.dialect))
        return make_sessionmaker(engine)


def advance(start: Positions, orgs: list[OrganizationSpec], certs: list[CertificateSpec]) -> Positions:
    """Return where the chunk after (orgs, certs) starts, counting what `prepare_batch` will number."""
    audits = sites = steps = restrictions = 0
    for spec in certs:
        audits += len(spec.audits)
        sites += len(spec.sites)
        steps += len(spec.steps)
        restrictions += sum(1 for s in spec.steps if s.status == "withdrawn" and (s.extra or {}).get("cause") == "holder")
    events = len(orgs) + len(certs) + sum(max(0, len(spec.audits) - 1) for spec in certs) + steps + restrictions
    return replace(start, organization=start.organization + len(orgs), identifier=start.identifier + len(orgs),
                   certificate=start.certificate + len(certs), site=start.site + sites, audit=start.audit + audits,
                   restriction=start.restriction + restrictions, seq=start.seq + events)


def _write(sessions, batch: PreparedBatch, blocks: list[Block]) -> None:
    with write_session(sessions) as session:
        write_batch(session, principal=SYSTEM, batch=batch)
        for block in blocks:
            write_hashes(session, block)


def _leaves(batch: PreparedBatch) -> list[bytes]:
    return [row[8] for row in batch.rows["ledger_event"]]


def load_inline(plan: LoadPlan, sessions, start: Positions, tree: TreeBuilder, progress: Progress) -> list[Block]:
    """Make and write every chunk in this process, in order (the same rows the lanes would write); return
    the tree's stored hashes, still to be written."""
    generators = plan.generators()
    blocks = []
    for number in range(chunk_count(plan.size)):
        orgs, certs = generators[number % LANES].chunk(number)
        batch = plan.prepare(orgs, certs, start)
        start = batch.end
        _write(sessions, batch, [])
        blocks += tree.offer(batch.start.seq, _leaves(batch))
        progress(batch.certificates)
    return blocks


def _take(hashes) -> list[Block]:
    blocks = []
    while True:
        try:
            blocks.append(hashes.get_nowait())
        except queue.Empty:
            return blocks


def _lane(lane: int, plan: LoadPlan, inbox, outbox, hashes, turn, next_chunk, reports) -> None:
    try:
        gc.disable()
        sessions = plan.sessions()
        generator = plan.generators()[lane]
        for number in range(lane, chunk_count(plan.size), LANES):
            orgs, certs = generator.chunk(number)
            start = inbox.get()
            outbox.put(advance(start, orgs, certs))
            batch = plan.prepare(orgs, certs, start)
            with turn:
                turn.wait_for(lambda number=number: next_chunk.value == number)
            blocks = _take(hashes)
            _write(sessions, batch, blocks)
            with turn:
                next_chunk.value = number + 1
                turn.notify_all()
            reports.put(("written", number, batch.certificates, batch.start.seq, _leaves(batch),
                         [block[0] for block in blocks]))
            del batch, orgs, certs
            gc.collect(1)
        reports.put(("done", lane))
    except BaseException:  # noqa: BLE001 - reported to the building process, which raises it
        reports.put(("error", traceback.format_exc()))


def load_in_lanes(plan: LoadPlan, start: Positions, tree: TreeBuilder, progress: Progress) -> list[Block]:
    """Make and write every chunk in `LANES` processes, folding their leaves into `tree` here as they commit;
    return the tree's stored hashes that no lane wrote with a later chunk."""
    ctx = multiprocessing.get_context("fork")
    inboxes = [ctx.Queue() for _ in range(LANES)]
    hashes = [ctx.Queue() for _ in range(LANES)]
    turn, next_chunk, reports = ctx.Condition(), ctx.Value("q", 0), ctx.Queue(maxsize=64)
    workers = [ctx.Process(target=_lane, args=(lane, plan, inboxes[lane], inboxes[(lane + 1) % LANES], hashes[lane],
                                                turn, next_chunk, reports), daemon=True) for lane in range(LANES)]
    inboxes[0].put(start)
    unwritten: dict[int, Block] = {}
    for worker in workers:
        worker.start()
    running = LANES
    try:
        while running:
            try:
                report = reports.get(timeout=2)
            except queue.Empty:
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"demo lane exited with code {dead[0].exitcode}") from None
                continue
            if report[0] == "error":
                raise RuntimeError(f"demo generator failed:\n{report[1]}")
            if report[0] == "done":
                running -= 1
                continue
            _, number, certificates, first_seq, leaves, stored = report
            for first in stored:
                unwritten.pop(first)
            for block in tree.offer(first_seq, leaves):
                unwritten[block[0]] = block
                hashes[number % LANES].put(block)  # written by that lane with its next chunk
            progress(certificates)
    finally:
        for worker in workers:
            worker.join(timeout=1 if running else 30)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        for q in hashes:
            q.cancel_join_thread()
    return sorted(unwritten.values())
