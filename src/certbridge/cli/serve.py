"""`certbridge serve`: run the web application."""

from __future__ import annotations

import typer

from certbridge.cli.context import console, context


def serve_app(host: str, port: int, workers: int = 1) -> None:
    """Migrate the database if needed and serve the app with uvicorn."""
    import uvicorn

    from certbridge.app import create_app
    from certbridge.migrate import upgrade

    ctx = context()
    upgrade(ctx.engine)
    app = create_app(ctx.settings)
    console.print(f"certbridge 正在运行 / serving on [bold]http://{host}:{port}[/bold]  (Ctrl+C 退出 / to stop)")
    # SIGTERM: stop accepting, let requests in flight finish for a few seconds, then close them; background jobs
    # are interrupted and rolled back at shutdown (certbridge.jobs), so the process always exits promptly.
    uvicorn.run(app, host=host, port=port, log_level="warning", workers=workers,
                timeout_graceful_shutdown=ctx.settings.shutdown_grace_seconds)


def register(app: typer.Typer) -> None:
    """Add the serve command."""

    @app.command()
    def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on"),
              port: int = typer.Option(8000, help="Port to listen on")) -> None:
        """Serve the portal, consoles and API (migrates the database first)."""
        serve_app(host, port)
