"""Substring search of organization names, Chinese included, on SQLite and PostgreSQL.

Three-plus characters go to SQLite FTS5 (trigram) or PostgreSQL pg_trgm; two characters (华为, 格力)
go to a bigram table because trigram indexes cannot answer them; one character falls back to a scan.
The FTS5 table follows `organization.search_name` through triggers created by the migration.
"""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, delete, insert, select, text
from sqlalchemy.orm import Session

from certbridge.kit.chinese_text import normalize_name
from certbridge.registry.models import Organization, OrganizationNameGram


def name_bigrams(search_name: str) -> set[str]:
    """Return the distinct two-character substrings of a normalized name (none of two spaces)."""
    grams = {search_name[i:i + 2] for i in range(len(search_name) - 1)}  # bulk imports index thousands of names
    if search_name.split() == [search_name]:  # no whitespace at all, so no gram of whitespace alone
        return grams
    return {gram for gram in grams if not gram.isspace()}


def index_organization(session: Session, org: Organization) -> None:
    """Refresh an organization's bigrams after its name changed."""
    session.execute(delete(OrganizationNameGram).where(OrganizationNameGram.organization_id == org.id))
    grams = name_bigrams(org.search_name)
    if grams:
        session.execute(insert(OrganizationNameGram), [{"gram": g, "organization_id": org.id} for g in sorted(grams)])


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_match(session: Session, query: str) -> tuple[str, str] | None:
    """Return how a name query is matched ("bigram", "fts" or "like") and the value it binds; None if empty."""
    term = normalize_name(query)
    if not term:
        return None
    if len(term) == 2:
        return "bigram", term
    if len(term) >= 3 and session.get_bind().dialect.name == "sqlite":
        return "fts", '"' + term.replace('"', '""') + '"'
    # PostgreSQL (pg_trgm GIN index) for 3+, and a plain scan for single characters on both.
    return "like", _like_pattern(term)


def matching_ids_select(way: str):
    """Return the statement of matching organization ids (column `id`) in id order, one way, to run or to nest.

    Its parameters: `name_match` (the value `name_match` gives), `holders_after` (an id to start after)
    and `holders_limit`.
    """
    # No values here (None keeps them optional when compiling): given when run, or by `.params()`.
    match, after, limit = (bindparam(name, None) for name in ("name_match", "holders_after", "holders_limit"))
    if way == "bigram":
        return (
            select(OrganizationNameGram.organization_id.label("id"))
            .where(OrganizationNameGram.gram == match, OrganizationNameGram.organization_id > after)
            .order_by(OrganizationNameGram.organization_id)
            .limit(limit)
        )
    if way == "fts":
        return text(
            "SELECT rowid AS id FROM organization_fts WHERE organization_fts MATCH :name_match "
            "AND rowid > :holders_after ORDER BY rowid LIMIT :holders_limit"
        ).bindparams(match, after, limit).columns(id=Integer)
    return (
        select(Organization.id)
        .where(Organization.search_name.like(match, escape="\\"), Organization.id > after)
        .order_by(Organization.id)
        .limit(limit)
    )


def organization_ids_select(session: Session, query: str, *, limit: int = 20, after_id: int = 0):
    """Return the statement of `search_organization_ids`, to run or to nest; None for an empty query."""
    found = name_match(session, query)
    if found is None:
        return None
    way, value = found
    stmt = matching_ids_select(way)
    return stmt.params(name_match=value, holders_after=after_id, holders_limit=limit)


def search_organization_ids(session: Session, query: str, *, limit: int = 20, after_id: int = 0) -> list[int]:
    """Return ids of organizations whose name contains the query, in id order after a cursor."""
    stmt = organization_ids_select(session, query, limit=limit, after_id=after_id)
    return [] if stmt is None else list(session.scalars(stmt))
