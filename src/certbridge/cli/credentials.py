"""`certbridge verify-token`, `verify-receipt`, and `certbridge credentials …` to make tokens, QR codes, receipts."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from certbridge.cli.context import console, context, err_console

credentials_app = typer.Typer(help="Certificate tokens, QR codes and verification receipts.", no_args_is_help=True)


def _t(code: str, **params) -> str:
    from certbridge.i18n.catalog import render

    return render(code, context().lang, **params)


def _instance_credential_keys() -> list[str]:
    """Return this instance's credential keys (recorded and local), for checks run beside the data."""
    from certbridge.db import read_session
    from certbridge.credentials.service import credential_verifier_keys

    ctx = context()
    with read_session(ctx.sessions) as session:
        return credential_verifier_keys(session, ctx.settings)


def verify_token_command(token: str = typer.Argument(..., help="The token (the part after /v/ in the QR URL)"),
                         key: list[str] = typer.Option(None, help="A credential verifier key you trust "
                                                                  "(repeatable; default: this instance's keys)")) -> None:
    """Check a certificate token offline: authenticity only, never current status (exit 1 if not authentic)."""
    from certbridge.credentials.tokens import verify_token

    token = token.rsplit("/v/", 1)[-1]  # a whole scanned URL works too
    keys = [k.strip() for k in key or [] if k.strip()] or _instance_credential_keys()
    result = verify_token(token, keys)
    if not result.authentic:
        err_console.print(f"[red]✘[/red] {_t(result.reason)}", soft_wrap=True)
        raise typer.Exit(1)
    p = result.payload
    console.print(f"[green]✔[/green] {_t('token.authentic')}", soft_wrap=True)
    console.print(f"  {p['no']} · {p['cb']} · {p['h']} · {p['u'] or '—'} · {p['s']} · {p['i']} → {p['e']}", soft_wrap=True)
    console.print(f"  {p['iss']} · key {result.key} · log seq {p['seq']}", soft_wrap=True)
    console.print(f"[yellow]{_t('token.offline_note')}[/yellow]", soft_wrap=True)


def verify_receipt_command(
    receipt: Path = typer.Argument(..., help="receipt.json, or the receipt PDF (its embedded JSON is read)"),
    key: list[str] = typer.Option(None, help="The platform's credential verifier key (repeatable)"),
    log_key: list[str] = typer.Option(None, help="The platform's log verifier key (repeatable)"),
    witness_key: list[str] = typer.Option(None, help="A witness key you trust (repeatable)"),
    min_cosignatures: int = typer.Option(0, help="Require this many valid witness cosignatures"),
) -> None:
    """Check a verification receipt offline: signature, checkpoint, inclusion proofs and the stated status."""
    from certbridge.credentials.receipt_check import extract_receipt, verify_receipt
    from certbridge.ledger.offline import OfflineCheckError

    try:
        data = extract_receipt(receipt.read_bytes())
        result = verify_receipt(data, credential_keys=[k for k in key or [] if k.strip()] or None,
                                log_keys=[k for k in log_key or [] if k.strip()] or None,
                                witness_keys=[k for k in witness_key or [] if k.strip()],
                                min_cosignatures=min_cosignatures)
    except OSError as exc:
        err_console.print(f"[red]✘[/red] {_t('offline.file_unreadable', path=str(receipt), detail=exc.strerror)}", soft_wrap=True)
        raise typer.Exit(2) from None
    except OfflineCheckError as exc:
        err_console.print(f"[red]✘[/red] {_t(exc.code, **exc.params)}", soft_wrap=True)
        raise typer.Exit(1) from None
    status = _t(f"status.{result['status']}")
    console.print(f"[green]✔[/green] {_t('receipt.ok', events=len(data['events']), status=status)}", soft_wrap=True)
    console.print("  " + result["statement"].get(context().lang, ""), soft_wrap=True)
    console.print("  " + _t("offline.signed_by", keys=", ".join([result["signed_by"], *result["log_signed_by"]])),
                  soft_wrap=True)
    if result["cosigned_by"]:
        console.print("  " + _t("offline.cosigned_by", keys=", ".join(result["cosigned_by"])), soft_wrap=True)
    if result["embedded_keys"]:
        console.print(f"[yellow]{_t('receipt.embedded_keys')}[/yellow]", soft_wrap=True)
    if not result.get("fields_proven", True):
        console.print(f"[yellow]{_t('receipt.fields_unproven')}[/yellow]", soft_wrap=True)
    if result.get("tail_proven"):
        console.print("  " + _t("statemap.tail_proven"), soft_wrap=True)
    else:
        console.print(f"[yellow]{_t('receipt.tail_note')}[/yellow]", soft_wrap=True)


@credentials_app.command("token")
def token_command(certificate_id: int = typer.Argument(..., help="Certificate id")) -> None:
    """Print a certificate's signed token and verification URL."""
    from certbridge.credentials.service import certificate_token, verification_url
    from certbridge.db import read_session
    from certbridge.errors import DomainError

    ctx = context()
    with read_session(ctx.sessions) as session:
        try:
            token = certificate_token(session, settings=ctx.settings, certificate_id=certificate_id)
        except DomainError as exc:
            err_console.print(f"[red]✘[/red] {exc.message(ctx.lang)}", soft_wrap=True)
            raise typer.Exit(1) from None
    typer.echo(token)
    typer.echo(verification_url(ctx.settings, token))


@credentials_app.command("qr")
def qr_command(certificate_id: int = typer.Argument(..., help="Certificate id"),
               out: Path = typer.Option(..., help="Output file: .svg or .png")) -> None:
    """Write a certificate's QR code (its verification URL with the signed token) as SVG or PNG."""
    from certbridge.credentials.qr import qr_png, qr_svg
    from certbridge.credentials.service import certificate_token, verification_url
    from certbridge.db import read_session

    ctx = context()
    with read_session(ctx.sessions) as session:
        url = verification_url(ctx.settings, certificate_token(session, settings=ctx.settings,
                                                               certificate_id=certificate_id))
    if out.suffix.lower() == ".svg":
        out.write_text(qr_svg(url), encoding="utf-8")
    else:
        out.write_bytes(qr_png(url))
    console.print(f"✔ {out}", soft_wrap=True)


@credentials_app.command("receipt")
def receipt_command(certificate_id: int = typer.Argument(..., help="Certificate id"),
                    out: Path = typer.Option(..., help="Output file: .json or .pdf")) -> None:
    """Write a signed verification receipt of a certificate's status now (JSON or one-page PDF)."""
    from certbridge.credentials.receipts import build_receipt, receipt_pdf
    from certbridge.db import read_session
    from certbridge.errors import DomainError
    from certbridge.ledger.integrate import integrate_pending

    ctx = context()
    try:
        integrate_pending(ctx.sessions, settings=ctx.settings)
        with read_session(ctx.sessions) as session:
            receipt = build_receipt(session, settings=ctx.settings, certificate_id=certificate_id)
    except DomainError as exc:
        err_console.print(f"[red]✘[/red] {exc.message(ctx.lang)}", soft_wrap=True)
        raise typer.Exit(1) from None
    if out.suffix.lower() == ".pdf":
        out.write_bytes(receipt_pdf(receipt))
    else:
        out.write_text(json.dumps(receipt, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"✔ {out}", soft_wrap=True)
