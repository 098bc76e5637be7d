"""The registries a synthetic data set stands on, created through the ordinary registry services.

Bodies, auditors, inspectors and labs are few (hundreds to thousands), so they go through the same
service functions a regulator's console uses; the result is summed up in a `RegistrySnapshot` of plain
data that a generator process can use without a database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.demo import distributions as dist
from certbridge.demo import names
from certbridge.kit.uscc import generate_uscc
from certbridge.principal import SYSTEM
from certbridge.registry import bodies, labs, people
from certbridge.registry.models import Region, Scheme, Standard


@dataclass
class BodyInfo:
    """What the generator needs to know about one certification body."""

    id: int
    code: str
    ccc_code: str | None
    fields: tuple[str, ...]
    approved_on: date
    weight: float
    region_code: str
    auditors: list[tuple[int, str]] = field(default_factory=list)  # (person id, registration number)


@dataclass
class RegistrySnapshot:
    """Plain data about the registries, picklable for a generator process."""

    bodies: list[BodyInfo]
    schemes: dict[str, dict]  # code → kind, field_code, validity_years, max_suspension_months, reapply_block_months
    standards: dict[str, list[tuple[int, date | None, date | None]]]  # scheme → (id, published, deadline)
    counties: list[tuple[str, str, str, float]]  # code, full name, name prefix, weight
    inspectors: list[int]
    labs: list[int]


def _county_weights(session: Session) -> list[tuple[str, str, str, float]]:
    regions = {r.code: r for r in session.scalars(select(Region))}
    counties = [r for r in regions.values() if r.level == "county"]
    by_province: dict[str, list[Region]] = {}
    for county in counties:
        by_province.setdefault(county.code[:2], []).append(county)
    beihai = [c for c in counties if c.parent_code == dist.BEIHAI]
    total = sum(dist.PROVINCE_WEIGHTS.get(p, 0) for p in by_province)
    out = []
    for province, items in sorted(by_province.items()):
        share = dist.PROVINCE_WEIGHTS.get(province, 0) / total * (1 - dist.BEIHAI_SHARE)
        for county in items:
            parent = regions.get(county.parent_code or "")
            prefix = parent.name if parent is not None and parent.level == "city" else regions[province + "0000"].name
            weight = share / len(items) + (dist.BEIHAI_SHARE / len(beihai) if county in beihai else 0)
            out.append((county.code, county.full_name, prefix, weight))
    return out


def create_registries(session: Session, *, rng: random.Random, size: int, as_of: date) -> RegistrySnapshot:
    """Approve bodies, register their auditors, inspectors and labs; return what a generator needs."""
    counties = _county_weights(session)
    codes, weights = [c[0] for c in counties], [c[3] for c in counties]
    total_auditors = min(6000, max(240, size // 1500))
    profiles = [(fields, weight) for count, fields, weight in dist.BODY_PROFILES for _ in range(count)]
    total_weight = sum(w for _, w in profiles)
    infos: list[BodyInfo] = []
    ccc_count = 0
    next_registration = 1_000_001
    for index, (fields, weight) in enumerate(profiles):
        number = index + 1
        foreign = index % 17 == 16
        year = 2002 if index < 12 else 2002 + rng.randint(0, 16)
        approval = f"CNCA-RF-{year}-{number % 100:02d}" if foreign else f"CNCA-R-{year}-{number:03d}"
        region = "450502" if index == 25 else rng.choices(codes, weights)[0]
        name = dist.BODY_WORDS[index] if index < len(dist.BODY_WORDS) else (
            f"{next(c[2] for c in counties if c[0] == region)}{names.brand(rng)}认证有限公司")
        if index < len(dist.BODY_WORDS):
            name += "有限公司" if not name.endswith(("中心", "集团")) else ""
        body = bodies.approve_body(
            session, principal=SYSTEM, code=f"{number + 100:05d}", approval_number=approval, name=name,
            fields=list(fields), approved_on=date(year, rng.randint(1, 12), rng.randint(1, 28)),
            uscc=generate_uscc(rng, region=region), foreign_invested=foreign, region_code=region,
            address=names.address(rng, next(c[1] for c in counties if c[0] == region)))
        ccc_code = None
        if "PRD-CCC" in fields:
            ccc_count += 1
            ccc_code = f"{ccc_count:02d}"
        info = BodyInfo(body.id, body.code, ccc_code, tuple(fields), body.approved_on, weight, region)
        scheme_codes = list(dist.SCHEME_WEIGHTS)
        for _ in range(max(2, round(total_auditors * weight / total_weight))):
            reg_year = rng.randint(max(year, 2004), as_of.year - 1)
            number_text = f"{reg_year}-N1{rng.choice(scheme_codes[:10])}-{next_registration}"
            next_registration += 1
            person = people.register_person(
                session, principal=SYSTEM, name=names.person_name(rng), kind="auditor", body_id=body.id,
                registrations=[{"number": number_text, "field": number_text.split("-")[1][2:], "level": "注册审核员"}])
            info.auditors.append((person.id, number_text))
        infos.append(info)
    inspectors = []
    for index in range(max(12, min(400, size // 20000))):
        region = dist.BEIHAI[:4] + "02" if index < 12 else rng.choices(codes, weights)[0]
        place = next(c[2] for c in counties if c[0] == region)
        person = people.register_person(session, principal=SYSTEM, name=names.person_name(rng), kind="inspector",
                                        employer=f"{place}{dist.BUREAU_SUFFIX}", region_code=region)
        inspectors.append(person.id)
    lab_ids = []
    for index in range(max(8, min(600, size // 15000))):
        region = "450502" if index < 4 else rng.choices(codes, weights)[0]
        place = next(c[2] for c in counties if c[0] == region)
        qualified = date(rng.randint(max(2019, as_of.year - 5), as_of.year - 1), rng.randint(1, 12), rng.randint(1, 28))
        industry = rng.choice(names.INDUSTRIES)
        lab = labs.qualify_lab(
            session, principal=SYSTEM, cma_number=f"{qualified.year % 100:02d}{region[:2]}{index + 100000:08d}"[:12],
            name=f"{place}{names.brand(rng)}检验检测有限公司", qualified_on=qualified,
            uscc=generate_uscc(rng, region=region), region_code=region,
            address=names.address(rng, next(c[1] for c in counties if c[0] == region)),
            capabilities=[{"category": industry[1], "item": f"{industry[3] or industry[1]}性能检测",
                           "standard": "GB/T 2828.1-2012"}])
        lab_ids.append(lab.id)
    schemes = {s.code: {"kind": s.kind, "field_code": s.field_code, "validity_years": s.validity_years,
                        "max_suspension_months": s.max_suspension_months,
                        "reapply_block_months": s.reapply_block_months}
               for s in session.scalars(select(Scheme))}
    standards: dict[str, list] = {}
    for std in session.scalars(select(Standard).order_by(Standard.id)):
        standards.setdefault(std.scheme_code, []).append((std.id, std.published_on, std.transition_deadline))
    session.flush()
    return RegistrySnapshot(infos, schemes, standards, counties, inspectors, lab_ids)
