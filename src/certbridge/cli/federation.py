"""`certbridge federation …`: this instance's identity, connecting peers, following and auditing them, and
searching their certificates."""

from __future__ import annotations

import json

import typer

from certbridge.cli.context import console, context, err_console, reporting_domain_errors
from certbridge.cli.federation_assistance import assistance_command, send_outbox_command

federation_app = typer.Typer(help="Federation between instances (联邦): peers, proven mirrors of their logs, "
                                  "search across them.", no_args_is_help=True)


@federation_app.command("identity")
def identity_command(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Print this instance's name, URL, log key and witness key: give them to a peer's operator."""
    from certbridge.federation.peers import identity

    me = identity(context().settings)
    if as_json:
        typer.echo(json.dumps(me, ensure_ascii=False))
        return
    for key in ("name", "url", "log_key", "witness_key"):
        typer.echo(f"{key}: {me[key]}")


@federation_app.command("add-peer")
def add_peer_command(
    name: str = typer.Argument(..., help="The peer's instance name (its log origin is <name>/log)"),
    url: str = typer.Argument(..., help="The peer's public base URL"),
    log_key: str = typer.Argument(..., help="The peer's log (checkpoint) verifier key"),
    role: str = typer.Option("region", help="region | national"),
    region: str = typer.Option(None, help="GB/T 2260 code of the peer's region"),
    label: str = typer.Option("", help="A display name, e.g. 福州市市场监管局"),
    witness: bool = typer.Option(True, "--witness/--no-witness", help="Cosign the peer's checkpoints"),
    witness_key: str = typer.Option(None, help="The peer's witness key: ask it to cosign our checkpoints"),
) -> None:
    """Connect a peer by its exchanged keys; it is followed from its first log entry."""
    from certbridge.db import write_session
    from certbridge.federation.peers import add_peer
    from certbridge.principal import SYSTEM

    ctx = context()
    with write_session(ctx.sessions) as session:
        peer = reporting_domain_errors(lambda: add_peer(
            session, principal=SYSTEM, settings=ctx.settings, name=name, base_url=url, log_key=log_key, role=role,
            region_code=region, label=label, witness=witness, witness_key=witness_key))
        peer_id = peer.id
    console.print(f"[green]✔[/green] 已连接 / connected peer {peer_id}: {name} ({url})", soft_wrap=True)


@federation_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """List the peers: proven checkpoint size, last contact, findings."""
    from certbridge.db import read_session
    from certbridge.federation.peers import list_peers, peer_view

    with read_session(context().sessions) as session:
        views = [peer_view(p) for p in list_peers(session)]
    if as_json:
        typer.echo(json.dumps(views, ensure_ascii=False))
        return
    if not views:
        console.print("没有对等实例 / no peers", soft_wrap=True)
    for v in views:
        finding = f" [red]{v['problem']}: {v['problem_detail']}[/red]" if v["problem"] else ""
        error = f" (last error: {v['last_error']})" if v["last_error"] else ""
        console.print(f"{v['id']} {v['name']} {v['role']} {v['base_url']} proven size {v['verified_size']}"
                      f"{finding}{error}", soft_wrap=True)


def _run(which, peer_id: int | None) -> None:
    import httpx

    from certbridge.federation.follow import active_peer_ids

    ctx = context()
    ids = [peer_id] if peer_id is not None else active_peer_ids(ctx.sessions)
    failed = False
    with httpx.Client(timeout=ctx.settings.federation_timeout_seconds) as http:
        for pid in ids:
            outcome = reporting_domain_errors(lambda pid=pid: which(ctx.sessions, pid, http=http))
            if outcome.problem:
                failed = True
                err_console.print(f"[red]✘[/red] {outcome.peer}: {outcome.problem}: {outcome.detail}", soft_wrap=True)
            elif outcome.error:
                failed = True
                err_console.print(f"[yellow]…[/yellow] {outcome.peer}: {outcome.error}", soft_wrap=True)
            else:
                console.print(f"[green]✔[/green] {outcome.peer}: proven size {outcome.size}, "
                              f"{outcome.new_events} new public events", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@federation_app.command("sync")
def sync_command(peer_id: int = typer.Argument(None, help="A peer's id (default: every active peer)")) -> None:
    """Follow peers now: read their newest checkpoint and feed, prove them, mirror what is proven."""
    from certbridge.federation.follow import sync_peer

    _run(sync_peer, peer_id)


@federation_app.command("audit")
def audit_command(peer_id: int = typer.Argument(None, help="A peer's id (default: every active peer)")) -> None:
    """Re-read peers' whole feeds from index 0 and prove them against their newest checkpoints."""
    from certbridge.federation.follow import audit_peer

    _run(audit_peer, peer_id)


@federation_app.command("search")
def search_command(q: str = typer.Argument(..., help="Certificate number, USCC or holder name")) -> None:
    """Search the peers' mirrored certificates; each answer names its source and checkpoint."""
    from certbridge.db import read_session
    from certbridge.federation.search import search_peers

    with read_session(context().sessions) as session:
        items = reporting_domain_errors(lambda: search_peers(session, q))
    typer.echo(json.dumps(items, ensure_ascii=False, indent=1))


@federation_app.command("recognize")
def recognize_command(
    peer: str = typer.Argument(..., help="The peer's id or instance name"),
    on: bool = typer.Option(..., "--on/--off", help="Count its spot-check results and penalties here, or stop"),
) -> None:
    """监管互认: count a peer's proven spot-check results and penalties here (draws, credit, risk), or stop."""
    from certbridge.db import write_session
    from certbridge.federation.recognition import peer_id_of, set_recognition
    from certbridge.principal import SYSTEM

    with write_session(context().sessions) as session:
        done = reporting_domain_errors(lambda: set_recognition(session, principal=SYSTEM,
                                                               peer_id=peer_id_of(session, peer), on=on))
    state = "认可 / recognized" if on else "不再认可 / not recognized"
    console.print(f"[green]✔[/green] {done['peer']}: {state}; {done['counted']} results and penalties count here "
                  f"(before: {done['counted_before']})", soft_wrap=True)


# 执法互助's commands, kept in their own module.
federation_app.command("assistance")(assistance_command)
federation_app.command("send-outbox")(send_outbox_command)
