"""Entry point: `certbridge <command>`. Each capability registers its commands in COMMAND_MODULES."""

from __future__ import annotations

from importlib import import_module

import typer

app = typer.Typer(
    name="certbridge",
    help="certbridge — 认证认可信息平台 (certification registry): serve, demo, import, verify, ledger …",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Each module exposes register(app: typer.Typer).
COMMAND_MODULES = (
    "certbridge.cli.serve",
    "certbridge.cli.database",
    "certbridge.cli.uscc",
    "certbridge.cli.users",
    "certbridge.cli.transfer",
    "certbridge.cli.ledger",
    "certbridge.cli.credentials",
    "certbridge.cli.demo",
    "certbridge.cli.supervision",
    "certbridge.cli.credit",
    "certbridge.cli.backup",
    "certbridge.cli.workdays",
    "certbridge.cli.opendata",
    "certbridge.cli.mirror",
    "certbridge.cli.stats",
    "certbridge.cli.federation",
)

for _name in COMMAND_MODULES:
    import_module(_name).register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
