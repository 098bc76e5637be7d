"""`certbridge backup` and `certbridge restore`: an online, consistent archive of the instance and its verified restore."""

from __future__ import annotations

from pathlib import Path

import typer

from certbridge.cli.context import console, context, err_console, reporting_domain_errors


def _t(code: str, **params) -> str:
    from certbridge.i18n.catalog import render

    return render(code, context().lang, **params)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover


def _summary(manifest: dict) -> None:
    from certbridge.backup.service import root_hex

    ledger = manifest["ledger"]
    console.print(_t("backup.summary", backend=manifest["database"]["server_version"],
                     revision=", ".join(manifest["schema_revision"]), events=ledger["events"],
                     tree=ledger["tree_size"], root=root_hex(manifest)), soft_wrap=True)
    names = [f["path"] for f in manifest["files"][1:]]
    console.print(_t("backup.files", count=len(names), names=", ".join(names) or "-"), soft_wrap=True)


def backup_command(
    output: Path = typer.Argument(None, help="Archive to write (.tar.gz, .tgz or .tar); "
                                             "default certbridge-backup-<UTC time>.tar.gz here"),
    pg_bin: Path = typer.Option(None, help="Folder of pg_dump of the server's major version "
                                           "(default /usr/lib/postgresql/<major>/bin, then PATH)"),
) -> None:
    """Back up the database (online, one consistent snapshot) and the data directory's keys and state."""
    from certbridge.backup.service import create_backup
    from certbridge.db import utcnow

    ctx = context()
    out = output or Path(f"certbridge-backup-{utcnow().strftime('%Y%m%dT%H%M%SZ')}.tar.gz")
    result = reporting_domain_errors(lambda: create_backup(ctx.settings, out, pg_bin=pg_bin))
    console.print(f"[green]✔[/green] {_t('backup.done', path=str(result.path), size=_size(result.path.stat().st_size))}",
                  soft_wrap=True)
    _summary(result.manifest)


def restore_command(
    archive: Path = typer.Argument(..., help="A backup written by `certbridge backup`"),
    force: bool = typer.Option(False, "--force", help="Replace a database that is not empty, and differing files"),
    replay: bool = typer.Option(True, help="Also replay the log against the restored rows (as `ledger verify`)"),
    pg_bin: Path = typer.Option(None, help="Folder of pg_restore of the server's major version"),
) -> None:
    """Restore a backup into an empty database and data directory, then verify the log against its manifest."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from certbridge.backup.service import restore_backup, root_hex

    ctx = context()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, advance: int, total: int) -> None:
            if phase not in tasks:
                label = _t("ledger.verify.phase.log") if phase == "log" else _t("ledger.verify.phase.state", kind=phase)
                tasks[phase] = bar.add_task(label, total=total)
            bar.advance(tasks[phase], advance)

        result = reporting_domain_errors(lambda: restore_backup(ctx.settings, archive, force=force, replay=replay, pg_bin=pg_bin,
                                             progress=progress))
    console.print(f"[green]✔[/green] {_t('backup.restored', target=result.target)}", soft_wrap=True)
    _summary(result.manifest)
    for code, params in result.notes:
        console.print(f"[yellow]![/yellow] {_t(code, **params)}", soft_wrap=True)
    if result.ok:
        ledger = result.manifest["ledger"]
        console.print(f"[green]✔[/green] {_t('backup.verified', events=ledger['events'], tree=ledger['tree_size'], root=root_hex(result.manifest))}",
                      soft_wrap=True)
        return
    details = [_t(code, **params) for code, params in result.mismatches]
    details += [_t(p.code, **p.params) for p in (result.report.problems if result.report else [])]
    err_console.print(f"[red]✘[/red] {_t('backup.verify_failed', detail='; '.join(details[:3]))}", soft_wrap=True)
    for line in details[:50]:
        err_console.print(f"  • {line}", soft_wrap=True)
    raise typer.Exit(1)
