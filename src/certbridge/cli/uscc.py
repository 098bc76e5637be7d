"""`certbridge uscc CODE…`: validate 统一社会信用代码 from the command line."""

from __future__ import annotations

import typer

from certbridge.cli.context import console, context


def uscc_command(codes: list[str] = typer.Argument(..., help="One or more codes")) -> None:
    """Validate codes; exit 0 only if every code is valid (checksum failures exit 1, malformed 2)."""
    from certbridge.i18n.catalog import render
    from certbridge.kit.uscc import validate_uscc

    lang = context().lang
    worst = 0
    for code in codes:
        result = validate_uscc(code)
        if result.status == "valid":
            console.print(f"[green]✔[/green] {result.code}  " + ("有效" if lang == "zh" else "valid"))
        else:
            label = {"invalid": ("无效", "invalid"), "checksum_failed": ("校验未通过，需人工核查",
                                                                         "checksum failed — needs manual check")}
            zh, en = label[result.status]
            console.print(f"[red]✘[/red] {result.code or code!r}  {zh if lang == 'zh' else en}")
            worst = max(worst, 2 if result.status == "invalid" else 1)
        for problem in result.problems:
            console.print("    " + render(problem.code, lang, **problem.params))
        for warning in result.warnings:
            console.print("    [yellow]" + render(warning.code, lang, **warning.params) + "[/yellow]")
    raise typer.Exit(worst)
