"""`certbridge bulk-files` builds a day's signed bulk files; `certbridge mirror` rebuilds a read-only copy from
them and checks it (manifest signatures, file hashes, checkpoints, chained deltas, table counts and digests)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from certbridge.cli.context import console, context, err_console, reporting_domain_errors
from certbridge.i18n.catalog import render


def bulk_files(day: str = typer.Option(None, "--day", help="YYYY-MM-DD (default: today)")) -> None:
    """Build the day's bulk files (full + delta, CSV and JSON Lines, signed manifest) if not built yet."""
    from certbridge.opendata.feeds.bulk_build import build_day

    ctx = context()
    try:
        on = date.fromisoformat(day) if day else date.today()
    except ValueError:
        err_console.print(render("feeds.day_format", ctx.lang, value=day))
        raise typer.Exit(2) from None
    folder = reporting_domain_errors(lambda: build_day(ctx.sessions, settings=ctx.settings, on=on))
    console.print(render("feeds.bulk_built", ctx.lang, day=on.isoformat(), folder=str(folder)))


def mirror(source: Path = typer.Argument(..., help="Folder of bulk files: one sub-folder per day"),
           out: Path = typer.Argument(..., help="SQLite file to write (replaced; left read-only)"),
           key: list[str] = typer.Option(None, "--key", help="Log verifier key (repeatable); default: this "
                                                              "instance's log keys")) -> None:
    """Rebuild a read-only copy from a full day and the deltas after it, and check it against the log."""
    from certbridge.db import read_session
    from certbridge.errors import NotFound
    from certbridge.ledger.proofs import b64, checkpoint_at, log_verifier_keys
    from certbridge.opendata.feeds.mirror import MirrorRefused, rebuild

    ctx = context()
    keys = list(key or [])
    if not keys:
        with read_session(ctx.sessions) as session:
            keys = log_verifier_keys(session)
    try:
        last = rebuild(source, out, verifier_keys=keys)
    except MirrorRefused as exc:
        err_console.print(render("feeds.mirror_refused", ctx.lang, reason=str(exc)))
        raise typer.Exit(1) from None
    if not key:  # the files came from this instance: its log must hold the same checkpoint
        with read_session(ctx.sessions) as session:
            try:
                same = b64(checkpoint_at(session, last.size).root_hash) == last.root_hash
            except NotFound:
                same = False
        if not same:
            out.unlink(missing_ok=True)
            err_console.print(render("feeds.mirror_refused", ctx.lang,
                                     reason=f"checkpoint {last.size} is not in this instance's log"))
            raise typer.Exit(1)
    console.print(render("feeds.mirror_done", ctx.lang, out=str(out), day=last.day, size=last.size))
