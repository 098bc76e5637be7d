"""Entry point: `certbridge <command>`. Every command is listed once in COMMANDS and imported only when invoked.

A command's module (and what it imports: the app, SQLAlchemy models, FastAPI) is loaded only when that command
runs, so `certbridge --help` and a cheap command such as `certbridge uscc` pay for none of the others. A new
command needs an entry in COMMANDS: its name, where it lives ("module:attribute", a Typer app for a command
group, a function for a single command) and the first line of its help as `--help` lists it (a test checks that
it matches the command's own help).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module

import typer
import typer.core

# name -> (where it lives, the first paragraph of its help). Order is the order `--help` lists them in.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("certbridge.cli.serve:serve_command",
              "Serve the portal, consoles and API (migrates the database first)."),
    "uscc": ("certbridge.cli.uscc:uscc_command",
             "Validate codes; exit 0 only if every code is valid (checksum failures exit 1, malformed 2)."),
    "import": ("certbridge.cli.transfer:import_command",
               "Import certificates for a body: every row or none; bad rows listed with their line and reason."),
    "export": ("certbridge.cli.transfer:export_command",
               "Export certificates to CSV, JSON Lines or XLSX (columns as the importer reads them)."),
    "verify-status": ("certbridge.cli.ledger:verify_status_command",
                      "Check offline a subject's latest status (or its absence) as of a signed checkpoint; no "
                      "server trusted."),
    "verify-absence": ("certbridge.cli.ledger:verify_absence_command",
                       "Check offline that a subject did not exist as of a signed checkpoint (exit 1 if the proof "
                       "shows it does)."),
    "verify-token": ("certbridge.cli.credentials:verify_token_command",
                     "Check a certificate token offline: authenticity only, never current status (exit 1 if not "
                     "authentic)."),
    "verify-receipt": ("certbridge.cli.credentials:verify_receipt_command",
                       "Check a verification receipt offline: signature, checkpoint, inclusion proofs and the "
                       "stated status."),
    "demo": ("certbridge.cli.demo:demo_command",
             "Build a realistic synthetic data set (or reuse the one there), print demo accounts, and serve it."),
    "backup": ("certbridge.cli.backup:backup_command",
               "Back up the database (online, one consistent snapshot) and the data directory's keys and state."),
    "restore": ("certbridge.cli.backup:restore_command",
                "Restore a backup into an empty database and data directory, then verify the log against its "
                "manifest."),
    "verify-bulk-receipt": ("certbridge.cli.opendata:verify_bulk_receipt_command",
                            "Check a bulk verification receipt offline: signature, checkpoint, rows, summary (exit 1 "
                            "if it fails)."),
    "bulk-files": ("certbridge.cli.mirror:bulk_files",
                   "Build the day's bulk files (full + delta, CSV and JSON Lines, signed manifest) if not built yet."),
    "mirror": ("certbridge.cli.mirror:mirror",
               "Rebuild a read-only copy from a full day and the deltas after it, and check it against the log."),
    "db": ("certbridge.cli.database:db_app", "Database schema and reference data."),
    "users": ("certbridge.cli.users:users_app", "User accounts."),
    "keys": ("certbridge.cli.users:keys_app", "API keys."),
    "ledger": ("certbridge.cli.ledger:ledger_app",
               "The traceability log (追溯日志): verify it, check proofs offline, manage keys and witnesses."),
    "credentials": ("certbridge.cli.credentials:credentials_app",
                    "Certificate tokens, QR codes and verification receipts."),
    "draw": ("certbridge.cli.supervision:draw_app", "双随机 draws: commit the seed, reveal, export, verify offline."),
    "credit": ("certbridge.cli.credit:credit_app",
               "Credit: recompute classes (monthly cron), end expired listings, 双公示 export."),
    "workdays": ("certbridge.cli.workdays:workdays_app",
                 "Working-day calendar: years and their source, enter a year's holiday notice."),
    "stats": ("certbridge.cli.stats:stats_app",
              "Statistics: valid certificates and certified organizations for any date and region."),
    "federation": ("certbridge.cli.federation:federation_app",
                   "Federation between instances (联邦): peers, proven mirrors of their logs, search across them."),
}


def load_command(name: str):
    """Import the command `name` and return it as a click command (a group for a Typer app)."""
    import typer.main
    from typer.models import CommandInfo

    module, _, attribute = COMMANDS[name][0].partition(":")
    target = getattr(import_module(module), attribute)
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)
    else:
        command = typer.main.get_command_from_info(CommandInfo(name=name, callback=target),
                                                   pretty_exceptions_short=app.pretty_exceptions_short,
                                                   rich_markup_mode=app.rich_markup_mode)
    command.name = name
    return command


class _Commands(Mapping):
    """The root group's commands: every name known from COMMANDS, each imported on first use."""

    def __init__(self) -> None:
        self._loaded: dict = {}
        self.listing = False  # while `--help` lists the commands: stand-ins with the table's help, nothing imported

    def __getitem__(self, name: str):
        if name not in COMMANDS:
            raise KeyError(name)
        if name in self._loaded:
            return self._loaded[name]
        if self.listing:
            return typer.core.TyperCommand(name, help=COMMANDS[name][1])
        command = self._loaded[name] = load_command(name)
        return command

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class LazyGroup(typer.core.TyperGroup):
    """The root command group, its subcommands imported only when invoked (or asked for their own help)."""

    def __init__(self, **attrs) -> None:
        super().__init__(**attrs)
        self.commands = _Commands()

    def format_help(self, ctx, formatter) -> None:
        """List the commands from COMMANDS without importing them."""
        self.commands.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.commands.listing = False

    def list_commands(self, ctx) -> list[str]:
        """Return the command names from COMMANDS (nothing imported)."""
        return list(COMMANDS)


app = typer.Typer(
    cls=LazyGroup,
    name="certbridge",
    help="certbridge — 认证认可信息平台 (certification registry): serve, demo, import, verify, ledger …",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """certbridge — 认证认可信息平台 (certification registry)."""


if __name__ == "__main__":  # pragma: no cover
    app()
