"""The body, standard and scheme facts of verdicts, kept in memory while the database says they are unchanged.

The public view of a certificate (verification.py) needs, beyond its own row and holder, its body's name and
approval (status, since, valid until), its standard's transition deadline and its scheme's grace months. They
change rarely, and reading them per verify costs a join, two lookups and seven columns on the busiest path.
So they are read whole, once, and kept with the value of `status_facts_version` read beside them; database
triggers (migration 0015perf) give that row a fresh random value in the same transaction as any write to those
columns, whoever makes it (this process, another one, plain SQL). Every public-view row carries the version of
its own snapshot: the facts are used only when they were read at that version, and read again otherwise — a
cached fact is never older than the row it is shown with. Versions are random, never counted, so one seen inside
a transaction that rolled back is never met again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from certbridge.certificates.effective_status import _day

VERSION_SQL = "SELECT version FROM status_facts_version WHERE id = 1"
_BODIES_SQL = ("SELECT id, code, name, approval_number, status, status_changed_on, valid_until "
               "FROM certification_body")
_STANDARDS_SQL = "SELECT id, code, version, transition_deadline FROM standard WHERE transition_deadline IS NOT NULL"
_SCHEMES_SQL = "SELECT code, body_revoked_grace_months FROM scheme"
_KEEP = 4  # versions kept (a process serving more than one database, tests)


@dataclass(frozen=True)
class StatusFacts:
    """The facts at one version: bodies, superseded standards and schemes' grace months."""

    version: int | None
    # body id → (code, name, approval number, status, status since, valid until, valid until as ISO text)
    bodies: dict[int, tuple[str, str, str, str, date | None, date | None, str | None]]
    standards: dict[int, tuple[str, date]]  # superseded standard id → ("code-version", transition deadline)
    grace_months: dict[str, int | None]


_CACHE: dict[int, StatusFacts] = {}


def _facts(version, bodies, standards, schemes) -> StatusFacts:
    """Return facts from the driver's rows (dates as dates or ISO text)."""
    body_facts = {}
    for row in bodies:
        until = _day(row[6])
        body_facts[row[0]] = (row[1], row[2], row[3], row[4], _day(row[5]), until,
                              until.isoformat() if until else None)
    return StatusFacts(version, body_facts, {r[0]: (f"{r[1]}-{r[2]}", _day(r[3])) for r in standards},
                       dict(schemes))


def _remember(facts: StatusFacts) -> StatusFacts:
    if len(_CACHE) >= _KEEP:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[facts.version] = facts
    return facts


def _fetch(driver_connection, sql: str) -> list[tuple]:
    return driver_connection.execute(sql).fetchall()


def facts_at(driver_connection, version: Any) -> StatusFacts:
    """Return the facts at a version read by a statement on this DBAPI connection (read again when not held).

    The facts are read after their version, so they are at least as new as the row that named it.
    """
    found = _CACHE.get(version)
    if found is not None:
        return found
    now = _fetch(driver_connection, VERSION_SQL)
    return _remember(_facts(now[0][0] if now else None, _fetch(driver_connection, _BODIES_SQL),
                            _fetch(driver_connection, _STANDARDS_SQL), _fetch(driver_connection, _SCHEMES_SQL)))


async def facts_at_async(async_connection, version: Any) -> StatusFacts:
    """`facts_at` over a psycopg `AsyncConnection`."""
    found = _CACHE.get(version)
    if found is not None:
        return found

    async def fetch(sql: str) -> list[tuple]:
        return await (await async_connection.execute(sql)).fetchall()

    now = await fetch(VERSION_SQL)
    return _remember(_facts(now[0][0] if now else None, await fetch(_BODIES_SQL), await fetch(_STANDARDS_SQL),
                            await fetch(_SCHEMES_SQL)))


def forget() -> None:
    """Drop every cached version (tests that compare a cold read)."""
    _CACHE.clear()
