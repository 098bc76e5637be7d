"""Registry tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certbridge.db import Base, utcnow


class Region(Base):
    """An administrative region by its GB/T 2260 code (province → city → county)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(10))  # province | city | county
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))


class Organization(Base):
    """A legal person or other organization, identified by its 统一社会信用代码 when it has one."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    uscc_needs_check: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    # simplified, normalized for search; indexed for exact-name look-ups (0021orgname)
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    industry: Mapped[str | None] = mapped_column(String(80))
    # Organization classes (issue #24): size per 统计上大中小微型企业划分办法（2017）, sector per GB/T 4754-2017.
    size_class: Mapped[str | None] = mapped_column(String(6), index=True)  # large | medium | small | micro
    size_industry: Mapped[str | None] = mapped_column(String(30))  # the classification's industry key
    employees: Mapped[int | None] = mapped_column(Integer)
    revenue_10k: Mapped[int | None] = mapped_column(Integer)  # 营业收入, 万元
    assets_10k: Mapped[int | None] = mapped_column(Integer)  # 资产总额, 万元
    sector_code: Mapped[str | None] = mapped_column(String(3), index=True)  # section letter + division: C38
    service_company: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2 of a foreign holder; None: China
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    identifiers: Mapped[list[OrganizationIdentifier]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", order_by="OrganizationIdentifier.id"
    )


class OrganizationIdentifier(Base):
    """One of an organization's identifiers: USCC, old codes, foreign ones."""

    __tablename__ = "organization_identifier"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))  # uscc | org_code | reg_no | vat | lei | duns
    value: Mapped[str] = mapped_column(String(40))
    organization: Mapped[Organization] = relationship(back_populates="identifiers")


class CertificationField(Base):
    """A field a certification body can be approved for (product, service or management system)."""

    __tablename__ = "certification_field"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # product | service | system
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(200))


class Scheme(Base):
    """A certification scheme (CCC, QMS …) with its configurable rules."""

    __tablename__ = "scheme"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # product | service | system
    field_code: Mapped[str] = mapped_column(ForeignKey("certification_field.code"))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    validity_years: Mapped[int] = mapped_column(Integer, default=3)
    max_suspension_months: Mapped[int] = mapped_column(Integer, default=6)
    surveillance_interval_months: Mapped[int] = mapped_column(Integer, default=12)
    number_pattern: Mapped[str | None] = mapped_column(String(100))  # regex, e.g. CCC 16 digits
    reapply_block_months: Mapped[int] = mapped_column(Integer, default=12)  # after withdrawal, holder's fault
    # How long a revoked (or withdrawn) body's certificates stay valid, so holders can move to another body
    # (DOMAIN.md's "3 months after the CB's revocation"; a withdrawal for that cause blocks no re-application).
    body_revoked_grace_months: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    grades: Mapped[list[SchemeGrade]] = relationship(
        cascade="all, delete-orphan", order_by="(SchemeGrade.kind, SchemeGrade.rank, SchemeGrade.code)")


class SchemeGrade(Base):
    """A grade (level of a graded certification) or sector variant a scheme defines; certificates carry one."""

    __tablename__ = "scheme_grade"

    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)  # e.g. 5STAR, A, FOOD
    kind: Mapped[str] = mapped_column(String(8), default="grade")  # grade | sector
    rank: Mapped[int] = mapped_column(Integer, default=0)  # grades: higher is better
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(200))


class Standard(Base):
    """A standard or technical requirement in one version, with its transition deadline."""

    __tablename__ = "standard"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"), index=True)
    code: Mapped[str] = mapped_column(String(60))  # GB/T 19001
    version: Mapped[str] = mapped_column(String(20))  # 2016
    title: Mapped[str] = mapped_column(String(200))
    published_on: Mapped[date | None] = mapped_column(Date)
    transition_deadline: Mapped[date | None] = mapped_column(Date)  # certificates to the old version lapse
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("standard.id"))
    title_en: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default="current", server_default="current")  # |superseded|withdrawn
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(40))  # SAC, MIIT, ISO, IEC, DIN, BSI … (foreign: country)


class CertificationBody(Base):
    """An approved certification body (认证机构)."""

    __tablename__ = "certification_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # short code, e.g. 00114
    approval_number: Mapped[str] = mapped_column(String(30), unique=True)  # CNCA-R-2002-001
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)  # permanent exit binds it
    # keyed hash of the legal representative's ID document (registry.identity); never the number in clear
    legal_rep_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    foreign_invested: Mapped[bool] = mapped_column(Boolean, default=False)
    # A foreign body (no CNCA approval): its country and the key in its home register (docs/international.md)
    country: Mapped[str | None] = mapped_column(String(2))
    foreign_id: Mapped[str | None] = mapped_column(String(40))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    address: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default="approved")  # approved|suspended|revoked|withdrawn
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_on: Mapped[date | None] = mapped_column(Date)  # when the approval got its current status
    approved_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    fields: Mapped[list[BodyField]] = relationship(
        back_populates="body", cascade="all, delete-orphan", order_by="BodyField.field_code"
    )


class BodyField(Base):
    """A field a certification body is approved to certify in."""

    __tablename__ = "body_field"

    body_id: Mapped[int] = mapped_column(ForeignKey("certification_body.id", ondelete="CASCADE"), primary_key=True)
    field_code: Mapped[str] = mapped_column(ForeignKey("certification_field.code"), primary_key=True)
    body: Mapped[CertificationBody] = relationship(back_populates="fields")


class Lab(Base):
    """A testing or inspection lab with its 资质认定 (CMA) qualification."""

    __tablename__ = "lab"

    id: Mapped[int] = mapped_column(primary_key=True)
    cma_number: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    address: Mapped[str | None] = mapped_column(String(300))
    legal_representative: Mapped[str | None] = mapped_column(String(60))  # public, as on the licence
    # keyed hash of the legal representative's ID document (registry.identity); never the number in clear
    legal_rep_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12), default="valid")  # valid|suspended|revoked|expired
    qualified_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    capabilities: Mapped[list[LabCapability]] = relationship(
        back_populates="lab", cascade="all, delete-orphan", order_by="LabCapability.id"
    )


class LabCapability(Base):
    """One thing a lab is qualified to test, against which standard."""

    __tablename__ = "lab_capability"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("lab.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(120))
    item: Mapped[str] = mapped_column(String(200))
    standard: Mapped[str | None] = mapped_column(String(120))
    # The standard the text names, when the standards catalogue has it (matched by number, version if given).
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standard.id", ondelete="SET NULL"), index=True)
    lab: Mapped[Lab] = relationship(back_populates="capabilities")


class Person(Base):
    """An auditor, inspector or expert."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12))  # auditor | inspector | expert
    body_id: Mapped[int | None] = mapped_column(ForeignKey("certification_body.id"), index=True)
    employer: Mapped[str | None] = mapped_column(String(200))  # inspectors: their bureau
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    # keyed hash of the ID document (registry.identity); None on records made before it was asked for
    id_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    registrations: Mapped[list[PersonRegistration]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonRegistration.id"
    )


class PersonRegistration(Base):
    """A person's registration (e.g. CCAA auditor number) with its validity."""

    __tablename__ = "person_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    field: Mapped[str | None] = mapped_column(String(20))  # scheme code the registration covers
    level: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="valid")  # valid | revoked | expired
    valid_until: Mapped[date | None] = mapped_column(Date)
    person: Mapped[Person] = relationship(back_populates="registrations")


class Restriction(Base):
    """A bar that services enforce: revoked body, barred person, listed organization, re-application block."""

    __tablename__ = "restriction"
    __table_args__ = (Index("ix_restriction_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # body | person | organization
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))  # barred | dishonesty_list | reapplication_block
    reason: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # None: permanent
    lifted_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(120))  # decision number, certificate id …
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class OrganizationNameGram(Base):
    """Two-character substrings of organization names: FTS5 trigram and pg_trgm cannot serve 2-char queries."""

    __tablename__ = "organization_name_gram"

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True)


class InspectorRelationship(Base):
    """A relationship an inspector or expert declared (relative, consulting, former employee …): a reason to recuse.

    With a registry record (object_type + object_id: an organization, body or lab) or with a party not (yet) in
    the registry, by name and USCC — an applicant for a licence, say. Spot-check draws and licensing review
    teams both exclude the person from the party (registry/avoidance.py, supervision/freeze.py)."""

    __tablename__ = "inspector_relationship"
    __table_args__ = (Index("ix_inspector_relationship_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    object_type: Mapped[str | None] = mapped_column(String(20))
    object_id: Mapped[int | None] = mapped_column(Integer)
    party_name: Mapped[str | None] = mapped_column(String(200))
    party_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # relative | consulting | former_employee | shareholding | other
    note: Mapped[str | None] = mapped_column(Text)
    declared_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)  # withdrawn (declared in error, or no longer true)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
class RegionalBrand(Base):
    """A 区域品牌 (zones/brands.py keeps them) (e.g. 北海有机): a label a regulator lets certificates of its regions and schemes carry."""

    __tablename__ = "regional_brand"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(200))
    regions: Mapped[list] = mapped_column(JSON)
    schemes: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
