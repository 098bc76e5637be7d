"""The two servers the HTTP benchmark compares, run with the same uvicorn settings.

`app`: certbridge itself. `baseline`: a bare Starlette endpoint doing one primary-key lookup on the same
database file (or PostgreSQL database) — the ceiling a verification endpoint is measured against.
Run as `python -m bench.servers app|baseline PORT` with CERTBRIDGE_* in the environment.
"""

from __future__ import annotations

import sys

# Both servers parse HTTP with httptools (uvicorn's C parser, as `certbridge serve` does): a fair baseline.
UVICORN = {"host": "127.0.0.1", "log_level": "warning", "access_log": False, "workers": 1, "http": "httptools"}


def baseline_app(url: str):
    """Return a Starlette app answering GET /pk?id=N with one row fetched by primary key."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    if url.startswith("sqlite"):
        # As certbridge verifies on SQLite: on the event loop itself, over one read-only connection opened the
        # same way (certbridge.db.open_sqlite_reader: same file, cache and mmap settings, no busy wait).
        from certbridge.db import make_engine, open_sqlite_reader

        conn = open_sqlite_reader(make_engine(url))

        async def pk(request):
            row = conn.execute("SELECT id, number, status FROM certificate WHERE id = ?",
                               (int(request.query_params["id"]),)).fetchone()
            return JSONResponse({"id": row[0], "number": row[1], "status": row[2]} if row else {})
    else:
        # As certbridge verifies on PostgreSQL: on the event loop, over the same few psycopg async connections
        # (certbridge.db.AsyncReaders: same driver, connect arguments, pool size, autocommit, read-only).
        from certbridge.db import ASYNC_READERS, AsyncReaders, make_engine

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

    return Starlette(routes=[Route("/pk", pk)])


def main() -> None:
    """Serve one of the two apps on a port."""
    import uvicorn

    from certbridge.settings import Settings

    which, port = sys.argv[1], int(sys.argv[2])
    settings = Settings()
    if which == "app":
        from certbridge.app import create_app

        app = create_app(settings)
    else:
        app = baseline_app(settings.resolved_database_url())
    uvicorn.run(app, port=port, **UVICORN)


if __name__ == "__main__":
    main()
