"""`certbridge db …`: schema migrations and reference data."""

from __future__ import annotations

import typer

from certbridge.cli.context import console, context

db_app = typer.Typer(help="Database schema and reference data.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command(revision: str = typer.Argument("heads", help="Target revision")) -> None:
    """Upgrade the database schema, then load reference data (regions, schemes) if missing."""
    from certbridge.db import write_session
    from certbridge.demo.reference import load_reference
    from certbridge.migrate import upgrade

    ctx = context()
    upgrade(ctx.engine, revision)
    with write_session(ctx.sessions) as session:
        loaded = load_reference(session)
    console.print(f"数据库已是最新 / database upgraded: {ctx.settings.resolved_database_url()}"
                  + (" — 已载入参考数据 / reference data loaded" if loaded else ""))


@db_app.command("sweep")
def sweep_command(on: str = typer.Option(None, help="Date to apply (YYYY-MM-DD); default today")) -> None:
    """Apply calendar-driven changes: expiry, withdrawal after suspension, overdue surveillance."""
    from datetime import date

    from certbridge.certificates.workflow import sweep_due
    from certbridge.db import write_session

    ctx = context()
    day = date.fromisoformat(on) if on else date.today()
    with write_session(ctx.sessions) as session:
        counts = sweep_due(session, on=day)
    console.print(f"过期 expired {counts['expired']} · 撤销 withdrawn {counts['withdrawn']} · "
                  f"暂停 suspended {counts['suspended']}")
