"""`certbridge verify-bulk-receipt`: check a supplier-list receipt offline (and, given the list, that it is this list)."""

from __future__ import annotations

from pathlib import Path

import typer

from certbridge.cli.context import console, context, err_console


def _t(code: str, **params) -> str:
    from certbridge.i18n.catalog import render

    return render(code, context().lang, **params)


def verify_bulk_receipt_command(
    receipt: Path = typer.Argument(..., help="bulk-receipt.json, or the receipt PDF (its embedded JSON is read)"),
    key: list[str] = typer.Option(None, help="The platform's credential verifier key (repeatable)"),
    log_key: list[str] = typer.Option(None, help="The platform's log verifier key (repeatable)"),
    list_file: Path = typer.Option(None, "--list", help="The list you uploaded (CSV or XLSX): prove the receipt is for it"),
) -> None:
    """Check a bulk verification receipt offline: signature, checkpoint, rows, summary (exit 1 if it fails)."""
    from certbridge.credentials.receipt_check import extract_receipt
    from certbridge.errors import DomainError
    from certbridge.ledger.offline import OfflineCheckError
    from certbridge.opendata.bulk_input import rows_from_file
    from certbridge.opendata.bulk_receipt_check import verify_bulk_receipt

    try:
        data = extract_receipt(receipt.read_bytes())
        rows = rows_from_file(list_file.name, list_file.read_bytes()) if list_file else None
        result = verify_bulk_receipt(data, credential_keys=[k for k in key or [] if k.strip()] or None,
                                     log_keys=[k for k in log_key or [] if k.strip()] or None, rows=rows)
    except OSError as exc:
        err_console.print(f"[red]✘[/red] {_t('offline.file_unreadable', path=exc.filename or str(receipt), detail=exc.strerror)}",
                          soft_wrap=True)
        raise typer.Exit(2) from None
    except (OfflineCheckError, DomainError) as exc:
        message = exc.message(context().lang) if isinstance(exc, DomainError) else _t(exc.code, **exc.params)
        err_console.print(f"[red]✘[/red] {message}", soft_wrap=True)
        raise typer.Exit(1) from None
    summary = _t("bulk.summary", **result["summary"])
    console.print(f"[green]✔[/green] {_t('bulk_receipt.ok', summary=summary)}", soft_wrap=True)
    console.print("  " + _t("offline.signed_by", keys=", ".join([result["signed_by"], *result["log_signed_by"]])),
                  soft_wrap=True)
    if result["list_checked"]:
        console.print(f"  {_t('bulk_receipt.list_ok')}", soft_wrap=True)
    if result["map_checked"]:
        console.print(f"  {_t('bulk_receipt.map_ok', **result['map'])}", soft_wrap=True)
    else:
        console.print(f"[yellow]{_t('bulk_receipt.map_unchecked')}[/yellow]", soft_wrap=True)
    if result["embedded_keys"]:
        console.print(f"[yellow]{_t('receipt.embedded_keys')}[/yellow]", soft_wrap=True)
    console.print(f"[yellow]{_t('bulk_receipt.status_note')}[/yellow]", soft_wrap=True)
