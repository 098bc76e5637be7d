"""The folding step: bring the statistics up to the latest signed checkpoint, re-folding only what changed.

The journal is the single source. The step reads the events between the stored cursor and the latest
checkpoint, finds the certificates they touch (directly, or through their holder, body or standard),
re-folds each from its own events (timeline.py), computes the difference their new folds make to their holders'
rows (contributions.py: in proportion to the change; a holder that moved or merged is re-counted whole) and adds
it to `stats_delta`. The cursor then names that checkpoint (tree size
and root), so every figure says which checkpoint it was computed at. Appends never wait for it: it runs in
the background after integration and before any statistics answer (`catch_up`), in its own short transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any, Iterable
from weakref import WeakKeyDictionary

import orjson

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from certbridge.kit.paused_gc import paused_gc
from certbridge.certificates.status_facts import VERSION_SQL
from certbridge.certificates.status_context import load_context
from certbridge.db import utcnow
from certbridge.registry.models import Region, Scheme
from certbridge.stats.dbapi import _json, _select_in, driver
from certbridge.stats.contributions import (
    NATION,
    ORIGIN,
    UNKNOWN_REGION,
    change_rows,
    difference,
    holder_rows,
    kept_as_delta,
    place_rows,
)
from certbridge.stats.models import (
    StatsCertificate,
    StatsCursor,
    StatsDelta,
    StatsHolder,
    StatsPending,
    StatsSpan,
    StatsYear,
)
from certbridge.stats.timeline import fold_certificate
from certbridge.stats.touched import Touched, touched
from certbridge.tables import metadata

_CHUNK = 500


def latest_checkpoint(session: Session) -> tuple[int, bytes | None]:
    """Return the size and root of the latest signed checkpoint (0, None before the first)."""
    table = metadata.tables["ledger_checkpoint"]
    row = session.execute(select(table.c.size, table.c.root_hash).order_by(table.c.size.desc()).limit(1)).first()
    return (int(row[0]), bytes(row[1])) if row else (0, None)


def cursor(session: Session) -> StatsCursor:
    """Return the fold cursor row (tree size 0 before the first fold)."""
    row = session.get(StatsCursor, 1)
    if row is None:
        row = StatsCursor(id=1, size=0, root_hash=None)
        session.add(row)
        session.flush()
    return row


_PLACES: WeakKeyDictionary = WeakKeyDictionary()  # per engine: the region table is reference data, read once


class Places:
    """Region ancestors from the GB/T 2260 table: a county counts in its city, province and the nation."""

    def __init__(self, parent: dict[str, str | None]):
        self.parent = parent
        self._cache: dict[str | None, list[str]] = {}

    @classmethod
    def of(cls, session: Session) -> Places:
        """Return the engine's region ancestors, read once (again if the table's size changed)."""
        engine = session.get_bind().engine
        count = driver(session)[0].exec_driver_sql("SELECT count(*) FROM region").scalar()
        known = _PLACES.get(engine)
        if known is None or len(known.parent) != count:
            known = _PLACES[engine] = cls(dict(session.execute(select(Region.code, Region.parent_code)).all()))
        return known

    def descendants(self, code: str) -> list[str]:
        """Return a region and every region under it."""
        if not hasattr(self, "_children"):
            self._children: dict[str, list[str]] = defaultdict(list)
            for child, parent in self.parent.items():
                if parent:
                    self._children[parent].append(child)
        out, todo = [], [code]
        while todo:
            at = todo.pop()
            out.append(at)
            todo.extend(self._children.get(at, ()))
        return out

    def ancestors(self, code: str | None) -> list[str]:
        """Return the nation, then the region's ancestors and the region itself (unknown codes: 'unknown')."""
        if code in self._cache:
            return self._cache[code]
        if code not in self.parent:
            out = [NATION, UNKNOWN_REGION]
        else:
            chain, at = [], code
            while at:
                chain.append(at)
                at = self.parent.get(at)
            out = [NATION, *reversed(chain)]
        self._cache[code] = out
        return out


def subject_events(session: Session, subject_type: str, ids: Iterable[Any], below: int) -> dict[str, list[dict]]:
    """Return the parsed events of the given subjects, in log order, below a tree size."""
    out: dict[str, list[dict]] = defaultdict(list)
    rows = _select_in(session, "SELECT subject_id, body FROM ledger_event WHERE subject_id IN ({in_}) "
                      "AND subject_type = {m} AND seq < {m} ORDER BY seq", sorted({str(i) for i in ids}),
                      subject_type, below)
    for subject_id, body in rows:
        out[subject_id].append(orjson.loads(body))
    return out


def organization_facts(events: list[dict]) -> dict[str, Any]:
    """Return an organization's dated regions, the record it merged into and its industry, from its events."""
    places: list[tuple[str, str | None]] = []
    state: dict[str, Any] = {}
    for event in events:
        change = (event.get("data") or {}).get("state") or {}
        state = {**state, **change}
        if not places:
            places.append((ORIGIN, state.get("region_code")))
        elif "region_code" in change and change["region_code"] != places[-1][1]:
            places.append((max(event["at"][:10], places[-1][0]), change["region_code"]))
    return {"places": places, "merged_into": state.get("merged_into_id"), "industry": state.get("industry") or ""}


_CONTEXTS: WeakKeyDictionary = WeakKeyDictionary()  # per engine: (status_facts_version, status context, kinds)


def folding_context(session: Session) -> tuple[Any, dict[str, str]]:
    """Return the status context (bodies, standards, schemes) and the schemes' kinds, read again only when
    `status_facts_version` changed — the triggers of migration 0015perf give it a fresh random value in the same
    transaction as any write to bodies, standards and schemes (a scheme's kind alone is not watched)."""
    engine = session.get_bind().engine
    version = driver(session)[0].exec_driver_sql(VERSION_SQL).scalar()
    known = _CONTEXTS.get(engine)
    if known is not None and version is not None and known[0] == version:
        return known[1], known[2]
    context, kinds = load_context(session), dict(session.execute(select(Scheme.code, Scheme.kind)).all())
    _CONTEXTS[engine] = (version, context, kinds)
    return context, kinds


class Folder:
    """One folding pass up to a tree size: what it has read of organizations, bodies and standards."""

    def __init__(self, session: Session, below: int):
        self.session, self.below = session, below
        self.context, self.kinds = folding_context(session)
        self.places = Places.of(session)
        self.orgs: dict[int, dict[str, Any]] = {}

    def organizations(self, ids: Iterable[int]) -> None:
        """Read the events of these organizations and of the records they merged into."""
        todo = {int(i) for i in ids if i is not None} - set(self.orgs)
        while todo:
            for key, events in subject_events(self.session, "organization", todo, self.below).items():
                self.orgs[int(key)] = organization_facts(events)
            for missing in todo - set(self.orgs):
                self.orgs[missing] = {"places": [], "merged_into": None, "industry": ""}
            todo = {o["merged_into"] for o in self.orgs.values() if o["merged_into"]} - set(self.orgs)

    def holder_of(self, organization_id: int | None) -> int:
        """Return the identity an organization counts as: the record it (finally) merged into."""
        seen, at = set(), organization_id or 0
        while at in self.orgs and self.orgs[at]["merged_into"] and at not in seen:
            seen.add(at)
            at = self.orgs[at]["merged_into"]
        return at

    def certificates(self, ids: Iterable[int], stored: dict[int, tuple[int, dict]] | None = None,
                     touched: Touched | None = None) -> dict[int, dict[str, Any]]:
        """Fold these certificates; return {id: fold} (empty fold: no events yet). With what a batch of events
        `touched` and the `stored` (holder, fold) of each: a certificate touched through its holder alone keeps its
        fold, one with events of its own in the batch continues its stored fold with them (`timeline.fold_certificate`
        with `resume`), and only the rest — no stored fold, or a body or standard it depends on changed — is folded
        from every event it has."""
        folds: dict[int, dict[str, Any]] = {}
        full = []
        for cid in ids:
            before = stored.get(cid) if stored else None
            if touched is None or before is None or "tail" not in before[1] or cid in touched.through_facts:
                full.append(cid)
            elif cid in touched.own:
                folds[cid] = fold_certificate(touched.own[cid], self.context, self.kinds, resume=before[1])
            else:
                folds[cid] = before[1]
        for key, events in subject_events(self.session, "certificate", full, self.below).items():
            folds[int(key)] = fold_certificate(events, self.context, self.kinds)
        return folds

    def holder(self, holder_id: int, certificates: list[dict[str, Any]]) -> dict[tuple, int]:
        """Return the figure-day rows of one holder with these certificate folds, at every region they count in
        (kept as deltas or not: what `certbridge stats recompute` compares)."""
        basis = self.basis(holder_id)
        return expand(holder_rows(certificates, *placed(basis)), every=True)

    def basis(self, holder_id: int, stored: dict[str, Any] | None = None) -> dict[str, Any]:
        """Return what a holder's rows are counted with: dated regions, their ancestors, the holder's facts (those of
        a `stored` basis when its organization has no new events: only the region table is read again)."""
        if stored is None:
            self.organizations([holder_id])
            org = self.orgs.get(holder_id) or {"places": [], "industry": ""}
            places, dims = [[since, region] for since, region in org["places"]], {"industry": org["industry"][:60]}
        else:
            places, dims = stored["places"], stored["dims"]
        return {"places": places, "ancestors": {region or "": self.places.ancestors(region) for _s, region in places
                                                or [(ORIGIN, None)]},
                "dims": dims}


def placed(basis: dict[str, Any]) -> tuple[list[tuple[str, str | None]], dict[str, str], Any]:
    """Return a basis as `contributions`' arguments: places, holder facts, ancestors — each place's rows kept at
    the place alone, keyed by its chain of regions ("000000>450000>450500>450521"), which `expand` spreads to every
    region in it. A holder is in one place on any day, so a figure of a region is the sum over the places under it
    (organizations too: the union of the holder's runs in a region is the concatenation of its runs per place)."""
    known = basis["ancestors"]
    chains = {region: [CHAIN.join(chain)] for region, chain in known.items()}
    return [tuple(p) for p in basis["places"]], basis["dims"], lambda region: chains[region or ""]


CHAIN = ">"


def expand(rows: dict[tuple, int], *, every: bool = False) -> dict[tuple, int]:
    """Return chain-keyed rows as `stats_delta` rows: each added to every region of its chain whose figures are kept
    as deltas (`contributions.kept_as_delta`; `every`: to every region), zeros left out."""
    out: dict[tuple, int] = defaultdict(int)
    regions: dict[str, list[str]] = {}
    for (measure, chain, dim, value, day), n in rows.items():
        parts = regions.get(chain)
        if parts is None:
            parts = regions[chain] = chain.split(CHAIN)
        for region in parts if every else parts[:_kept_depths(measure, dim)]:
            out[measure, region, dim, value, day] += n
    return {k: v for k, v in out.items() if v}


_DEPTHS: dict[tuple[str, str], int] = {}


def _kept_depths(measure: str, dim: str) -> int:
    """Return how many levels of a chain (from the nation down) keep a figure of this measure and dimension as
    deltas (`kept_as_delta` holds for the shallowest levels only)."""
    found = _DEPTHS.get((measure, dim))
    if found is None:
        found = _DEPTHS[measure, dim] = next(d for d in range(16) if not kept_as_delta(d, dim, measure))
    return found


SPAN_INSERT = ("INSERT INTO stats_span (chain, measure, start, certificate_id, part, until, holder_id, scheme, "
               "cert_type, standard, body, industry) VALUES ({marks})")


def span_rows(certificate_id: int, holder_id: int, fold: dict[str, Any], placement: tuple,
              sqlite: bool = True) -> list[tuple]:
    """Return a certificate's `stats_span` rows (`contributions.place_rows`) under its holder's `placed` basis."""
    places, dims, chains = placement
    out = []
    for part, (measure, start, until, chain, values) in enumerate(
            place_rows(fold, places, dims, lambda region: chains(region)[0])):
        if not sqlite:
            start, until = date.fromisoformat(start), until and date.fromisoformat(until)
        out.append((chain, measure, start, certificate_id, part, until, holder_id, *values))
    return out


def write_spans(session: Session, remove: Iterable[int], rows: list[tuple]) -> None:
    """Replace the `stats_span` rows of the certificates in `remove` with `rows`."""
    conn, mark = driver(session)
    session.info.pop("stats_live", None)  # (live.MEMO: counts a read in this session kept)
    list(_select_in(session, "DELETE FROM stats_span WHERE certificate_id IN ({in_})", sorted(set(remove))))
    if rows:
        conn.exec_driver_sql(SPAN_INSERT.format(marks=", ".join([mark] * 12)), sorted(rows))


def apply_deltas(session: Session, changes: dict[tuple, int]) -> None:
    """Add delta rows to the stored deltas and to their years' sums (insert or add), through the driver: a fold may
    carry thousands."""
    if not changes:
        return
    conn, mark = driver(session)
    session.info.pop("stats_live", None)  # (live.MEMO)
    sqlite = conn.sqlite
    rows = [(m, r, d, v, day if sqlite else date.fromisoformat(day), n)  # in key order: neighbouring B-tree pages
            for (m, r, d, v, day), n in sorted(changes.items())]
    years: dict[tuple, int] = defaultdict(int)
    for (m, r, d, v, day), n in changes.items():
        years[m, r, d, v, int(day[:4])] += n
    for table, column, found in (("stats_delta", "day", rows),
                                 ("stats_year", "year", [(*k, n) for k, n in sorted(years.items()) if n])):
        conn.exec_driver_sql(
            f"INSERT INTO {table} (measure, region, dim, value, {column}, delta) VALUES ({', '.join([mark] * 6)}) "
            f"ON CONFLICT (measure, region, dim, value, {column}) DO UPDATE SET delta = {table}.delta + excluded.delta",
            found)


def year_sums(session: Session) -> None:
    """Write `stats_year` (which must be empty) from `stats_delta`: each key's deltas summed by year."""
    conn, _mark = driver(session)
    year = "CAST(substr(day, 1, 4) AS INTEGER)" if conn.sqlite else "CAST(EXTRACT(YEAR FROM day) AS INTEGER)"
    conn.exec_driver_sql(
        f"INSERT INTO stats_year (measure, region, dim, value, year, delta) SELECT measure, region, dim, value, {year}, "
        f"SUM(delta) FROM stats_delta GROUP BY measure, region, dim, value, {year} HAVING SUM(delta) <> 0 "
        f"ORDER BY measure, region, dim, value, {year}")


def _upsert(session: Session, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert or replace rows by their first column (the key); the last column is JSON text."""
    if not rows:
        return
    conn, mark = driver(session)
    marks = [mark] * len(columns)
    if mark == "%s":
        marks[-1] = "CAST(%s AS JSON)"
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)}) ON CONFLICT ({columns[0]}) "
        f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns[1:])}", rows)


def refold(session: Session, certificate_ids: set[int], below: int, *, defer: bool = False,
           batch: Touched | None = None) -> dict[str, int]:
    """Re-fold these certificates up to a tree size; add the difference they make to the deltas (`defer`: keep it
    as one `stats_pending` row, which the next `roll_up` adds — what the fold in a write's transaction does).

    Work in proportion to the change: a holder whose basis (places, region ancestors, facts) is unchanged gets the
    rows of its changed certificates replaced, and the organization figures they touch recounted (`change_rows`);
    only a holder whose basis changed has its whole contribution re-counted. With what the batch of events
    `touched` (`batch`), a certificate or holder the batch did not reach through its own events keeps its stored
    fold or basis instead of reading its events again (`Folder.certificates`, `Folder.basis`).
    """
    folder = Folder(session, below)
    changed: dict[int, tuple[tuple | None, tuple]] = {}  # certificate → ((holder, fold) before or None, after)
    holders: set[int] = set()
    moved = batch.organizations if batch is not None else None  # organizations with events (None: any may have)
    ids = sorted(certificate_ids)
    for s in range(0, len(ids), _CHUNK):
        chunk = ids[s:s + _CHUNK]
        stored = {cid: (holder, _json(folded)) for cid, holder, folded in _select_in(
            session, "SELECT certificate_id, holder_id, folded FROM stats_certificate WHERE certificate_id IN ({in_})",
            chunk)}
        holders.update(holder for holder, _f in stored.values())
        folds = folder.certificates(chunk, stored, batch)
        kept = {}  # certificates whose holder is the stored one: their organization is its own holder, unchanged
        for cid, fold in folds.items():
            before = stored.get(cid)
            if (fold and moved is not None and before is not None and before[0] == fold["organization_id"]
                    and before[0] not in moved):
                kept[cid] = before[0]
        folder.organizations(f["organization_id"] for c, f in folds.items() if f and c not in kept)
        for cid, fold in folds.items():
            if not fold:
                continue
            holder = kept[cid] if cid in kept else folder.holder_of(fold["organization_id"])
            holders.add(holder)
            before = stored.get(cid)
            if before != (holder, fold):
                changed[cid] = (before, (holder, fold))
    _upsert(session, "stats_certificate", ("certificate_id", "holder_id", "body_id", "folded"),
            [(cid, after[0], after[1]["body_id"], json.dumps(after[1])) for cid, (_b, after) in changed.items()])
    touching: dict[int, set[int]] = defaultdict(set)  # holder → its changed certificates (before or after)
    for cid, (before, after) in changed.items():
        for side in (before, after):
            if side is not None:
                touching[side[0]].add(cid)
    total: dict[tuple, int] = defaultdict(int)
    rebased: list[tuple[int, str]] = []  # holders whose basis is new or changed
    respan: list[int] = list(changed)  # certificates whose place rows are rewritten
    spans: list[tuple] = []
    sqlite = driver(session)[0].sqlite
    hs = sorted(holders)
    for s in range(0, len(hs), _CHUNK):
        chunk = hs[s:s + _CHUNK]
        bases = {h: _json(b) for h, b in _select_in(
            session, "SELECT holder_id, basis FROM stats_holder WHERE holder_id IN ({in_})", chunk)}
        now = {h: folder.basis(h, bases[h] if moved is not None and h in bases and h not in moved else None)
               for h in chunk}
        wanted = sorted(h for h in chunk if h in touching or bases.get(h) != now[h])
        others: dict[int, list[dict]] = defaultdict(list)  # the holders' certificates this pass did not change
        other_ids: dict[int, list[int]] = defaultdict(list)
        for holder_id, cid, fold in _select_in(session, "SELECT holder_id, certificate_id, folded FROM stats_certificate "
                                               "WHERE holder_id IN ({in_})", wanted):
            if cid not in changed:
                others[holder_id].append(_json(fold))
                other_ids[holder_id].append(cid)
        for holder_id in chunk:
            basis, row = now[holder_id], bases.get(holder_id)
            mine = touching.get(holder_id, set())
            old = [changed[c][0][1] for c in sorted(mine) if changed[c][0] and changed[c][0][0] == holder_id]
            new = [changed[c][1][1] for c in sorted(mine) if changed[c][1][0] == holder_id]
            mine_now = [(c, changed[c][1][1]) for c in sorted(mine) if changed[c][1][0] == holder_id]
            if row == basis:
                if mine:
                    rows = change_rows(old, new, others[holder_id], *placed(basis), flow_dims=False)
                else:
                    continue
            else:
                rows = difference(holder_rows(others[holder_id] + old, *placed(row), flow_dims=False)
                                  if row is not None else {},
                                  holder_rows(others[holder_id] + new, *placed(basis), flow_dims=False))
                rebased.append((holder_id, json.dumps(basis)))
                mine_now += list(zip(other_ids[holder_id], others[holder_id]))
            placement = placed(basis)
            for cid, fold in mine_now:  # the certificates' rows at the holder's places, rewritten whole
                respan.append(cid)
                spans.extend(span_rows(cid, holder_id, fold, placement, sqlite))
            for key, n in rows.items():
                total[key] += n
    _upsert(session, "stats_holder", ("holder_id", "basis"), rebased)
    write_spans(session, respan, spans)
    rows = {k: v for k, v in total.items() if v}
    if defer:
        if rows:
            conn, mark = driver(session)
            conn.exec_driver_sql(f"INSERT INTO stats_pending (size, rows) VALUES ({mark}, {mark})",
                                 (below, json.dumps([[*k, n] for k, n in rows.items()], ensure_ascii=False)))
    else:
        apply_deltas(session, expand(rows))
    return {"certificates": len(ids), "holders": len(holders)}


def roll_up(session: Session) -> int:
    """Add every pending fold's rows to `stats_delta` (coalesced: one upsert per figure and day) and delete them;
    return how many pending folds were added."""
    conn, _mark = driver(session)
    pending = conn.exec_driver_sql("SELECT id, rows FROM stats_pending ORDER BY id").all()
    if not pending:
        return 0
    total: dict[tuple, int] = defaultdict(int)
    for _id, text in pending:
        for measure, chain, dim, value, day, n in json.loads(text):
            total[measure, chain, dim, value, day] += n
    apply_deltas(session, expand(total))
    conn.exec_driver_sql(f"DELETE FROM stats_pending WHERE id <= {int(pending[-1][0])}")
    return len(pending)


def fold_to_checkpoint(session: Session) -> dict[str, Any] | None:
    """Fold the events up to the latest checkpoint and add the pending folds' rows; return what was folded (None
    when the statistics were already at that checkpoint)."""
    roll_up(session)
    size, root = latest_checkpoint(session)
    at = cursor(session)
    if size <= at.size:
        return None
    with paused_gc():  # (its many short-lived objects would start collections that rescan the whole heap)
        batch = touched(session, at.size, size)
        done = refold(session, batch.certificates, size, batch=batch)
    at.size, at.root_hash = size, root
    at.folded_at = utcnow()
    session.flush()
    return {"size": size, **done}


def reset(session: Session) -> None:
    """Forget every folded figure (the next fold starts from the first event)."""
    session.info.pop("stats_live", None)  # (live.MEMO)
    for model in (StatsDelta, StatsYear, StatsSpan, StatsPending, StatsHolder, StatsCertificate, StatsCursor):
        session.execute(delete(model))
    session.flush()
