"""Upgrade a database to the newest schema with Alembic, from code (CLI, tests, demo).

`upgrade_if_needed` is what a starting server calls: when the database already stands at the newest revision
(almost every start) it finds so with one query and the migration files' text, without importing Alembic or
running its environment.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*['"]([^'"]+)['"]""", re.M)
_DOWN_REVISION = re.compile(r"""^down_revision\s*(?::[^=\n]*)?=\s*(.+)$""", re.M)


def alembic_config(url: str | None = None) -> Config:
    """Return an Alembic config pointing at our migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Upgrade the database behind an engine to a revision (default: every head)."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def script_heads() -> frozenset[str] | None:
    """Return the newest revisions, read from the migration files' text (None: a file not in the plain form)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        parents.update(re.findall(r"""['"]([^'"]+)['"]""", down.group(1)))
    return frozenset(revisions - parents) or None


def database_revisions(engine: Engine) -> frozenset[str]:
    """Return the revisions the database says it stands at (empty: never migrated)."""
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            return frozenset(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    except DBAPIError:  # no alembic_version table: a new database
        return frozenset()


def upgrade_if_needed(engine: Engine) -> bool:
    """Upgrade the database unless it already stands at the newest revisions; return whether Alembic ran."""
    heads = script_heads()
    if heads is not None and database_revisions(engine) == heads:
        return False
    upgrade(engine)
    return True
