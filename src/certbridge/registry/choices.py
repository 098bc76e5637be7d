"""Choice lists and names the pages show: schemes, bodies, regions, statuses — in the page language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.i18n.catalog import render as render_message  # noqa: F401 - re-exported for pages
from certbridge.registry.models import CertificationBody, CertificationField, Region, Scheme, Standard


def scheme_options(db: Session, lang: str) -> list[tuple[str, str]]:
    """Return (code, name) of every scheme."""
    return [(s.code, f"{s.name if lang == 'zh' else s.name_en} ({s.code})")
            for s in db.scalars(select(Scheme).order_by(Scheme.code))]


def scheme_names(db: Session, lang: str) -> dict[str, str]:
    """Return scheme code → name."""
    return {s.code: (s.name if lang == "zh" else s.name_en) for s in db.scalars(select(Scheme))}


def body_options(db: Session, lang: str) -> list[tuple[int, str]]:
    """Return (id, name) of every certification body."""
    return [(b.id, (b.name if lang == "zh" or not b.name_en else b.name_en))
            for b in db.scalars(select(CertificationBody).order_by(CertificationBody.code))]


def body_name(body: CertificationBody, lang: str) -> str:
    """Return a body's name in the page language when it has one."""
    return body.name_en if lang == "en" and body.name_en else body.name


def region_options(db: Session) -> list[tuple[str, str]]:
    """Return provinces and cities as (code, full name), for region filters."""
    rows = db.execute(select(Region.code, Region.full_name).where(Region.level.in_(("province", "city")))
                      .order_by(Region.code)).all()
    return [(code, name) for code, name in rows]


def region_name(db: Session, code: str | None) -> str | None:
    """Return a region's full name, or its code if unknown."""
    if not code:
        return None
    region = db.get(Region, code)
    return f"{region.full_name}" if region else code


def field_options(db: Session, lang: str) -> list[tuple[str, str]]:
    """Return (code, name) of every certification field."""
    return [(f.code, f"{f.name if lang == 'zh' else f.name_en} ({f.code})")
            for f in db.scalars(select(CertificationField).order_by(CertificationField.code))]


def field_names(db: Session, lang: str) -> dict[str, str]:
    """Return field code → name."""
    return {f.code: (f.name if lang == "zh" else f.name_en) for f in db.scalars(select(CertificationField))}


def standard_options(db: Session) -> list[tuple[str, str]]:
    """Return standards as ("code|version", "SCHEME — code-version title")."""
    return [(f"{s.code}|{s.version}", f"{s.scheme_code} — {s.code}-{s.version} {s.title}")
            for s in db.scalars(select(Standard).order_by(Standard.scheme_code, Standard.code, Standard.version))]
