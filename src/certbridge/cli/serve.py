"""`certbridge serve`: run the web application."""

from __future__ import annotations

import typer

from certbridge.cli.context import console, context


def served_url(host: str, port: int) -> str:
    """Return the base URL of a server listening on host:port (loopback when it listens on every address)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def serve_app(host: str, port: int, workers: int = 1) -> None:
    """Migrate the database if needed and serve the app with uvicorn, in `workers` processes on one socket."""
    from certbridge.cli.workers import Supervisor, listening_socket
    from certbridge.migrate import upgrade_if_needed

    ctx = context()
    upgrade_if_needed(ctx.engine)  # at head (almost every start): one query, no Alembic
    ctx.engine.dispose()  # no connection of the parent's may be shared by forked workers
    settings = ctx.settings
    if "public_url" not in settings.model_fields_set:  # QR codes and links point where this server answers
        settings.public_url = served_url(host, port)
    sock = listening_socket(host, port)
    shown = f"{workers} 个进程 / {workers} processes" if workers > 1 else "1 个进程 / 1 process"
    console.print(f"certbridge 正在运行 / serving on [bold]http://{host}:{port}[/bold]  ({shown}; Ctrl+C 退出 / to stop)")
    if workers > 1 and not settings.redis_url:
        console.print("[yellow]未设置 CERTBRIDGE_REDIS_URL：每个进程各自限流 / CERTBRIDGE_REDIS_URL unset: each process "
                      "counts its own rate limits (the effective limit is multiplied by the workers)[/yellow]")
    if workers > 1:
        import certbridge.app  # noqa: F401 - imported once before forking: the workers share it, nothing runs at import
        import uvicorn  # noqa: F401

        Supervisor(workers, lambda shared: _serve_on(settings, shared), sock).run()
    else:
        _serve_on(settings, sock)


def _serve_on(settings, sock) -> None:
    """Build the app in this process and serve it on an already listening socket until stopped."""
    import uvicorn

    from certbridge.app import create_app
    from certbridge.cli.workers import nodelay_protocol

    app = create_app(settings)
    # SIGTERM: stop accepting, interrupt the background job at once (it rolls back, certbridge.jobs), let requests
    # in flight finish for shutdown_grace_seconds, then close them: the process always exits within seconds.
    # httptools: uvicorn's C HTTP parser (a dependency), half the per-request cost of its pure-Python h11.
    # access_log off: at log level "warning" its lines were never printed, only built (uvicorn logs them at INFO).
    config = uvicorn.Config(app, http="httptools", log_level="warning", access_log=False,
                            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
                            **proxy_options(settings.trusted_proxies))
    config.load()
    config.http_protocol_class = nodelay_protocol(config.http_protocol_class)
    _serve_stopping_jobs_first(config, sock)


def _serve_stopping_jobs_first(config, sock) -> None:
    """Run uvicorn's server, interrupting the running background job as soon as a stop signal comes."""
    import uvicorn

    class StoppingServer(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            jobs = getattr(self.config.app.state, "jobs", None)
            if jobs is not None:
                jobs.stop_soon()
            super().handle_exit(sig, frame)

    StoppingServer(config).run(sockets=[sock])


def proxy_options(proxies: list[str] | None = None) -> dict:
    """Return uvicorn's forwarded-header options: believed only from CERTBRIDGE_TRUSTED_PROXIES (default none).

    uvicorn on its own trusts X-Forwarded-For from 127.0.0.1; with no proxy configured anyone on the machine
    (or a local tunnel) could then choose the client address the limits and the audit trail see.
    """
    if proxies is None:
        from certbridge.settings import Settings

        proxies = Settings().trusted_proxies
    if not proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(proxies)}


def serve_command(host: str = typer.Option("127.0.0.1", help="Address to listen on"),
                  port: int = typer.Option(8000, help="Port to listen on"),
                  workers: int = typer.Option(1, min=1, max=64, help="Server processes sharing the socket (with "
                                              "several, set CERTBRIDGE_REDIS_URL so they share one rate limit)"),
                  ) -> None:
    """Serve the portal, consoles and API (migrates the database first)."""
    serve_app(host, port, workers)
