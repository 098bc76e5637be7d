"""`certbridge draw …`: commit, reveal, export and verify spot-check draws (verify works offline)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from certbridge.cli.context import console, context, err_console
from certbridge.errors import DomainError
from certbridge.i18n.catalog import render
from certbridge.principal import SYSTEM

draw_app = typer.Typer(help="双随机 draws: commit the seed, reveal, export, verify offline.", no_args_is_help=True)


def _fail(message: str) -> None:
    err_console.print(f"[red]✘[/red] {message}")
    raise typer.Exit(1)


@draw_app.command("commit")
def commit(batch_id: int = typer.Argument(..., help="Batch id"),
           beacon_source: str = typer.Option(None, help="A public value to mix in at the reveal (name it now)")) -> None:
    """Freeze a batch's inputs and commit the seed's SHA-256 to the ledger (step 1)."""
    from certbridge.db import write_session
    from certbridge.supervision.draws import commit_draw

    ctx = context()
    try:
        with write_session(ctx.sessions) as session:
            draw = commit_draw(session, principal=SYSTEM, batch_id=batch_id, beacon_source=beacon_source)
            console.print(render("cli.draw.committed", ctx.lang, id=draw.id, seed=draw.seed_commitment,
                                 inputs=draw.inputs_digest, objects=len(draw.inputs["objects"])))
    except DomainError as exc:
        _fail(exc.message(ctx.lang))


@draw_app.command("reveal")
def reveal(draw_id: int = typer.Argument(..., help="Draw id"),
           beacon: str = typer.Option(None, help="The beacon's value, if the commitment named one")) -> None:
    """Reveal the seed, draw objects and inspectors, create the tasks (step 2)."""
    from certbridge.db import write_session
    from certbridge.supervision.draws import reveal_draw

    ctx = context()
    try:
        with write_session(ctx.sessions) as session:
            draw = reveal_draw(session, principal=SYSTEM, draw_id=draw_id, beacon_value=beacon)
            console.print(render("cli.draw.revealed", ctx.lang, id=draw.id, count=len(draw.outputs["selected"]),
                                 seed=draw.seed))
    except DomainError as exc:
        _fail(exc.message(ctx.lang))


@draw_app.command("run")
def run(batch_id: int = typer.Argument(..., help="Batch id")) -> None:
    """Commit then reveal a batch's draw, in two transactions (the commitment is logged first)."""
    commit(batch_id=batch_id, beacon_source=None)
    from certbridge.db import read_session
    from certbridge.supervision.models import SpotCheckDraw
    from sqlalchemy import select

    ctx = context()
    with read_session(ctx.sessions) as session:
        draw_id = session.scalar(select(SpotCheckDraw.id).where(SpotCheckDraw.batch_id == batch_id,
                                                                SpotCheckDraw.status == "committed"))
    reveal(draw_id=draw_id, beacon=None)


@draw_app.command("export")
def export(draw_id: int = typer.Argument(..., help="Draw id"),
           output: Path = typer.Option(None, "--output", "-o", help="File to write (default: stdout)")) -> None:
    """Write the published draw (commitment, inputs, seed, outputs) as JSON."""
    from certbridge.db import read_session
    from certbridge.kit.canonical_json import to_json_value
    from certbridge.supervision.draws import draw_export, get_draw

    ctx = context()
    try:
        with read_session(ctx.sessions) as session:
            document = to_json_value(draw_export(session, get_draw(session, draw_id)))
    except DomainError as exc:
        _fail(exc.message(ctx.lang))
    text = json.dumps(document, ensure_ascii=False, indent=1)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(render("cli.draw.exported", ctx.lang, id=draw_id, path=str(output)))
    else:
        typer.echo(text)


@draw_app.command("verify")
def verify(ref: str = typer.Argument(..., help="A draw id (reads this instance) or an exported draw JSON file")) -> None:
    """Re-run a draw from its published inputs and confirm the list; exit 1 on any mismatch."""
    from certbridge.supervision.drawing import verify_export

    lang = context().lang
    path = Path(ref)
    if path.is_file():
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            _fail(render("cli.draw.unreadable", lang, path=ref, error=str(exc)))
        problems = verify_export(document)
        label = document.get("draw_id", path.name) if isinstance(document, dict) else path.name
        selected = len((document.get("outputs") or {}).get("selected", [])) if isinstance(document, dict) else 0
    elif ref.isdigit():
        from certbridge.db import read_session
        from certbridge.supervision.draws import get_draw, verify_draw

        ctx = context()
        try:
            with read_session(ctx.sessions) as session:
                draw = get_draw(session, int(ref))
                problems = verify_draw(session, draw)
                selected = len((draw.outputs or {}).get("selected", []))
        except DomainError as exc:
            _fail(exc.message(lang))
        label = ref
    else:
        _fail(render("cli.draw.no_such_ref", lang, ref=ref))
    if problems:
        for problem in problems:
            err_console.print(f"[red]✘[/red] {problem}")
        _fail(render("cli.draw.mismatch", lang, id=label))
    console.print(render("cli.draw.verified", lang, id=label, count=selected))
