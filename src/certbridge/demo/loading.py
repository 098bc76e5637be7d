"""Fast loading of a fresh database: secondary indexes and search triggers off during the load, rebuilt after.

Only indexes that exist to speed up reads are set aside; primary keys and unique constraints stay, so the
database keeps refusing duplicates while it loads. Their definitions are read back from the database
itself before they are dropped, so what is recreated is exactly what the migrations made.
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
    """Drop the read-side indexes and search triggers of the loaded tables; return how to rebuild them."""
    aside = SetAside()
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(text(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN :tables AND sql IS NOT NULL "
                "AND type IN ('index', 'trigger') ORDER BY name").bindparams(bindparam("tables", expanding=True)),
                {"tables": list(LOADED_TABLES)})
            for kind, name, sql in rows.all():
                if kind == "trigger" and name.startswith("organization_fts"):
                    aside.rebuild_fts = True
                aside.statements.append(sql)
                conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
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
