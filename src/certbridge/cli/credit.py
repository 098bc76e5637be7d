"""`certbridge credit …`: the monthly recompute, the list sweep and the 双公示 export."""

from __future__ import annotations

from pathlib import Path

import typer

from certbridge.cli.context import console, context, err_console
from certbridge.errors import DomainError
from certbridge.i18n.catalog import render
from certbridge.principal import SYSTEM

credit_app = typer.Typer(help="Credit: recompute classes (monthly cron), end expired listings, 双公示 export.",
                         no_args_is_help=True)


@credit_app.command("recompute")
def recompute(subject_type: str = typer.Option(None, help="organization, body, person or lab (default: all)"),
              subject_id: int = typer.Option(None, help="One subject's id")) -> None:
    """Recompute risk scores and classes from the ledger (run monthly from cron)."""
    from certbridge.credit.scoring import recompute_credit
    from certbridge.db import write_session

    ctx = context()
    try:
        with write_session(ctx.sessions) as session:
            summary = recompute_credit(session, principal=SYSTEM, subject_type=subject_type, subject_id=subject_id)
    except DomainError as exc:
        err_console.print(f"[red]✘[/red] {exc.message(ctx.lang)}")
        raise typer.Exit(1) from None
    console.print(render("cli.credit.recomputed", ctx.lang, **summary))


@credit_app.command("sweep")
def sweep() -> None:
    """Record the automatic end of dishonesty listings whose period is over (run daily)."""
    from certbridge.credit.lists import end_expired_listings
    from certbridge.db import write_session

    ctx = context()
    with write_session(ctx.sessions) as session:
        count = end_expired_listings(session, principal=SYSTEM)
    console.print(render("cli.credit.swept", ctx.lang, count=count))


@credit_app.command("export")
def export(layout: str = typer.Option("CF", help="XK (licensing) or CF (penalties)"),
           file_format: str = typer.Option("csv", "--format", help="csv or xlsx"),
           output: Path = typer.Option(..., "--output", "-o", help="File to write"),
           include_unpublished: bool = typer.Option(False, "--all", help="Also records not yet published")) -> None:
    """Export licensing or penalty records in the 双公示 field layout (XK_/CF_ codes)."""
    from certbridge.credit.publicity import publicity_file
    from certbridge.db import read_session

    ctx = context()
    layout, file_format = layout.upper(), file_format.lower()
    if layout not in ("XK", "CF") or file_format not in ("csv", "xlsx"):
        err_console.print(f"[red]✘[/red] {render('cli.credit.export_options', ctx.lang)}")
        raise typer.Exit(2)
    with read_session(ctx.sessions) as session:
        data = publicity_file(session, layout, file_format, public_only=not include_unpublished)
    output.write_bytes(data)
    console.print(render("cli.credit.exported", ctx.lang, layout=layout, path=str(output), size=len(data)))
