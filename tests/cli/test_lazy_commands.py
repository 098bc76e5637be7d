"""The CLI imports only the invoked command: `--help` lists every command, a cheap one loads no app or database."""

from __future__ import annotations

import json
import subprocess
import sys

import typer.main
from typer.testing import CliRunner

from certbridge.cli.main import COMMANDS, app, load_command

# What a command that needs no database must not pay for: the web app, the ORM, the models.
HEAVY = ("fastapi", "starlette", "sqlalchemy", "certbridge.tables", "certbridge.db", "certbridge.app",
         "certbridge.certificates", "certbridge.settings")

_RUN = """
import json, sys
from certbridge.cli.main import app
try:
    app(sys.argv[1:], prog_name="certbridge")
except SystemExit:
    pass
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def _modules_after(*args: str) -> tuple[set[str], str]:
    """Run `certbridge ARGS` in a fresh interpreter; return the modules it imported and its output."""
    done = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "CERTBRIDGE_LANG": "en", "COLUMNS": "200"})
    out, _, listed = done.stdout.rpartition("\nMODULES ")
    assert listed, done.stderr
    return set(json.loads(listed)), out


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_help_lists_every_command_without_importing_any():
    modules, out = _modules_after("--help")
    missing = [name for name in COMMANDS if name not in out]
    assert not missing, f"--help does not list {missing}"
    assert "Serve the portal, consoles and API" in out
    loaded = sorted(m for m in modules if m.startswith("certbridge.cli.") and m not in {
        "certbridge.cli.main", "certbridge.cli.context"})
    assert not loaded and not _heavy(modules), (loaded, _heavy(modules))


def test_a_cheap_command_loads_no_app_and_no_database():
    modules, out = _modules_after("uscc", "91350100M000100Y43")
    assert "valid" in out
    assert not _heavy(modules), f"`certbridge uscc` imported {_heavy(modules)}"
    assert "certbridge.cli.ledger" not in modules and "certbridge.cli.serve" not in modules


def test_every_command_loads_and_its_listed_help_is_its_own():
    group = typer.main.get_command(app)
    assert list(group.list_commands(None)) == list(COMMANDS)
    for name, (_, listed) in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        own = " ".join((command.help or "").split("\n\n")[0].split())
        assert own == listed, f"COMMANDS[{name!r}] says {listed!r}, the command says {own!r}"


def test_a_mistyped_command_is_refused_with_a_suggestion():
    result = CliRunner().invoke(app, ["servee"])
    assert result.exit_code == 2 and "serve" in result.output


def test_a_group_runs_its_subcommand_help():
    result = CliRunner().invoke(app, ["ledger", "--help"])
    assert result.exit_code == 0 and "witness" in result.output
