"""`certbridge stats …`: the statistics tables, the recompute from the log, targets and monthly reports."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from certbridge.cli.context import console, context, err_console, reporting_domain_errors
from certbridge.i18n.catalog import render

stats_app = typer.Typer(help="Statistics: valid certificates and certified organizations for any date and region.",
                        no_args_is_help=True)


@stats_app.command("show")
def show(region: str = typer.Option("000000", help="GB/T 2260 code (000000: the nation)"),
         on: str = typer.Option("", help="Date YYYY-MM-DD (default today)"),
         table: str = typer.Option("regions", help="regions, scheme, type, standard, body, industry, monthly, "
                                                   "yearly or changes")) -> None:
    """Print a statistics table of a region on a date, as the page and the downloads show it."""
    from certbridge.stats import overview as ov
    from certbridge.stats import sheets
    from certbridge.stats.background import catch_up
    from certbridge.db import read_session

    ctx = context()

    def run():
        catch_up(ctx.sessions)
        with read_session(ctx.sessions) as session:
            code, day = ov.check_region(session, region), ov.parse_day(on, date.today())
            name = sheets.check_table(table)
            header, rows = sheets.table(session, name=name, region=code, on=day, lang=ctx.lang)
            view = ov.overview(session, region=code, on=day)
            out = Table(title=sheets.title_line(session, name=name, region=code, on=day, lang=ctx.lang))
            for column in header:
                out.add_column(column)
            for row in rows:
                out.add_row(*(str(v) for v in row))
            console.print(out)
            console.print(f"{sheets.HEADERS[ctx.lang]['certificates']}: {view.certificates} · "
                          f"{sheets.HEADERS[ctx.lang]['organizations']}: {view.organizations}")

    reporting_domain_errors(run)


@stats_app.command("recompute")
def recompute(as_of: str = typer.Option("", "--as-of", help="Date YYYY-MM-DD (default today)")) -> None:
    """Rebuild every figure on a date from the log alone and compare it with the stored one (exit 1 if any differ)."""
    from certbridge.db import read_session
    from certbridge.stats import overview as ov
    from certbridge.stats.background import catch_up
    from certbridge.stats.recompute import compare_with_log

    ctx = context()

    def run():
        day = ov.parse_day(as_of, date.today())
        catch_up(ctx.sessions)
        with read_session(ctx.sessions) as session:
            result = compare_with_log(session, on=day)
        nation = {k[0]: v for k, v in result["recomputed"].items() if k[1:] == ("000000", "all", "")}
        console.print(f"{day} · tree size {result['tree_size']} · root {result['root_hash']}")
        console.print(f"certificates {nation.get('certificates', 0)} · organizations {nation.get('organizations', 0)}")
        if result["differences"]:
            for d in result["differences"][:20]:
                err_console.print(f"{d['measure']} {d['region']} {d['dim']}={d['value']}: stored {d['stored']}, "
                                  f"recomputed {d['recomputed']}")
            err_console.print(f"[red]✘[/red] {render('stats.recompute_differs', ctx.lang, count=len(result['differences']))}")
            raise typer.Exit(1)
        console.print(f"[green]✔[/green] {render('stats.recompute_equal', ctx.lang, count=result['compared'], size=result['tree_size'])}")

    reporting_domain_errors(run)


@stats_app.command("fold")
def fold(whole: bool = typer.Option(False, "--whole", help="Rebuild every figure with one fold of the whole log "
                                    "(as from nothing; after changing a scheme's kind)")) -> None:
    """Fold the log into the statistics up to the latest checkpoint now (the server does it in the background)."""
    from certbridge.stats.background import catch_up

    done = catch_up(context().sessions, whole=whole)
    console.print(done or "up to date")


@stats_app.command("reference-targets")
def reference_targets() -> None:
    """Load Beihai's four targets (北政办〔2018〕200号) as published reference data, if they are not there."""
    from certbridge.db import write_session
    from certbridge.stats.targets import load_reference_targets

    with write_session(context().sessions) as session:
        console.print(f"{load_reference_targets(session)} targets added")


@stats_app.command("report")
def report(region: str = typer.Option("000000", help="GB/T 2260 code"),
           month: str = typer.Option(..., help="YYYY-MM")) -> None:
    """Make (or show) the signed monthly report of a region; prints its hash and signature."""
    from certbridge.db import write_session
    from certbridge.stats.background import catch_up
    from certbridge.stats.reports import make_report

    ctx = context()

    def run():
        catch_up(ctx.sessions)
        with write_session(ctx.sessions) as session:
            item = make_report(session, settings=ctx.settings, region=region, month=month)
            console.print(f"report {item.id} · {item.region_code} {item.month} · as of {item.as_of} · "
                          f"sha256 {item.sha256}\n{item.signature}")

    reporting_domain_errors(run)
