"""Migrations build the whole schema on an empty database, on both backends, matching the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from certbridge.db import make_engine
from certbridge.migrate import upgrade
from certbridge.tables import metadata

# Search indexes are backend-specific DDL, not models.
IGNORED_TABLES = {"organization_fts", "organization_fts_config", "organization_fts_data", "organization_fts_docsize",
                  "organization_fts_idx", "organization_fts_content", "alembic_version"}


def _diffs(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, metadata)
    out = []
    for diff in diffs:
        item = diff[0] if isinstance(diff, list) else diff
        if item[0] in ("remove_table",) and item[1].name in IGNORED_TABLES:
            continue
        if item[0] == "remove_index" and item[1].name == "ix_organization_search_trgm":
            continue
        out.append(item)
    return out


def test_upgrade_from_empty_matches_models(database_url):
    # database_url is a clone of the migrated template; a brand-new database is built below as well.
    engine = make_engine(database_url)
    assert _diffs(engine) == [], "models and migrations differ: add a migration for these changes"
    engine.dispose()


def test_fresh_empty_database_upgrades(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"certificate", "organization", "ledger_event", "app_user"} <= tables
    assert _diffs(engine) == []
    upgrade(engine)  # idempotent
    engine.dispose()


def test_statsfold_keeps_the_deltas_in_key_order_on_sqlite(tmp_path):
    from alembic import command

    from certbridge.migrate import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'stats.db'}")
    upgrade(engine, "0015federation")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO stats_delta (measure, region, dim, value, day, delta) "
                             "VALUES ('certificates', '450500', 'all', '', '2020-12-31', 3)")
    upgrade(engine, "0017peerfinding")  # (0018statsrows then empties the folded tables: the test below)

    def table_sql() -> str:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'stats_delta'").scalar()

    assert "WITHOUT ROWID" in table_sql()
    with engine.connect() as conn:  # the folded figures survive: nothing has to be re-folded
        assert conn.exec_driver_sql("SELECT sum(delta) FROM stats_delta WHERE region = '450500'").scalar() == 3
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0015federation")
    assert "WITHOUT ROWID" not in table_sql()
    engine.dispose()


def test_statsrows_empties_the_folded_figures_for_the_background_fold_and_downgrades(tmp_path):
    from alembic import command

    from certbridge.migrate import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'stats.db'}")
    upgrade(engine, "0017peerfinding")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO stats_delta (measure, region, dim, value, day, delta) "
                             "VALUES ('certificates', '450521', 'all', '', '2020-12-31', 3)")
        conn.exec_driver_sql("INSERT INTO stats_cursor (id, size, folded_at) VALUES (1, 40, '2026-12-07 00:00:00')")
    upgrade(engine)

    def count(table: str) -> int:
        with engine.connect() as conn:
            return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()

    # the county's delta rows are gone and the cursor is back at 0: the next fold is the whole fold, which rebuilds
    # the figures in the new form (stats_span)
    assert (count("stats_delta"), count("stats_cursor"), count("stats_span")) == (0, 0, 0)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO stats_span (chain, measure, start, certificate_id, part, until, holder_id, "
                             "scheme, cert_type, standard, body, industry) VALUES ('000000>450000>450500>450521', "
                             "'valid', '2020-01-01', 1, 0, '9999-12-31', 1, 'QMS', 'system', '', '1', '')")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0017peerfinding")
    with engine.connect() as conn:
        assert "stats_span" not in {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    upgrade(engine)
    assert count("stats_span") == 0
    engine.dispose()


def test_statsyear_empties_the_folded_figures_for_the_whole_fold_and_downgrades(tmp_path):
    from alembic import command

    from certbridge.migrate import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'stats.db'}")
    upgrade(engine, "0018statsrows")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO stats_delta (measure, region, dim, value, day, delta) "
                             "VALUES ('certificates', '450500', 'all', '', '2020-12-31', 3)")
        conn.exec_driver_sql("INSERT INTO stats_cursor (id, size, folded_at) VALUES (1, 40, '2026-12-07 00:00:00')")
    upgrade(engine)

    def count(table: str) -> int:
        with engine.connect() as conn:
            return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()

    # no county's key figures among the stored deltas: emptied, the cursor at 0, so the next fold is the whole fold
    assert (count("stats_delta"), count("stats_cursor"), count("stats_year")) == (0, 0, 0)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO stats_year (measure, region, dim, value, year, delta) "
                             "VALUES ('certificates', '450500', 'all', '', 2020, 3)")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0018statsrows")
    with engine.connect() as conn:
        assert "stats_year" not in {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    upgrade(engine)
    assert count("stats_year") == 0
    engine.dispose()
