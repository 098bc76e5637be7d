"""`certbridge demo`: build (or reuse) a realistic synthetic data set and serve it."""

from __future__ import annotations

from datetime import date

import typer

from certbridge.cli.context import console, context, err_console

DEFAULT_SIZE = 3000
MESSAGES = {
    "demo.not_a_demo": ("数据目录中已有一个不是演示数据集的数据库（{path}），为避免覆盖真实数据，已停止。"
                        "请换一个 CERTBRIDGE_DATA_DIR。",
                        "The data directory already holds a database that is not a demo data set ({path}); "
                        "stopping so real data is never overwritten. Use another CERTBRIDGE_DATA_DIR."),
    "demo.other_dataset": ("数据目录中已有另一个演示数据集（规模 {size}，种子 {seed}，基准日 {as_of}）。"
                           "加 --rebuild 重新生成，或换一个 CERTBRIDGE_DATA_DIR。",
                           "The data directory holds another demo data set (size {size}, seed {seed}, as of "
                           "{as_of}). Add --rebuild to replace it, or use another CERTBRIDGE_DATA_DIR."),
    "demo.database_not_empty": ("数据库 {database} 中已有证书，演示数据只能生成到空数据库中。",
                                "Database {database} already holds certificates; demo data goes into an empty one."),
}
PHASES = {"schema": "建立数据库 / schema", "registries": "机构、审核员、实验室 / registries",
          "certificates": "证书及其历史 / certificates", "indexes": "建立索引 / indexes",
          "oversight": "抽查与信用 / spot checks and credit",
          "ledger": "账本入树并签名 / ledger tree and checkpoint"}
PHASE_LABELS = {"schema_and_registries": "数据库与登记 schema + registries", "certificates": "证书 certificates",
                "indexes": "索引 indexes", "supervision_and_credit": "抽查与信用 spot checks + credit",
                "accounts_and_checkpoint": "账号与检查点 accounts + checkpoint"}


def _say(code: str, lang: str, **params) -> str:
    zh, en = MESSAGES[code]
    return (en if lang == "en" else zh).format(**params)


def _sample_name_term() -> str:
    """Return two characters of a trade name that exists in the data set, for the "try" hint."""
    import re

    from sqlalchemy import select

    from certbridge.db import read_session
    from certbridge.registry.models import Organization

    with read_session(context().sessions) as session:
        name = session.scalar(select(Organization.name).order_by(Organization.id).limit(1).offset(7)) or "华为"
    return re.sub(r"^.*?[省市县区]", "", name)[:2] or "华为"


def try_command(port: int, term: str) -> str:
    """Return a curl command searching the served API for a term, with the term percent-encoded by curl.

    A raw Chinese character in a URL is not valid HTTP (uvicorn answers 400), so the term is passed with
    `-G --data-urlencode`, which works in every shell and curl version.
    """
    import shlex

    return f"curl -G http://127.0.0.1:{port}/api/v1/certificates --data-urlencode {shlex.quote('q=' + term)}"


def _print_accounts(accounts: list[dict], port: int) -> None:
    from rich.table import Table

    table = Table(title="演示账号 / demo accounts (demo-accounts.json)")
    for column in ("用户名 user", "角色 role", "密码 password", "机构 body"):
        table.add_column(column)
    for item in accounts:
        table.add_row(item["username"], item["role"], item["password"], item.get("body") or "")
    console.print(table)
    console.print("API 密钥 / API keys (Authorization: Bearer …):")
    for item in accounts:
        console.print(f"  {item['username']:<10} {item['api_key']}", soft_wrap=True)
    console.print(f"试一试 / try: {try_command(port, _sample_name_term())}", soft_wrap=True)


def demo_command(
    size: int = typer.Option(DEFAULT_SIZE, min=1, max=50_000_000, help="Number of certificates (history included)"),
    seed: int = typer.Option(2026, help="Random seed: the same seed (and as-of date) gives the same data"),
    port: int = typer.Option(8000, help="Port to serve on"),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the data set and exit"),
    as_of: str = typer.Option(None, "--as-of", help="Date the data set is current at (default: today)"),
    rebuild: bool = typer.Option(False, "--rebuild", help="Replace another demo data set in the data directory"),
    no_stats: bool = typer.Option(False, "--no-stats", help="Do not fold the statistics during the build: the "
                                  "server folds them in the background once it runs (for very large sizes)"),
) -> None:
    """Build a realistic synthetic data set (or reuse the one there), print demo accounts, and serve it."""
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from certbridge.demo.accounts import create_demo_accounts
    from certbridge.demo.dataset import DatasetConflict, build_dataset, check_existing, remove_dataset

    ctx = context()
    settings = ctx.settings
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        err_console.print(f"[red]✘[/red] --as-of 应为 YYYY-MM-DD / must be YYYY-MM-DD: {as_of}")
        raise typer.Exit(2) from None
    if day is not None and day > date.today():
        err_console.print("[red]✘[/red] --as-of 不能晚于今天 / cannot be after today")
        raise typer.Exit(2)
    try:
        info = check_existing(settings, size=size, seed=seed, as_of=day)
    except DatasetConflict as exc:
        if not (rebuild and exc.code == "demo.other_dataset"):
            err_console.print(f"[red]✘[/red] {_say(exc.code, ctx.lang, **exc.params)}")
            raise typer.Exit(1) from None
        remove_dataset(settings)
        info = None
    if info is not None:
        console.print(f"沿用已有数据集 / reusing the data set in {settings.data_dir}: "
                      f"{info.counts['certificates']:,} 张证书 certificates, seed {info.seed}, as of {info.as_of}")
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as bars:
            tasks: dict[str, int] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bars.add_task(PHASES.get(phase, phase), total=max(total, 1))
                bars.update(tasks[phase], completed=done, total=max(total, 1))

            try:
                info = build_dataset(settings, size=size, seed=seed, as_of=day or date.today(),
                                     progress=progress, accounts=create_demo_accounts, stats=not no_stats)
            except DatasetConflict as exc:
                err_console.print(f"[red]✘[/red] {_say(exc.code, ctx.lang, **exc.params)}")
                raise typer.Exit(1) from None
        counts = info.counts
        console.print(f"已生成 / built {counts['certificates']:,} 张证书 certificates "
                      f"({counts['valid']:,} 有效 valid), {counts['organizations']:,} 个组织 organizations, "
                      f"{counts['events']:,} 条账本事件 ledger events — {info.seconds} s")
        console.print("  " + " · ".join(f"{PHASE_LABELS.get(name, name)} {seconds} s"
                                        for name, seconds in info.phases.items()), soft_wrap=True)
    accounts_file = settings.data_dir / "demo-accounts.json"
    if accounts_file.exists():
        _print_accounts(json.loads(accounts_file.read_text(encoding="utf-8")), port)
    if no_serve:
        return
    from certbridge.cli.serve import serve_app

    serve_app("127.0.0.1", port)
