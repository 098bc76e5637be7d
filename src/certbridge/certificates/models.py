"""Certificate tables: the certificate, its sites, its audits and auditors."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certbridge.db import Base, utcnow

STATUSES = ("valid", "suspended", "withdrawn", "cancelled", "expired")
FINAL_STATUSES = frozenset({"withdrawn", "cancelled", "expired"})


class Certificate(Base):
    """One certificate cycle issued by one body to one organization."""

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("body_id", "number"),
        Index("ix_certificate_number", "number"),
        Index("ix_certificate_org_status", "organization_id", "status"),
        Index("ix_certificate_body_status", "body_id", "status"),
        Index("ix_certificate_body_issued", "body_id", "issued_on"),  # a body's issues in a period (0020bodyissued)
        Index("ix_certificate_scheme_status", "scheme_code", "status"),
        Index("ix_certificate_region_status", "region_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    body_id: Mapped[int] = mapped_column(ForeignKey("certification_body.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    scheme_code: Mapped[str] = mapped_column(ForeignKey("scheme.code"))
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standard.id"))
    status: Mapped[str] = mapped_column(String(12), default="valid")
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_on: Mapped[date] = mapped_column(Date)
    suspended_until: Mapped[date | None] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    holder_name: Mapped[str] = mapped_column(String(200))
    holder_address: Mapped[str | None] = mapped_column(String(300))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    scope: Mapped[str] = mapped_column(Text)
    scope_en: Mapped[str | None] = mapped_column(Text)
    product: Mapped[dict | None] = mapped_column(JSON)  # name, model, specification, trademark, manufacturer, factory
    certification_mode: Mapped[str | None] = mapped_column(String(60))
    grade: Mapped[str | None] = mapped_column(String(30))  # a grade or sector variant the scheme defines
    last_surveillance_on: Mapped[date | None] = mapped_column(Date)
    # International recognition (docs/international.md): issued under accreditation by which body, under which
    # accreditation number; the country of a certificate issued abroad (None: China); a regional-brand label
    accreditation_body_id: Mapped[int | None] = mapped_column(ForeignKey("accreditation_body.id"))
    accreditation_number: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    brand_code: Mapped[str | None] = mapped_column(ForeignKey("regional_brand.code"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    sites: Mapped[list[CertificateSite]] = relationship(
        back_populates="certificate", cascade="all, delete-orphan", order_by="CertificateSite.id"
    )
    audits: Mapped[list[Audit]] = relationship(
        back_populates="certificate", cascade="all, delete-orphan", order_by="Audit.start_on"
    )


class CertificateSite(Base):
    """A site covered by a certificate, with its own scope."""

    __tablename__ = "certificate_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    scope: Mapped[str | None] = mapped_column(Text)
    certificate: Mapped[Certificate] = relationship(back_populates="sites")


class Audit(Base):
    """An audit of a certificate: initial, surveillance, recertification or special."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # initial | surveillance | recertification | special
    method: Mapped[str] = mapped_column(String(4))  # FS01 on-site | FS02 remote | FS03 combined
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    certificate: Mapped[Certificate] = relationship(back_populates="audits")
    auditors: Mapped[list[AuditAuditor]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", order_by="AuditAuditor.person_id"
    )


class AuditAuditor(Base):
    """An auditor on an audit, with the registration number used."""

    __tablename__ = "audit_auditor"
    __table_args__ = (Index("ix_audit_auditor_person", "person_id"),)

    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(12), default="member")  # leader | member | expert
    audit: Mapped[Audit] = relationship(back_populates="auditors")


class ImportBatch(Base):
    """One bulk import: who, what file, and its outcome (so a re-run is idempotent)."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("certification_body.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)


class WebUpload(Base):
    """A bulk-import file kept between its preview and the operator's confirmation, tied to one session."""

    __tablename__ = "web_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("web_session.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("certification_body.id"))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusFactsVersion(Base):
    """One row whose `version` changes (to a fresh random value) with every write to the facts verdicts read
    from bodies, standards and schemes — set by database triggers in the same transaction, whoever writes.

    `certificates/status_facts.py` keeps those facts in memory and trusts them only while this value is unchanged.
    """

    __tablename__ = "status_facts_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
