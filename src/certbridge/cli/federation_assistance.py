"""`certbridge federation assistance` and `send-outbox`: the assistance requests (执法互助) and sending the outbox
of signed messages to the peers now (the server's background loop does it every CERTBRIDGE_FEDERATION_OUTBOX_SECONDS)."""

from __future__ import annotations

import json

import typer

from certbridge.cli.context import console, context


def assistance_command(box: str = typer.Option(None, "--box", help="in: peers' requests; out: ours (default both)"),
                       as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """List the assistance requests: peer, kind, subject, status, due date, overdue."""
    from certbridge.db import read_session
    from certbridge.federation.assistance import list_requests, request_view

    if box not in (None, "in", "out"):
        raise typer.BadParameter("--box is in or out")
    with read_session(context().sessions) as session:
        views = [request_view(session, r) for r in list_requests(session, direction=box)]
    if as_json:
        typer.echo(json.dumps(views, ensure_ascii=False))
        return
    if not views:
        console.print("没有协查请求 / no assistance requests", soft_wrap=True)
    for v in views:
        arrow = "←" if v["direction"] == "in" else "→"
        overdue = " [red]overdue[/red]" if v["overdue"] else ""
        console.print(f"{v['id']} {arrow} {v['peer']} {v['kind']} {v['subject']['type']} {v['subject']['key']} "
                      f"{v['status']}{overdue} due {v['due_on']}", soft_wrap=True)


def send_outbox_command() -> None:
    """Send the signed messages waiting for the peers now (those due; a failed one waits for its retry)."""
    import httpx

    from certbridge.federation.assistance_outbox import send_outbox

    ctx = context()
    with httpx.Client(timeout=ctx.settings.federation_timeout_seconds, follow_redirects=False) as http:
        delivered = send_outbox(ctx.sessions, settings=ctx.settings, http=http)
    console.print(f"{delivered} message(s) delivered", soft_wrap=True)
