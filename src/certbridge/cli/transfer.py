"""`certbridge import` and `certbridge export`: bulk certificate files for one body."""

from __future__ import annotations

from pathlib import Path

import typer

from certbridge.cli.context import console, context, err_console
from certbridge.errors import DomainError
from certbridge.principal import SYSTEM


def import_command(
    body: str = typer.Argument(..., help="Certification body code or approval number"),
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV (UTF-8/GBK), XLSX or JSON"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report without writing"),
) -> None:
    """Import certificates for a body: every row or none; bad rows listed with their line and reason."""
    from certbridge.certificates.importer import import_certificates
    from certbridge.db import write_session
    from certbridge.registry.bodies import find_body

    ctx = context()
    with write_session(ctx.sessions) as session:
        found = find_body(session, body)
        if found is None:
            err_console.print(f"[red]✘[/red] 找不到认证机构 / no certification body {body}")
            raise typer.Exit(1)
        try:
            limit = ctx.settings.import_max_file_bytes
            with path.open("rb") as fh:
                data = fh.read(limit + 1)  # a larger file is refused without reading all of it
            report = import_certificates(session, principal=SYSTEM, body_id=found.id, filename=path.name,
                                         data=data, dry_run=dry_run, lang=ctx.lang, max_bytes=limit,
                                         limits=ctx.settings.import_limits())
        except DomainError as exc:
            err_console.print(f"[red]✘[/red] {exc.message(ctx.lang)}")
            raise typer.Exit(1) from None
        if report.errors or dry_run:
            session.rollback()
    for warning in report.warnings:
        err_console.print(f"[yellow]![/yellow] {warning.message}", markup=True, highlight=False)
    for err in report.errors:
        where = f"第 {err.row} 行 / row {err.row}" + (f" [{err.field}]" if err.field else "")
        err_console.print(f"[red]✘[/red] {where}: {err.message}")
    status = "已写入 / committed" if report.committed and not dry_run else "未写入 / nothing written"
    console.print(f"{report.rows} 行 rows · 新增 created {report.created} · 未变 unchanged {report.unchanged} · "
                  f"错误 errors {len(report.errors)} — {status}")
    raise typer.Exit(1 if report.errors else 0)

def export_command(
    out: Path = typer.Argument(..., help="Output file: .csv, .jsonl or .xlsx"),
    body: str = typer.Option(None, help="Only this body's certificates"),
    status: str = typer.Option(None, help="Only certificates with this status"),
) -> None:
    """Export certificates to CSV, JSON Lines or XLSX (columns as the importer reads them)."""
    from certbridge.certificates.export import export_certificates
    from certbridge.db import read_session
    from certbridge.registry.bodies import find_body

    ctx = context()
    with read_session(ctx.sessions) as session:
        body_id = None
        if body:
            found = find_body(session, body)
            if found is None:
                err_console.print(f"[red]✘[/red] 找不到认证机构 / no certification body {body}")
                raise typer.Exit(1)
            body_id = found.id
        try:
            count = export_certificates(session, out, body_id=body_id, status=status)
        except ValueError as exc:
            err_console.print(f"[red]✘[/red] {exc}")
            raise typer.Exit(1) from None
    console.print(f"已导出 {count} 张证书 / exported {count} certificates → {out}")
