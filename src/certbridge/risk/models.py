"""Tables of the risk capability: parameters (weights and thresholds as data), signals, scores, the cursor over
the log, early warnings and consumer alerts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow

SEQ = BigInteger().with_variant(Integer, "sqlite")


class RiskParameter(Base):
    """One signal's weight, threshold and window, or the score's warning threshold (signal "score")."""

    __tablename__ = "risk_parameter"

    signal: Mapped[str] = mapped_column(String(30), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)  # points of the 0–1000 score when the threshold is reached
    threshold: Mapped[float]
    window_days: Mapped[int] = mapped_column(Integer, default=365)
    warn: Mapped[bool] = mapped_column(Boolean, default=False)  # crossing it alone raises an early warning


class RiskAuditMinimum(Base):
    """The shortest audit a scheme allows, in calendar days, per audit kind (scheme "*" applies to all)."""

    __tablename__ = "risk_audit_minimum"

    scheme_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    audit_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    min_days: Mapped[int] = mapped_column(Integer)


class RiskSignal(Base):
    """One signal's current value for one subject, with its evidence."""

    __tablename__ = "risk_signal"

    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)  # body | organization | person
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[float]
    triggered: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)


class RiskScore(Base):
    """A subject's combined score (0–1000) and risk class A–D."""

    __tablename__ = "risk_score"
    __table_args__ = (Index("ix_risk_score_class", "subject_type", "risk_class"),)

    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    risk_class: Mapped[str] = mapped_column(String(1))
    computed_on: Mapped[date] = mapped_column(Date)


class RiskCursor(Base):
    """How far the risk follower has read the log."""

    __tablename__ = "risk_cursor"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(SEQ, default=-1)
    recomputed_on: Mapped[date | None] = mapped_column(Date)  # the day of the last full recompute


class RiskCertificate(Base):
    """What the risk state counted of one certificate: the follower diffs this against the certificate after
    each of its events and moves the counts by the difference (risk/state.py)."""

    __tablename__ = "risk_certificate"
    __table_args__ = (Index("ix_risk_certificate_body_suspended", "body_id", "suspended_on", "certificate_id"),
                      Index("ix_risk_certificate_org_suspended", "organization_id", "suspended_on", "certificate_id"))

    certificate_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(Integer)
    organization_id: Mapped[int] = mapped_column(Integer)
    valid: Mapped[bool] = mapped_column(Boolean)
    suspended_on: Mapped[date | None] = mapped_column(Date)  # status date while suspended or withdrawn
    first_issued_on: Mapped[date | None] = mapped_column(Date)  # issue date of a first issue (not a renewal)


class RiskAudit(Base):
    """What the risk state counted of one audit: its body, and its start day if it was shorter than the minimum."""

    __tablename__ = "risk_audit"
    __table_args__ = (Index("ix_risk_audit_body_short", "body_id", "short_on", "audit_id"),
                      Index("ix_risk_audit_certificate", "certificate_id"))

    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(Integer)
    body_id: Mapped[int] = mapped_column(Integer)
    short_on: Mapped[date | None] = mapped_column(Date)


class RiskTally(Base):
    """A count per subject, measure and day (e.g. a body's first issues on one day): windows sum days."""

    __tablename__ = "risk_tally"

    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class RiskCount(Base):
    """A current count per subject and measure (e.g. a body's valid certificates)."""

    __tablename__ = "risk_count"

    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class EarlyWarning(Base):
    """A warning raised when a score or a single signal crossed its threshold, tracked to a decision."""

    __tablename__ = "early_warning"
    __table_args__ = (Index("ix_early_warning_subject", "subject_type", "subject_id", "reason"),
                      Index("ix_early_warning_status", "status", "region_code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(30))  # "score" or the signal that crossed its threshold
    score: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the evidence: new facts raise a new warning
    region_code: Mapped[str | None] = mapped_column(String(6))
    authority: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | dismissed | inspect | penalize
    decision_reason: Mapped[str | None] = mapped_column(Text)
    raised_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(80))


class ConsumerAlert(Base):
    """A consumer alert (消费警示): what is concerned, what to do; its log entry and inclusion proof sign it."""

    __tablename__ = "consumer_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    advice: Mapped[str] = mapped_column(Text)
    products: Mapped[str | None] = mapped_column(Text)
    certificate_ids: Mapped[list] = mapped_column(JSON, default=list)
    body_ids: Mapped[list] = mapped_column(JSON, default=list)
    authority: Mapped[str] = mapped_column(String(200))
    published_on: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(SEQ, default=-1)  # the ledger event that published it
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BodyDisclosure(Base):
    """A certification body's public commitment (公开承诺) or annual work report (年度工作报告), public once filed.

    An annual report carries the year it reports on and the figures certbridge counted when it was filed
    (certificates issued, auditors, complaints handled); a newer commitment replaces the older on the body's page.
    """

    __tablename__ = "body_disclosure"
    __table_args__ = (Index("ix_body_disclosure_body", "body_id", "kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # commitment | annual_report
    year: Mapped[int | None] = mapped_column(Integer)  # the year an annual report covers
    text: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    filed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)  # an annual report's due date under the rule then in force
    filed_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DisclosureRule(Base):
    """When a disclosure is due, as data: an annual report by `due_month`/`due_day` of the year after it covers."""

    __tablename__ = "disclosure_rule"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    due_month: Mapped[int] = mapped_column(Integer)
    due_day: Mapped[int] = mapped_column(Integer)
    first_year: Mapped[int] = mapped_column(Integer)  # the first year a report is required for
