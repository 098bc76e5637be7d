"""Which regulator is responsible for a place: the market-regulation bureau of its city (or province)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from certbridge.registry.regions import region_path


def responsible_region(session: Session, code: str | None) -> str | None:
    """Return the code of the city (else province) whose bureau is responsible for a region, None if unknown."""
    path = region_path(session, code)
    if not path:
        return None
    cities = [r for r in path if r.level == "city"]
    return (cities[-1] if cities else path[0]).code


def authority_name(session: Session, code: str | None) -> str:
    """Return the name of the bureau responsible for a region (the national administration when unknown)."""
    path = region_path(session, code)
    if not path:
        return "国家市场监督管理总局"
    return f"{path[-1].name}市场监督管理局"
