"""`certbridge serve`: run the web application."""

from __future__ import annotations

import typer

from certbridge.cli.context import console, context


def served_url(host: str, port: int) -> str:
    """Return the base URL of a server listening on host:port (loopback when it listens on every address)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def serve_app(host: str, port: int, workers: int = 1) -> None:
    """Migrate the database if needed and serve the app with uvicorn."""
    import uvicorn

    from certbridge.app import create_app
    from certbridge.migrate import upgrade

    ctx = context()
    upgrade(ctx.engine)
    settings = ctx.settings
    if "public_url" not in settings.model_fields_set:  # QR codes and links point where this server answers
        settings.public_url = served_url(host, port)
    app = create_app(settings)
    console.print(f"certbridge 正在运行 / serving on [bold]http://{host}:{port}[/bold]  (Ctrl+C 退出 / to stop)")
    # SIGTERM: stop accepting, interrupt the background job at once (it rolls back, certbridge.jobs), let requests
    # in flight finish for shutdown_grace_seconds, then close them: the process always exits within seconds.
    grace = ctx.settings.shutdown_grace_seconds
    if workers > 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", workers=workers, timeout_graceful_shutdown=grace,
                    **proxy_options(ctx.settings.trusted_proxies))
        return
    _serve_stopping_jobs_first(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                              timeout_graceful_shutdown=grace,
                                              **proxy_options(ctx.settings.trusted_proxies)))


def _serve_stopping_jobs_first(config) -> None:
    """Run uvicorn's server, interrupting the running background job as soon as a stop signal comes."""
    import uvicorn

    class StoppingServer(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            jobs = getattr(self.config.app.state, "jobs", None)
            if jobs is not None:
                jobs.stop_soon()
            super().handle_exit(sig, frame)

    StoppingServer(config).run()


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


def register(app: typer.Typer) -> None:
    """Add the serve command."""

    @app.command()
    def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on"),
              port: int = typer.Option(8000, help="Port to listen on")) -> None:
        """Serve the portal, consoles and API (migrates the database first)."""
        serve_app(host, port)
