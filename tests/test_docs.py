"""Docs are checked by tests: every setting, command and API route is documented somewhere in docs/."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from certbridge.cli.main import app as cli_app
from certbridge.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


def _commands(group, prefix=""):
    click_group = typer.main.get_command(group)
    for name, command in click_group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(command, "commands"):
            for sub in command.commands:
                yield f"{full} {sub}"
        else:
            yield full


def test_readme_starts_with_the_two_setup_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1).strip().splitlines()
    assert len(block) == 2
    assert "certbridge demo" in block[0] and "scripts/test" in block[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci


def test_every_setting_is_documented():
    missing = [f"CERTBRIDGE_{name.upper()}" for name in Settings.model_fields
               if f"CERTBRIDGE_{name.upper()}" not in DOCS]
    assert not missing, f"document these settings in docs/operations.md: {missing}"


def test_every_cli_command_is_documented():
    missing = [c for c in _commands(cli_app) if f"certbridge {c}" not in DOCS]
    assert not missing, f"document these commands in docs/: {missing}"


def test_every_api_route_is_documented(app):
    missing = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/") and path not in DOCS:
            missing.append(path)
    assert not missing, f"document these API routes in docs/: {sorted(set(missing))}"
