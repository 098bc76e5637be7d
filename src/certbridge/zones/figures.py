"""A demonstration zone's figures: the statistics (stats.queries) of its regions and schemes, its targets and
its certificates, together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.registry.models import Region
from certbridge.stats import queries
from certbridge.stats.targets import Progress, list_targets, progress
from certbridge.zones.models import DemonstrationZone
from certbridge.zones.service import region_prefix

CERTIFICATE_LIST = 50


@dataclass(frozen=True)
class ZoneRow:
    """One region × scheme of a zone on a date."""

    region: str
    region_name: str
    scheme: str
    certificates: int  # valid on the date
    organizations: int  # certified organizations holding this scheme
    issued: int  # newly issued in the year to the date


@dataclass(frozen=True)
class ZoneFigures:
    """Everything a zone's page shows."""

    zone: DemonstrationZone
    on: date
    rows: list[ZoneRow]
    certificates: int  # valid certificates of the zone's schemes in its regions
    issued: int
    targets: list[Progress]
    recent: list[Certificate]


def zone_figures(session: Session, zone: DemonstrationZone, on: date) -> ZoneFigures:
    """Return a zone's figures on a date, read from the folded statistics (the same numbers /stats shows)."""
    start = on.replace(month=1, day=1)
    names = dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(zone.regions))).all())
    rows = []
    for region in zone.regions:
        for scheme in zone.schemes:
            rows.append(ZoneRow(
                region, names.get(region, region), scheme,
                queries.figure(session, measure="certificates", region=region, on=on, dim="scheme", value=scheme),
                queries.figure(session, measure="organizations", region=region, on=on, dim="scheme", value=scheme),
                queries.period(session, measure="issued", region=region, start=start, end=on, dim="scheme",
                               value=scheme)))
    targets = [progress(session, t, on) for region in zone.regions for t in list_targets(session, region_code=region)]
    recent = list(session.scalars(
        select(Certificate).where(Certificate.scheme_code.in_(zone.schemes), Certificate.status == "valid",
                                  or_(*[Certificate.region_code.like(region_prefix(r) + "%") for r in zone.regions]))
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc()).limit(CERTIFICATE_LIST)))
    return ZoneFigures(zone, on, rows, sum(r.certificates for r in rows), sum(r.issued for r in rows), targets, recent)
