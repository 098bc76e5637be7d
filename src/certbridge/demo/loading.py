"""Fast loading of a fresh database: what is cheaper to build after the load is set aside and rebuilt after it.

Only indexes that exist to speed up reads are set aside; primary keys and unique constraints stay, so the
database keeps refusing duplicates while it loads. Their definitions are read back from the database
itself before they are dropped, so what is recreated is exactly what the migrations made.

What is cheaper differs by database. PostgreSQL builds an index from one sorted pass (in parallel), so its
read-side indexes are dropped during the load. SQLite scans the whole table again for every `CREATE INDEX`:
at 10 million certificates the ledger (~20 GB) and certificate (~5 GB) tables no longer fit the page cache,
and six rescans made the rebuild disk-bound. The loaded rows arrive in id order, so most of their index
entries are appended near the end of each index, which SQLite does cheaply during the load; there only the
full-text search triggers are set aside (one FTS5 'rebuild' is far cheaper than a trigger per row).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, bindparam, text

LOADED_TABLES = ("organization", "organization_identifier", "organization_name_gram", "certificate",
                 "certificate_site", "audit", "audit_auditor", "restriction", "ledger_event")
SORT_THREADS = 2
ANALYSIS_ROWS = 2000


@dataclass
class SetAside:
    """DDL statements to run again once the load is over."""

    statements: list[str] = field(default_factory=list)
    rebuild_fts: bool = False


def tune_connection(dbapi_conn, dialect: str) -> None:
    """Trade durability for speed on a database built from nothing and renamed into place only when complete.

    Foreign keys are not checked row by row during the load: every reference a batch makes was validated
    against the registry rules before it was written (`certificates.bulk`).
    """
    if dialect != "sqlite":
        return
    cur = dbapi_conn.cursor()
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1500000", "temp_store=MEMORY",
                   "foreign_keys=OFF"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def set_aside_indexes(engine: Engine) -> SetAside:
    """Drop what the loaded tables are cheaper to rebuild after the load (see the module); return how to."""
    aside = SetAside()
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name IN :tables AND sql IS NOT NULL "
                "AND type = 'trigger' AND name LIKE 'organization_fts%' ORDER BY name")
                .bindparams(bindparam("tables", expanding=True)), {"tables": list(LOADED_TABLES)})
            for name, sql in rows.all():
                aside.rebuild_fts = True
                aside.statements.append(sql)
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        else:
            rows = conn.execute(text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
                "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.schemaname = current_schema() "
                "AND i.tablename = ANY(:tables) AND NOT x.indisunique AND NOT x.indisprimary"),
                {"tables": list(LOADED_TABLES)})
            for name, sql in rows.all():
                aside.statements.append(sql)
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return aside


def restore_indexes(engine: Engine, aside: SetAside, progress=None) -> None:
    """Recreate what `set_aside_indexes` dropped, rebuild the name search index, and refresh statistics."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
        else:
            conn.exec_driver_sql(f"PRAGMA threads={SORT_THREADS}")  # index sorts use the cores the load used
        for sql in aside.statements:
            conn.exec_driver_sql(sql)
            if progress:
                progress()
        if aside.rebuild_fts:
            conn.exec_driver_sql("INSERT INTO organization_fts(organization_fts) VALUES ('rebuild')")
            if progress:
                progress()
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            # Statistics from a sample of each index: the planner needs their shape, not exact counts.
            conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_ROWS}")
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
