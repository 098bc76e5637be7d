"""Statistics benchmark: `python -m bench.stats_bench --size N [--appends K] [--queries Q]`.

Builds a demo data set of N certificates (SQLite in a temporary data directory, or the database of
CERTBRIDGE_DATABASE_URL when it points at an empty PostgreSQL database), whose build ends with the first fold of
the whole log. Then measures, in the same run:

* append cost: K valid certificates suspended through `suspend_certificate`, each in its own committed transaction followed
  by `integrate_pending` (hash + sign a checkpoint), as the server does after a write request — against the same
  K appends' fold (`catch_up`, run once per append, as the background loop or a read would after each): the ratio
  fold / append is the extra cost of keeping the counts current;
* query latency in-process: a random region's valid certificates and certified organizations (two figures) on a
  random date, and a whole overview (the figures plus one line per sub-region), p50 / p95 — against a baseline of a
  one-row primary-key read on the same session;
* the same overview through the ASGI app in-process (`/api/v1/stats`, TestClient: routing, JSON, catch-up check).
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--appends", type=int, default=100)
    parser.add_argument("--queries", type=int, default=500)
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
    from certbridge.stats.models import StatsDelta

    data_dir = Path(tempfile.mkdtemp(prefix="stats-bench-"))
    url = os.environ.get("CERTBRIDGE_DATABASE_URL")
    settings = Settings(data_dir=data_dir, secret_key="bench", **({"database_url": url} if url else {}))
    as_of = date.today()
    started = time.perf_counter()
    build_dataset(settings, size=args.size, seed=11, as_of=as_of)
    build_seconds = time.perf_counter() - started
    engine = make_engine(settings.resolved_database_url())
    sessions = make_sessionmaker(engine)
    rng = random.Random(5)

    with read_session(sessions) as session:
        valid = list(session.scalars(select(Certificate.id).where(Certificate.status == "valid",
                                                                  Certificate.expires_on > as_of)
                                     .order_by(Certificate.id).limit(args.appends)))
        regions = list(session.scalars(select(StatsDelta.region).where(StatsDelta.measure == "certificates")
                                       .distinct()))
        delta_rows = session.scalar(text("SELECT count(*) FROM stats_delta"))
    append_times, fold_times = [], []
    for cid in valid:
        t0 = time.perf_counter()
        with write_session(sessions) as session:
            suspend_certificate(session, principal=SYSTEM, certificate_id=cid, today=as_of,
                                change=StatusChangeIn(reason="基准测试暂停", on=as_of, until=as_of + timedelta(days=90)))
        integrate_pending(sessions, settings=settings)
        t1 = time.perf_counter()
        catch_up(sessions)
        t2 = time.perf_counter()
        append_times.append(t1 - t0)
        fold_times.append(t2 - t1)

    with read_session(sessions) as session:  # the server's way: appends for a while, then one fold of them all
        more = list(session.scalars(select(Certificate.id).where(Certificate.status == "valid",
                                                                 Certificate.expires_on > as_of)
                                    .order_by(Certificate.id.desc()).limit(args.appends)))
    t0 = time.perf_counter()
    for cid in more:
        with write_session(sessions) as session:
            suspend_certificate(session, principal=SYSTEM, certificate_id=cid, today=as_of,
                                change=StatusChangeIn(reason="基准测试暂停", on=as_of, until=as_of + timedelta(days=90)))
        integrate_pending(sessions, settings=settings)
    batch_append = time.perf_counter() - t0
    t0 = time.perf_counter()
    catch_up(sessions)
    batch_fold = time.perf_counter() - t0

    baseline, figures, views = [], [], []
    with read_session(sessions) as session:
        for _ in range(args.queries):
            region = rng.choice(regions)
            day = as_of - timedelta(days=rng.randint(0, 3650))
            t0 = time.perf_counter()
            session.execute(text("SELECT size FROM stats_cursor WHERE id = 1")).scalar()
            t1 = time.perf_counter()
            queries.figure(session, measure="certificates", region=region, on=day)
            queries.figure(session, measure="organizations", region=region, on=day)
            t2 = time.perf_counter()
            ov.overview(session, region=region if region != "unknown" else "000000", on=day)
            t3 = time.perf_counter()
            baseline.append(t1 - t0)
            figures.append(t2 - t1)
            views.append(t3 - t2)
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False}))  # measure the work, not the limiter
    app.state.stats_fold = app.state.stats_reports = app.state.status_sweep = False
    http = []
    with TestClient(app) as client:
        for _ in range(min(args.queries, 200)):
            region = rng.choice([r for r in regions if r != "unknown"])
            day = as_of - timedelta(days=rng.randint(0, 3650))
            t0 = time.perf_counter()
            assert client.get("/api/v1/stats", params={"region": region, "on": day.isoformat()}).status_code == 200
            http.append(time.perf_counter() - t0)
    engine.dispose()
    load = os.getloadavg()[0]
    print(f"size {args.size} certificates · backend {engine.dialect.name} · build {build_seconds:.0f} s "
          f"(incl. the first fold) · stats_delta rows {delta_rows} · load average {load:.1f}")
    print(f"append (suspend + integrate) per certificate: p50 {_pct(append_times, .5):.1f} ms, "
          f"mean {1000 * statistics.mean(append_times):.1f} ms")
    print(f"fold after each append: p50 {_pct(fold_times, .5):.1f} ms, mean {1000 * statistics.mean(fold_times):.1f} ms"
          f" → fold / append = {statistics.mean(fold_times) / statistics.mean(append_times):.2f}")
    print(f"{len(more)} appends then one fold: appends {batch_append:.2f} s, fold {batch_fold:.2f} s "
          f"→ fold / append = {batch_fold / batch_append:.2f}")
    print(f"baseline one-row read: p50 {_pct(baseline, .5):.3f} ms, p95 {_pct(baseline, .95):.3f} ms")
    print(f"region figures (2) on a random date: p50 {_pct(figures, .5):.2f} ms, p95 {_pct(figures, .95):.2f} ms "
          f"({_pct(figures, .95) / max(_pct(baseline, .95), 1e-6):.0f} × baseline p95)")
    print(f"region overview with sub-regions: p50 {_pct(views, .5):.2f} ms, p95 {_pct(views, .95):.2f} ms")
    print(f"/api/v1/stats through the ASGI app (TestClient): p50 {_pct(http, .5):.2f} ms, p95 {_pct(http, .95):.2f} ms")


if __name__ == "__main__":
    main()
