"""Demo data sets built into empty databases (SQLite file or a throwaway PostgreSQL database)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import text

from certbridge.db import make_engine
from certbridge.demo.dataset import build_dataset
from certbridge.demo.international import FOREIGN_CERTIFICATES
from certbridge.settings import Settings
from tests.conftest import BACKEND, PG_URL

# The international part of the demo adds these certificates to the size asked for: the foreign body's and one
# a Chinese body issued abroad (demo/international.py).
INTERNATIONAL = len(FOREIGN_CERTIFICATES) + 1
AS_OF = date(2026, 11, 1)


def _pg_admin():
    return make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="module")
def empty_databases(tmp_path_factory):
    """Return a factory of settings for empty databases; PostgreSQL ones are dropped afterwards."""
    made: list[str] = []

    def make() -> Settings:
        data_dir = tmp_path_factory.mktemp("demo")
        if BACKEND != "postgresql":
            return Settings(data_dir=data_dir, secret_key="test")
        name = f"cbdemo_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        made.append(name)
        return Settings(data_dir=data_dir, database_url=PG_URL.rsplit("/", 1)[0] + "/" + name, secret_key="test")

    yield make
    admin = _pg_admin()
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def demo_settings(empty_databases) -> Settings:
    """Return settings of a database holding a 400-certificate demo data set (seed 7)."""
    settings = empty_databases()
    build_dataset(settings, size=400, seed=7, as_of=AS_OF)
    return settings
