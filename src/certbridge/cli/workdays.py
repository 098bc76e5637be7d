"""`certbridge workdays …`: the working-day calendar's years and their source, entering a year's holiday notice."""

from __future__ import annotations

import tomllib
from pathlib import Path

import typer
from rich.table import Table

from certbridge.cli.context import console, context, err_console, reporting_domain_errors
from certbridge.i18n.catalog import render
from certbridge.principal import SYSTEM

workdays_app = typer.Typer(help="Working-day calendar: years and their source, enter a year's holiday notice.",
                           no_args_is_help=True)


def _calendar(ctx):
    from certbridge.licensing.deadlines import calendar_for

    return calendar_for(ctx.settings.workday_overrides)


@workdays_app.command("show")
def show(ahead: int = typer.Option(2, min=0, max=20, help="Years after this one to list")) -> None:
    """List last year to `ahead` years on, each with its source (official notice or provisional)."""
    from certbridge.db import read_session
    from certbridge.supervision.workday_years import calendar_years

    ctx = context()
    with read_session(ctx.sessions) as session:
        years = calendar_years(session, calendar=_calendar(ctx), ahead=ahead)
    table = Table(title=render("ui.workdays", ctx.lang))
    for code in ("ui.workdays_year", "ui.workdays_source", "ui.workdays_notice", "ui.workdays_provisional_count"):
        table.add_column(render(code, ctx.lang))
    for item in years:
        source = render(f"workdays.source.{item['source']}", ctx.lang)
        style = "yellow" if item["source"] == "provisional" else None
        table.add_row(str(item["year"]), source, item["notice"] or "", str(item["provisional_deadlines"]), style=style)
    console.print(table)


@workdays_app.command("set-year")
def set_year(year: int = typer.Argument(..., help="The year the notice is for"),
             file: Path = typer.Option(..., "--file", exists=True, dir_okay=False, readable=True,
                                       help="TOML: holidays = [...], workdays = [...], optional names and source "
                                            "(or a [years.YYYY] table, as in the override file)")) -> None:
    """Enter a year's State Council holiday notice and recompute every provisional deadline."""
    from certbridge.db import write_session
    from certbridge.supervision.workday_years import set_year_notice

    ctx = context()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        err_console.print(f"[red]✘[/red] {render('workdays.notice_invalid', ctx.lang, detail=f'{file}: {exc}')}")
        raise typer.Exit(1) from None
    table = data.get("years", {}).get(str(year), data) if isinstance(data.get("years"), dict) else data

    def enter():
        with write_session(ctx.sessions) as session:
            _, changed = set_year_notice(session, principal=SYSTEM, year=year, table=table, calendar=_calendar(ctx))
        console.print(render("workdays.notice_saved", ctx.lang, year=year, count=sum(changed.values())))

    reporting_domain_errors(enter)


@workdays_app.command("recompute")
def recompute() -> None:
    """Recompute every provisional (or never computed) stored deadline with the calendar as it is now."""
    from certbridge.db import write_session
    from certbridge.supervision.workday_years import recompute_deadlines

    ctx = context()

    def run():
        with write_session(ctx.sessions) as session:
            changed = recompute_deadlines(session, principal=SYSTEM, calendar=_calendar(ctx))
        console.print(render("workdays.recomputed", ctx.lang, count=sum(changed.values())))

    reporting_domain_errors(run)
