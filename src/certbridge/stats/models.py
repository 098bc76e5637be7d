"""Statistics tables: the fold cursor, each certificate's and holder's folded contribution, daily deltas, targets.

`stats_delta` holds, per measure, region (every GB/T 2260 level plus "000000" for the nation), dimension and
value, how much the figure changes on a day. A figure on a date is the sum of its deltas up to that day; a count
in a period (newly issued, suspended …) is the sum between two days. `stats_certificate` keeps what one
certificate's events fold to (its valid days, its status changes, its dimensions); `stats_holder` keeps what
one holder's (an organization identity's) rows were folded with, so a change re-folds the certificates it
touches and applies the difference of their rows instead of rescanning anything. `stats_pending` holds the
rows of the folds made in writes' checkpoint transactions until the next catch-up adds them to `stats_delta`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow

BigInt = BigInteger().with_variant(Integer, "sqlite")


class StatsCursor(Base):
    """How far the statistics have folded the log: the tree size and root of the checkpoint they name."""

    __tablename__ = "stats_cursor"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInt, default=0)
    root_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    folded_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatsCertificate(Base):
    """What one certificate's events fold to: its holder, its dimensions, its valid days and status changes."""

    __tablename__ = "stats_certificate"
    __table_args__ = (Index("ix_stats_certificate_holder", "holder_id"),)

    certificate_id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=False)
    holder_id: Mapped[int] = mapped_column(BigInt)  # the organization identity (merges followed)
    body_id: Mapped[int | None] = mapped_column(BigInt, index=True)
    folded: Mapped[dict] = mapped_column(JSON)  # {"dims": {...}, "valid": [[from, until]], "changes": [[day, kind]]}


class StatsHolder(Base):
    """What one holder's rows were last folded with: its dated regions, each region's ancestors, its own facts.

    A change to its certificates alone is applied in proportion to the change; a change of this basis (the holder
    moved, merged, its industry or the region table changed) re-counts the holder's whole contribution.
    """

    __tablename__ = "stats_holder"

    holder_id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=False)
    basis: Mapped[dict] = mapped_column(JSON)  # {"places": [[from, region]], "ancestors": {region: [...]}, "dims": {}}


class StatsDelta(Base):
    """How much one figure changes on one day."""

    __tablename__ = "stats_delta"
    __table_args__ = {"sqlite_with_rowid": False}  # kept in key order: a figure is a range sum (0016statsfold)

    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    region: Mapped[str] = mapped_column(String(12), primary_key=True)
    dim: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(60), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    delta: Mapped[int] = mapped_column(Integer)


class StatsYear(Base):
    """One figure's deltas summed over a year (migration 0019statsyear): a figure on a date is its years before the
    date's year plus the `stats_delta` rows of the date's own year — at most ~370 rows a key, whatever the history."""

    __tablename__ = "stats_year"
    __table_args__ = {"sqlite_with_rowid": False}

    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    region: Mapped[str] = mapped_column(String(12), primary_key=True)
    dim: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    delta: Mapped[int] = mapped_column(Integer)


class StatsSpan(Base):
    """What one certificate counts at its holder's place (migration 0018statsrows): each valid run cut at the
    holder's moves (measure "valid", [start, until)), its issue and each status change (measure "issued",
    "suspended" …, on `start`), with the region chain of the place and every dimension's value in columns.

    A county's figures (and a city's by scheme, type, standard, body and industry) are counted from these rows on
    the date — one range of the primary key, bounded by the region's own certificates — instead of being kept as
    daily delta rows: one row a certificate event instead of one per dimension. Rewritten whole for a certificate
    whenever its fold or its holder's basis changes.
    """

    __tablename__ = "stats_span"
    __table_args__ = (Index("ix_stats_span_certificate", "certificate_id"), {"sqlite_with_rowid": False})

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)  # "000000>450000>450500>450521"
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)  # valid | issued | suspended | …
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=False)
    part: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # its rows' order
    until: Mapped[date | None] = mapped_column(Date)  # a valid run's day after (9999-12-31: open)
    holder_id: Mapped[int] = mapped_column(BigInt)
    scheme: Mapped[str] = mapped_column(String(60))
    cert_type: Mapped[str] = mapped_column(String(60))
    standard: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(String(60))
    industry: Mapped[str] = mapped_column(String(60))


class StatsPending(Base):
    """One inline fold's delta rows, not yet added to `stats_delta` (migration 0017stats).

    The fold that rides in a write's checkpoint transaction writes this one row instead of upserting its
    ~170 delta rows: `rows` is a JSON list of [measure, region chain, dim, value, day, delta], each row at the
    holder's own region, its chain ("000000>450000>450500>450521") naming every region it counts in. The next
    catch-up (every 5 seconds, before any statistics answer, `certbridge stats fold`) adds the pending rows of
    many writes to `stats_delta` at every level in one coalesced upsert and deletes them, in one transaction.
    """

    __tablename__ = "stats_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInt)  # the tree size the fold reached
    rows: Mapped[str] = mapped_column(Text)


class StatsTarget(Base):
    """A local target: a region's measure at or above a threshold by a deadline, from a source document."""

    __tablename__ = "stats_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    measure: Mapped[str] = mapped_column(String(20))  # valid_certificates | certified_organizations
    threshold: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    reference: Mapped[bool] = mapped_column(Boolean, default=False)  # loaded reference data (Beihai's four)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatsReport(Base):
    """A monthly report for a region, kept as a signed, dated document."""

    __tablename__ = "stats_report"
    __table_args__ = (Index("ix_stats_report_region_month", "region_code", "month", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6))
    month: Mapped[str] = mapped_column(String(7))  # 2026-11
    as_of: Mapped[date] = mapped_column(Date)
    tree_size: Mapped[int] = mapped_column(BigInt)
    root_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    html: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)  # signed note over the hash line
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
