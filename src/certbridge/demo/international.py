"""Demo international recognition: a foreign certification body with accredited certificates of foreign holders
(covered by an MLA signatory, and one that is not), a Chinese body's overseas certificate, one demonstration
zone and one regional brand. Through the real services, deterministic from the as-of date; a few dozen rows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn, HolderIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import write_session
from certbridge.principal import SYSTEM
from certbridge.registry.foreign_bodies import register_foreign_body
from certbridge.registry.models import BodyField, CertificationBody, Region
from certbridge.zones.service import brand_certificate, define_brand, define_zone

BRANDED = 12
# number, scheme, holder, home-register id, accreditation body
FOREIGN_CERTIFICATES = (
    ("GB-QMS-204311", "QMS", "Example Valves Ltd", "SC123456", "UKAS"),
    ("GB-QMS-204312", "QMS", "Northern Castings plc", "01987654", "UKAS"),
    ("GB-EMS-110207", "EMS", "Example Valves Ltd", "SC123456", "UKAS"),
    ("GB-IPMS-3001", "IPMS", "Harbour Software Ltd", "07654321", "UKAS"),  # accredited, not MLA-recognized
)


def _draft(number: str, scheme: str, holder: HolderIn, issued: date, **extra) -> CertificateIn:
    return CertificateIn(number=number, scheme=scheme, holder=holder, scope="Design and manufacture of industrial "
                         "valves" if scheme != "IPMS" else "Software development", issued_on=issued, **extra)


def build_international(sessions, *, as_of: date) -> dict[str, int]:
    """Add the foreign body and its certificates, an overseas certificate, a zone and a brand; return counts."""
    issued = as_of - timedelta(days=200)
    with write_session(sessions) as session:
        body = register_foreign_body(session, principal=SYSTEM, country="GB", foreign_id="01234567",
                                     name="Example Certification Ltd", fields=["SYS-QMS", "SYS-EMS", "SYS-OTHER"],
                                     registered_on=date(2012, 3, 1), address="1 High Street, London")
        for number, scheme, name, home_id, accreditor in FOREIGN_CERTIFICATES:
            issue_certificate(session, principal=SYSTEM, body_id=body.id, today=as_of, draft=_draft(
                number, scheme, HolderIn(name=name, country="GB", foreign_id=home_id), issued, country="GB",
                accreditation_body=accreditor, accreditation_number="UKAS 0123"))
        chinese = session.scalar(select(CertificationBody).join(BodyField).where(
            BodyField.field_code == "SYS-QMS", CertificationBody.status == "approved",
            CertificationBody.country.is_(None)).order_by(CertificationBody.id).limit(1))
        overseas = 0
        if chinese is not None:
            issue_certificate(session, principal=SYSTEM, body_id=chinese.id, today=as_of, draft=_draft(
                f"{chinese.code}Q{as_of.year % 100:02d}VN001", "QMS",
                HolderIn(name="Công ty TNHH Cơ khí Ví Dụ", country="VN", foreign_id="0312345678"), issued,
                country="VN", accreditation_body="CNAS", accreditation_number="CNAS C001-M"))
            overseas = 1
        # the zone and the brand in the city (a registered GB/T 2260 city: a municipality's districts have none)
        # where organic certification is densest
        counties = session.scalars(select(Certificate.region_code).where(
            Certificate.scheme_code == "ORGANIC", Certificate.status == "valid", Certificate.region_code.is_not(None))
            .group_by(Certificate.region_code).order_by(func.count().desc(), Certificate.region_code))
        city = next((f"{c[:4]}00" for c in counties if session.get(Region, f"{c[:4]}00") is not None), None)
        if city is None:
            return {"foreign_bodies": 1, "foreign_certificates": len(FOREIGN_CERTIFICATES), "overseas": overseas}
        name = session.get(Region, city).name
        define_zone(session, principal=SYSTEM, code="ORGANIC-" + city, name=f"{name}国家有机产品认证示范区",
                    name_en=f"National organic-product certification demonstration zone ({city})", kind="organic",
                    regions=[city], schemes=["ORGANIC", "GAP"], designated_on=as_of - timedelta(days=900))
        define_brand(session, principal=SYSTEM, code="ORGANIC-" + city, name=f"{name}有机",
                     name_en=f"{city} Organic", regions=[city], schemes=["ORGANIC"])
        ids = list(session.scalars(select(Certificate.id).where(
            Certificate.scheme_code == "ORGANIC", Certificate.status == "valid",
            Certificate.region_code.like(city[:4] + "%")).order_by(Certificate.id).limit(BRANDED)))
        for cert_id in ids:
            brand_certificate(session, principal=SYSTEM, brand_code="ORGANIC-" + city, certificate_id=cert_id)
    return {"foreign_bodies": 1, "foreign_certificates": len(FOREIGN_CERTIFICATES), "overseas": overseas,
            "zones": 1, "branded": len(ids)}
