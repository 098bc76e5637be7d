"""Statistics benchmark: `python -m bench.stats_bench --size N [--appends K] [--queries Q]`.

Builds a demo data set of N certificates (SQLite in a temporary data directory, or the database of
CERTBRIDGE_DATABASE_URL when it points at an empty PostgreSQL database), whose build ends with the first fold of
the whole log. Then measures, in the same run:

* append cost: K valid certificates suspended through `suspend_certificate`, each in its own committed transaction followed
  by `integrate_pending` (hash + sign a checkpoint), as the server does after a write request, alternately with the
  statistics fold riding in the integrating transaction (`fold_inline`, turned on here; the default before issue
  17's batches) and without it (then followed by `catch_up`, the fold in its own transaction): fold / append =
  (inline − alone) / alone, in CPU time (process_time: this process, the SQLite engine included) and wall time.
  After each inline append a `catch_up` adds its pending rows to `stats_delta` (a statistics read after every
  write: the worst case); then K more inline appends are followed by one `catch_up` (how the server runs: every 5
  seconds and before a statistics answer), whose CPU time ÷ K is the amortised cost of adding the pending rows;
  and K appends without the inline fold followed by one fold of them all: the default since issue 17's batches (the
  background fold every 5 seconds, a statistics answer folding what is left), its CPU ÷ K is the cost per write;
* query latency in-process: a random region's valid certificates and certified organizations (two figures) on a
  random date, and a whole overview (the figures plus one line per sub-region), p50 / p95 — against a baseline of a
  one-row primary-key read on the same session;
* the same overview through the ASGI app in-process (`/api/v1/stats`, TestClient: routing, JSON, catch-up check).

With --data-dir: `--refold` times the whole fold from nothing and counts the stored rows by level (and `stats_span`);
`--reads N` times the statistics page's figures for the nation and the largest province, city and county.

Run it from this tree with another tree's code to compare (PYTHONPATH=<tree>/src:. python -m bench.stats_bench):
a tree without `stats_pending` has no pending rows, its catch-up after an inline append only checks the cursor.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def saturate(session, start: date, end: date) -> None:
    """Add a row on every day of [start, end] to the nation's, every province's and every city's valid certificates
    and certified organizations (dimension 'all'), in key order, inside the database (see --saturate)."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "sqlite":
        days = ("WITH RECURSIVE days(d) AS (SELECT :start UNION ALL SELECT date(d, '+1 day') FROM days "
                "WHERE d < :end) ")
        source = "days"
    else:
        days, source = "", "(SELECT generate_series(CAST(:start AS date), CAST(:end AS date), '1 day')::date AS d) days"
    session.execute(text(
        f"{days}INSERT INTO stats_delta (measure, region, dim, value, day, delta) "
        f"SELECT m.measure, r.code, 'all', '', days.d, 1 FROM "
        "(SELECT 'certificates' AS measure UNION ALL SELECT 'organizations') m, "
        "(SELECT code FROM region WHERE level IN ('province', 'city') UNION ALL SELECT '000000') r, "
        f"{source} WHERE true ORDER BY 1, 2, 5 "
        "ON CONFLICT (measure, region, dim, value, day) DO UPDATE SET delta = stats_delta.delta + excluded.delta"),
        {"start": start.isoformat(), "end": end.isoformat()})
    try:  # a tree with the years' sums (stats_year, migration 0019statsyear): write them again from the deltas
        from certbridge.stats.fold import year_sums
    except ImportError:
        return
    session.execute(text("DELETE FROM stats_year"))
    year_sums(session)


def refold(sessions, size: int) -> None:
    """Fold the whole log from nothing (see --refold) and print what it cost."""
    from sqlalchemy import text

    from certbridge.db import read_session, write_session
    from certbridge.stats.background import catch_up
    from certbridge.stats.fold import reset

    with write_session(sessions) as session:
        reset(session)
    w0, c0 = time.perf_counter(), time.process_time()
    done = catch_up(sessions)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    with read_session(sessions) as session:
        rows = session.scalar(text("SELECT count(*) FROM stats_delta"))
        folded = session.scalar(text("SELECT count(*) FROM stats_certificate"))
        by_level = dict(session.execute(text(
            "SELECT coalesce(r.level, CASE WHEN d.region = '000000' THEN 'nation' ELSE d.region END), count(*) "
            "FROM stats_delta d LEFT JOIN region r ON r.code = d.region GROUP BY 1")).all())
        try:  # a tree with the places' rows (stats_span, migration 0018statsrows)
            spans = session.scalar(text("SELECT count(*) FROM stats_span"))
        except Exception:
            session.rollback()
            spans = 0
    print(json.dumps({"size": size, "certificates_folded": folded, "stats_delta_rows": rows,
                      "stats_delta_rows_by_level": by_level, "stats_span_rows": spans, "cpu_s": round(cpu, 2),
                      "wall_s": round(wall, 2), "certificates_per_cpu_s": round(folded / cpu),
                      "stored_rows_per_certificate": round((rows + spans) / max(folded, 1), 1),
                      "load_average": round(os.getloadavg()[0], 1),
                      "fold": {k: v for k, v in (done or {}).items() if k != "size"}}, default=str))


def largest_regions(session) -> dict[str, str]:
    """Return the nation and the province, city and county holding the most certificates (by the holders' regions
    now, read from the register — not from the statistics, so every tree picks the same)."""
    from collections import Counter

    from sqlalchemy import text

    parent = dict(session.execute(text("SELECT code, parent_code FROM region")).all())
    level = dict(session.execute(text("SELECT code, level FROM region")).all())
    counts: Counter = Counter()
    for code, n in session.execute(text("SELECT o.region_code, count(*) FROM certificate c JOIN organization o "
                                        "ON o.id = c.organization_id GROUP BY o.region_code")):
        while code in parent:
            counts[code] += n
            code = parent[code]
    out = {"nation": "000000"}
    for name in ("province", "city", "county"):
        out[name] = max((c for c in counts if level.get(c) == name), key=lambda c: (counts[c], c))
    return out


def reads(sessions, as_of: date, repeats: int) -> None:
    """Time the statistics page's figures (overview with sub-regions, the five tables, this year's changes, the
    monthly and yearly series) for the nation and the largest province, city and county on random dates within ten
    years before the data set's date, in-process; print p50 / p95 wall and CPU against a one-row read (see --reads)."""
    from sqlalchemy import text

    from certbridge.db import read_session
    from certbridge.stats import overview as ov

    rng = random.Random(17)
    with read_session(sessions) as session:
        regions = largest_regions(session)
        out = {"regions": regions, "load_average": round(os.getloadavg()[0], 1)}
        base = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            session.execute(text("SELECT size FROM stats_cursor WHERE id = 1")).scalar()
            base.append(time.perf_counter() - t0)
        out["baseline_p95_ms"] = round(_pct(base, .95), 3)
        out["key_figures"] = key_figures(session, regions, as_of, repeats, rng)
        for name, region in regions.items():
            wall, cpu = [], []
            for _ in range(repeats):
                day = as_of - timedelta(days=rng.randint(0, 3650))
                t0, c0 = time.perf_counter(), time.process_time()
                ov.overview(session, region=region, on=day)
                for dim in ov.BREAKDOWNS:
                    ov.breakdown(session, region=region, dim=dim, on=day)
                ov.changes(session, region=region, start=day.replace(month=1, day=1), end=day)
                ov.series(session, region=region, on=day)
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            out[name] = {"wall_p50_ms": round(_pct(wall, .5), 1), "wall_p95_ms": round(_pct(wall, .95), 1),
                         "cpu_p50_ms": round(_pct(cpu, .5), 1), "cpu_p95_ms": round(_pct(cpu, .95), 1)}
    print(json.dumps(out))


def rows_read(session, region: str, on: date) -> dict[str, int]:
    """Count the stored rows the key-figures read (`overview.overview`: a region's two figures and its sub-regions'
    lines) reads on a date: delta rows (in this tree's form: the years' sums before the date's year and the days of
    its year, when `stats_year` exists; else every day up to the date) and place rows (`stats_span`, counted live)."""
    from sqlalchemy import text

    from certbridge.stats import live, queries
    from certbridge.stats.contributions import NATION, UNKNOWN_REGION, kept_as_delta

    try:
        session.execute(text("SELECT 1 FROM stats_year LIMIT 1"))
        years = True
    except Exception:
        session.rollback()
        years = False
    depth, chains = live.place(session, region)
    kids = [k.code for k in queries.child_regions(session, region)] + ([UNKNOWN_REGION] if region == NATION else [])
    out = {"delta_rows": 0, "place_rows": 0}
    day, first = on.isoformat(), f"{on.year:04d}-01-01"
    for own, codes in ((True, [region]), (False, kids)):
        if kept_as_delta(depth if own else depth + 1, "all", "certificates"):
            for code in codes:
                key = "measure IN ('certificates', 'organizations') AND region = :r AND dim = 'all' AND value = ''"
                if years:
                    out["delta_rows"] += session.scalar(text(
                        f"SELECT count(*) FROM stats_year WHERE {key} AND year < :y"), {"r": code, "y": on.year})
                    out["delta_rows"] += session.scalar(text(
                        f"SELECT count(*) FROM stats_delta WHERE {key} AND day >= :f AND day <= :d"),
                        {"r": code, "f": first, "d": day})
                else:
                    out["delta_rows"] += session.scalar(text(
                        f"SELECT count(*) FROM stats_delta WHERE {key} AND day <= :d"), {"r": code, "d": day})
        elif codes:  # counted from the places' rows: the valid runs starting by the date (read for both figures)
            marks = ", ".join(f":c{i}" for i in range(len(chains)))
            found = session.scalar(text(f"SELECT count(*) FROM stats_span WHERE chain IN ({marks}) AND "
                                        "measure = 'valid' AND start <= :d"),
                                   {"d": day, **{f"c{i}": c for i, c in enumerate(chains)}})
            out["place_rows"] += found * (2 if own else 1)  # (its own two figures: one read each, memoised by key)
    return out


def key_figures(session, regions: dict[str, str], as_of: date, repeats: int, rng) -> dict[str, dict]:
    """Time the key-figures read (`overview.overview`: what `/api/v1/stats?region=&on=` answers) for each region on
    random dates; count the rows one such read reads on the data set's date (`rows_read`)."""
    from certbridge.stats import overview as ov

    out = {}
    for name, region in regions.items():
        wall, cpu = [], []
        for _ in range(repeats):
            day = as_of - timedelta(days=rng.randint(0, 3650))
            session.info.pop("stats_live", None)  # (each read counts anew, as a request's own session does)
            t0, c0 = time.perf_counter(), time.process_time()
            ov.overview(session, region=region, on=day)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        out[name] = {"cpu_p50_ms": round(_pct(cpu, .5), 1), "cpu_p95_ms": round(_pct(cpu, .95), 1),
                     "wall_p50_ms": round(_pct(wall, .5), 1), "wall_p95_ms": round(_pct(wall, .95), 1),
                     "rows_read_on_as_of": rows_read(session, region, as_of)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--appends", type=int, default=100)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--data-dir", type=Path, help="an existing demo data set (`certbridge demo --no-serve`) to "
                        "measure instead of building one: upgraded to this tree's schema and caught up first; with "
                        "--appends above 0 it is changed (4 × appends certificates suspended)")
    parser.add_argument("--saturate", metavar="START:END", help="after the appends, give every day from START to "
                        "END a valid-certificates and a certified-organizations row for the nation, every province and "
                        "every city (dimension 'all'), as a register of tens of millions of certificates would, and "
                        "query those regions on dates in that span: an upper bound of a figure's read cost, which "
                        "grows with the days its key has rows on, not with the certificates (the figures become "
                        "meaningless; the data set is a copy only when built here)")
    parser.add_argument("--refold", action="store_true", help="with --data-dir (a copy: its statistics are replaced): "
                        "empty the statistics and fold the whole log as `certbridge demo` and a new instance do "
                        "(`catch_up` from nothing), print its CPU and wall time, certificates per CPU second and the "
                        "rows written, then stop")
    parser.add_argument("--reads", type=int, default=0, metavar="N", help="with --data-dir: time the statistics "
                        "page's figures N times each for the nation and the largest province, city and county "
                        "(random dates), and the key figures alone (`/api/v1/stats`'s overview) with the rows one reads, print p50 / p95, "
                        "then stop (with --saturate: after saturating the data set, which must then be a copy)")
    args = parser.parse_args()

    from fastapi.testclient import TestClient
    from sqlalchemy import select, text

    from certbridge.app import create_app
    from certbridge.certificates.models import Certificate
    from certbridge.certificates.schemas import StatusChangeIn
    from certbridge.certificates.workflow import suspend_certificate
    from certbridge.db import make_engine, make_sessionmaker, read_session, write_session
    from certbridge.demo.dataset import build_dataset
    from certbridge.ledger.integrate import integrate_pending
    from certbridge.principal import SYSTEM
    from certbridge.settings import Settings
    from certbridge.stats import overview as ov
    from certbridge.stats import queries
    from certbridge.stats.background import catch_up
    try:
        from certbridge.stats.background import follow_writes
    except ImportError:  # a tree from before the inline fold (PYTHONPATH=…/src): its "inline" rows are appends alone
        follow_writes = None
    from certbridge.stats.fold import latest_checkpoint
    from certbridge.stats.models import StatsDelta

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="stats-bench-"))
    url = os.environ.get("CERTBRIDGE_DATABASE_URL")
    settings = Settings(data_dir=data_dir, secret_key="bench", **({"database_url": url} if url else {}))
    started = time.perf_counter()
    if args.data_dir is None:
        as_of = date.today()
        build_dataset(settings, size=args.size, seed=11, as_of=as_of)
    else:
        from certbridge.migrate import upgrade

        manifest = json.loads((data_dir / "demo.json").read_text())
        as_of, args.size = date.fromisoformat(manifest["as_of"]), manifest["size"]
        upgrade(make_engine(settings.resolved_database_url()))
    build_seconds = time.perf_counter() - started
    engine = make_engine(settings.resolved_database_url())
    sessions = make_sessionmaker(engine)
    if args.refold:
        refold(sessions, args.size)
        return
    if args.reads:
        catch_up(sessions)
        if args.saturate:  # the figures kept as deltas as dense as at tens of millions (see --saturate)
            start, end = (date.fromisoformat(part) for part in args.saturate.split(":"))
            with write_session(sessions) as session:
                saturate(session, start, end)
        reads(sessions, as_of, args.reads)
        return
    started = time.perf_counter()
    catch_up(sessions)
    catch_up_seconds = time.perf_counter() - started
    rng = random.Random(5)

    with read_session(sessions) as session:
        valid = list(session.scalars(select(Certificate.id).where(Certificate.status == "valid",
                                                                  Certificate.expires_on > as_of)
                                     .order_by(Certificate.id).limit(args.appends)))
        regions = list(session.scalars(select(StatsDelta.region).where(StatsDelta.measure == "certificates")
                                       .distinct()))
        delta_rows = session.scalar(text("SELECT count(*) FROM stats_delta"))
    times: dict[str, list[tuple[float, float]]] = {"append": [], "inline": [], "separate": [], "rollup": []}
    batch: dict[str, tuple[int, float, float]] = {}
    if args.appends:
        if follow_writes is not None:
            follow_writes()  # as the server does: each write's events are folded as its checkpoint is signed
        inline_off = settings.model_copy(update={"stats_fold_inline": False})
        settings = settings.model_copy(update={"stats_fold_inline": True})  # (the default before this branch)

        def suspend(cid: int, with_settings) -> tuple[float, float]:
            w0, c0 = time.perf_counter(), time.process_time()
            with write_session(sessions) as session:
                suspend_certificate(session, principal=SYSTEM, certificate_id=cid, today=as_of,
                                    change=StatusChangeIn(reason="基准测试暂停", on=as_of,
                                                          until=as_of + timedelta(days=90)))
            integrate_pending(sessions, settings=with_settings)
            return time.perf_counter() - w0, time.process_time() - c0

        # alternate: an append alone (then its fold in its own transaction), and one whose fold rides in the
        # transaction that signs its checkpoint
        for i, cid in enumerate(valid):
            if i % 2 == 0:
                times["append"].append(suspend(cid, inline_off))
                w0, c0 = time.perf_counter(), time.process_time()
                catch_up(sessions)
                times["separate"].append((time.perf_counter() - w0, time.process_time() - c0))
            else:
                times["inline"].append(suspend(cid, settings))
                w0, c0 = time.perf_counter(), time.process_time()
                catch_up(sessions)  # a statistics read right after the write adds its pending rows
                times["rollup"].append((time.perf_counter() - w0, time.process_time() - c0))
        with read_session(sessions) as session:  # the inline fold kept the figures at the latest checkpoint
            assert follow_writes is None or queries.checkpoint(session)["tree_size"] == latest_checkpoint(session)[0]

        # the server's way: appends for a while, then one catch-up of them all
        with read_session(sessions) as session:
            more = list(session.scalars(select(Certificate.id).where(Certificate.status == "valid",
                                                                     Certificate.expires_on > as_of)
                                        .order_by(Certificate.id.desc()).limit(2 * args.appends)))
        for name, with_settings, part in (("inline", settings, more[::2]), ("alone", inline_off, more[1::2])):
            c0 = time.process_time()
            for cid in part:
                with write_session(sessions) as session:
                    suspend_certificate(session, principal=SYSTEM, certificate_id=cid, today=as_of,
                                        change=StatusChangeIn(reason="基准测试暂停", on=as_of,
                                                              until=as_of + timedelta(days=90)))
                integrate_pending(sessions, settings=with_settings)
            c1 = time.process_time()
            catch_up(sessions)
            batch[name] = (len(part), c1 - c0, time.process_time() - c1)

    first_day, span = as_of - timedelta(days=3650), 3650
    if args.saturate:
        start, end = (date.fromisoformat(part) for part in args.saturate.split(":"))
        first_day, span = start, (end - start).days
        t0 = time.perf_counter()
        with write_session(sessions) as session:
            saturate(session, start, end)
            delta_rows = session.scalar(text("SELECT count(*) FROM stats_delta"))
            regions = ["000000", *session.scalars(text("SELECT code FROM region WHERE level IN ('province', 'city')"))]
        print(f"saturated {len(regions)} regions × 2 figures × {span + 1} days in {time.perf_counter() - t0:.0f} s")

    baseline, figures, views, cpu_figures, cpu_views = [], [], [], [], []
    with read_session(sessions) as session:
        for _ in range(args.queries):
            region = rng.choice(regions)
            day = first_day + timedelta(days=rng.randint(0, span))
            t0, c0 = time.perf_counter(), time.process_time()
            session.execute(text("SELECT size FROM stats_cursor WHERE id = 1")).scalar()
            t1, c1 = time.perf_counter(), time.process_time()
            queries.figure(session, measure="certificates", region=region, on=day)
            queries.figure(session, measure="organizations", region=region, on=day)
            t2, c2 = time.perf_counter(), time.process_time()
            ov.overview(session, region=region if region != "unknown" else "000000", on=day)
            t3, c3 = time.perf_counter(), time.process_time()
            baseline.append(t1 - t0)
            figures.append(t2 - t1)
            views.append(t3 - t2)
            cpu_figures.append(c2 - c1)
            cpu_views.append(c3 - c2)
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False}))  # measure the work, not the limiter
    app.state.stats_fold = app.state.stats_reports = app.state.status_sweep = False
    http = []
    with TestClient(app) as client:
        for _ in range(min(args.queries, 200)):
            region = rng.choice([r for r in regions if r != "unknown"])
            day = first_day + timedelta(days=rng.randint(0, span))
            t0 = time.perf_counter()
            assert client.get("/api/v1/stats", params={"region": region, "on": day.isoformat()}).status_code == 200
            http.append(time.perf_counter() - t0)
    engine.dispose()
    load = os.getloadavg()[0]
    print(f"size {args.size} certificates · backend {engine.dialect.name} · build or upgrade {build_seconds:.0f} s "
          f"(a build includes the first fold), catch-up before measuring {catch_up_seconds:.1f} s · stats_delta rows "
          f"{delta_rows} · load average {load:.1f}")
    def mean(key: str, which: int) -> float:
        return statistics.mean(t[which] for t in times[key]) * 1000

    if args.appends:
        for which, name in ((1, "CPU"), (0, "wall")):
            base, inline, separate = mean("append", which), mean("inline", which), mean("separate", which)
            rollup = mean("rollup", which)
            print(f"{name}: append (suspend + integrate) {base:.2f} ms; with the fold inline {inline:.2f} ms "
                  f"→ fold / append = {(inline - base) / base:.3f}; its catch-up right after {rollup:.2f} ms → "
                  f"(inline + catch-up) / append = {(inline + rollup - base) / base:.3f}; fold in its own transaction "
                  f"after an append alone {separate:.2f} ms → {separate / base:.2f} (means of {len(times['append'])} / "
                  f"{len(times['inline'])})")
        alone = mean("append", 1) / 1000
        n, appends, fold = batch["inline"]
        print(f"CPU: {n} inline appends {appends:.2f} s, then one catch-up {fold * 1000:.1f} ms → {fold / n * 1000:.3f} ms "
              f"per append = {fold / n / alone:.3f} × an append alone; inline fold + amortised catch-up = "
              f"{(mean('inline', 1) - mean('append', 1)) / mean('append', 1) + fold / n / alone:.3f} × the append")
        n, appends, fold = batch["alone"]
        print(f"CPU: {n} appends without the inline fold {appends:.2f} s, then one fold of them all {fold * 1000:.1f} ms "
              f"→ {fold / n / alone:.3f} × an append alone")
    print(f"baseline one-row read: p50 {_pct(baseline, .5):.3f} ms, p95 {_pct(baseline, .95):.3f} ms")
    print(f"region figures (2) on a random date: p50 {_pct(figures, .5):.2f} ms, p95 {_pct(figures, .95):.2f} ms "
          f"({_pct(figures, .95) / max(_pct(baseline, .95), 1e-6):.0f} × baseline p95)")
    print(f"region overview with sub-regions: p50 {_pct(views, .5):.2f} ms, p95 {_pct(views, .95):.2f} ms")
    print(f"the same in CPU time (this process, the SQLite engine included; not PostgreSQL's): figures p50 "
          f"{_pct(cpu_figures, .5):.2f} ms, p95 {_pct(cpu_figures, .95):.2f} ms; overview p50 {_pct(cpu_views, .5):.2f} "
          f"ms, p95 {_pct(cpu_views, .95):.2f} ms")
    print(f"/api/v1/stats through the ASGI app (TestClient): p50 {_pct(http, .5):.2f} ms, p95 {_pct(http, .95):.2f} ms")


if __name__ == "__main__":
    main()
