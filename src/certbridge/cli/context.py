"""What every command needs: settings, an engine, sessions, and a console that speaks the user's language."""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:  # imported when first used: a command that needs no database does not load SQLAlchemy
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from certbridge.settings import Settings


class CliContext:
    """Lazily built resources for one CLI invocation: settings, engine and sessions are made on first use."""

    def __init__(self, settings: Settings | None = None) -> None:
        if settings is not None:
            self.settings = settings

    @cached_property
    def settings(self) -> Settings:
        """Return the settings from the environment (CERTBRIDGE_*)."""
        from certbridge.settings import Settings

        return Settings()

    @cached_property
    def engine(self) -> Engine:
        """Return the engine for the configured database."""
        from certbridge.db import make_engine

        self.settings.ensure_data_dir()
        return make_engine(self.settings.resolved_database_url(), busy_timeout_ms=self.settings.sqlite_busy_timeout_ms)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Return the session factory."""
        from certbridge.db import make_sessionmaker

        return make_sessionmaker(self.engine)

    @property
    def lang(self) -> str:
        """Return the language for messages: CERTBRIDGE_LANG, then LANG, default Chinese."""
        value = os.environ.get("CERTBRIDGE_LANG") or os.environ.get("LANG", "zh")
        return "en" if value.lower().startswith("en") else "zh"


console = Console()
err_console = Console(stderr=True)


def reporting_domain_errors(fn):
    """Run fn; a domain error is printed in the user's language and exits 1 instead of a traceback."""
    from certbridge.errors import DomainError

    try:
        return fn()
    except DomainError as exc:
        err_console.print(f"[red]✘[/red] {exc.message(context().lang)}", soft_wrap=True)
        raise typer.Exit(1) from None


def context() -> CliContext:
    """Return a context whose settings are read from the environment (CERTBRIDGE_*) when first needed."""
    return CliContext()
