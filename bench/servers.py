"""The servers the HTTP benchmarks compare, run with the same uvicorn settings.

`app`: certbridge itself. `app-full`: the same without its lean path (api/lean.py), every request through FastAPI
and all the middlewares — the "before" of the lean path. `baseline`: a bare Starlette app on the same database
file (or PostgreSQL database) — the ceilings certbridge is measured against: `GET /pk?id=N`, one primary-key
lookup (for verify), and `GET /search?q=…`, the name search's own query (`search_public_views`, the same
statement certbridge runs, in one trip to the thread pool) serialised as plain JSON (for the name search).
Run as `python -m bench.servers app|app-full|baseline PORT` with CERTBRIDGE_* in the environment.
"""

from __future__ import annotations

import os
import sys

# Both servers parse HTTP with httptools (uvicorn's C parser, as `certbridge serve` does): a fair baseline.
UVICORN = {"host": "127.0.0.1", "log_level": "warning", "access_log": False, "workers": 1, "http": "httptools"}


def baseline_app(url: str):
    """Return a Starlette app answering GET /pk?id=N with one row fetched by primary key."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from certbridge.db import make_engine, open_sqlite_reader

    if url.startswith("sqlite"):
        # As certbridge verifies on SQLite: on the event loop itself, over one read-only connection opened the
        # same way (certbridge.db.open_sqlite_reader: same file, cache and mmap settings, no busy wait).
        conn = open_sqlite_reader(make_engine(url))

        async def pk(request):
            row = conn.execute("SELECT id, number, status FROM certificate WHERE id = ?",
                               (int(request.query_params["id"]),)).fetchone()
            return JSONResponse({"id": row[0], "number": row[1], "status": row[2]} if row else {})
    else:
        # As certbridge verifies on PostgreSQL: on the event loop, over the same few psycopg async connections
        # (certbridge.db.AsyncReaders: same driver, connect arguments, pool size, autocommit, read-only).
        from certbridge.db import ASYNC_READERS, AsyncReaders

        engine, held = make_engine(url), []

        async def fetch(conn, cert_id: int):
            cursor = await conn.execute("SELECT id, number, status FROM certificate WHERE id = %s", (cert_id,))
            return await cursor.fetchone()

        async def pk(request):
            if not held:
                held.append(AsyncReaders(engine, ASYNC_READERS))
            cert_id = int(request.query_params["id"])
            row = await held[0].run(lambda conn: fetch(conn, cert_id))
            return JSONResponse({"id": row[0], "number": row[1], "status": row[2]} if row else {})

    from starlette.concurrency import run_in_threadpool

    from certbridge.certificates.queries import CertificateFilter, search_public_views
    from certbridge.db import make_sessionmaker, read_session

    sessions = make_sessionmaker(make_engine(url))

    def found(q: str) -> list:
        with read_session(sessions) as session:
            return search_public_views(session, CertificateFilter(q=q), limit=20)

    async def search(request):
        return JSONResponse({"items": await run_in_threadpool(found, request.query_params["q"])})

    return Starlette(routes=[Route("/pk", pk), Route("/search", search)])


def main() -> None:
    """Serve one of the apps on a port."""
    import uvicorn

    from certbridge.settings import Settings

    which, port = sys.argv[1], int(sys.argv[2])
    settings = Settings()
    if which in ("app", "app-full"):
        from certbridge.api.lean import LeanReads
        from certbridge.app import create_app

        app = create_app(settings)
        if which == "app-full":
            app.user_middleware = [m for m in app.user_middleware if m.cls is not LeanReads]
    else:
        app = baseline_app(settings.resolved_database_url())
    # BENCH_HTTP=h11: uvicorn's pure-Python parser instead, to measure what httptools changes.
    uvicorn.run(app, port=port, **{**UVICORN, "http": os.environ.get("BENCH_HTTP", UVICORN["http"])})


if __name__ == "__main__":
    main()
