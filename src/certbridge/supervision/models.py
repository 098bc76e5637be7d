"""Supervision tables: check matters, inspectors' declared relationships and past inspections, annual plans
and batches, verifiable draws, and the inspection tasks they produce."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certbridge.db import Base, utcnow
from certbridge.registry.models import InspectorRelationship  # noqa: F401 - declared in the registry (avoidance)

SEQ = BigInteger().with_variant(Integer, "sqlite")


class CheckMatter(Base):
    """An item of the published check-matter list (随机抽查事项清单)."""

    __tablename__ = "check_matter"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # key (重点, no cap) | general (一般, ratio capped)
    subject_type: Mapped[str] = mapped_column(String(20))  # body | organization | lab
    legal_basis: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(200))
    max_ratio: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))  # general matters only
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InspectionHistory(Base):
    """A past inspection made outside the platform (its own tasks count without an entry here)."""

    __tablename__ = "inspection_history"
    __table_args__ = (Index("ix_inspection_history_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column(Integer)
    inspected_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))


class SpotCheckPlan(Base):
    """An annual spot-check plan of one authority, with its ratios by credit class and avoidance rules."""

    __tablename__ = "spot_check_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    class_ratios: Mapped[dict] = mapped_column(JSON)  # {"A": "0.05", …} as decimal strings
    ratio_bounds: Mapped[dict] = mapped_column(JSON)  # {"A": ["0", "0.05"], …}
    default_ratio: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    inspectors_per_object: Mapped[int] = mapped_column(Integer, default=2)
    recent_inspection_months: Mapped[int] = mapped_column(Integer, default=12)
    publication_workdays: Mapped[int] = mapped_column(Integer, default=20)
    include_experts: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    batches: Mapped[list[SpotCheckBatch]] = relationship(back_populates="plan", order_by="SpotCheckBatch.id")


class SpotCheckBatch(Base):
    """One batch of a plan: a matter, a scope, the quantity or ratios, the timing."""

    __tablename__ = "spot_check_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("spot_check_plan.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    matter_id: Mapped[int] = mapped_column(ForeignKey("check_matter.id"))
    check_type: Mapped[str] = mapped_column(String(10))  # random (双随机) | special (专项) | joint (联合)
    joint_departments: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[dict] = mapped_column(JSON)  # {"region": …, "scheme": …, "field": …}
    class_ratios: Mapped[dict | None] = mapped_column(JSON)  # overrides the plan's
    class_counts: Mapped[dict | None] = mapped_column(JSON)  # fixed quantities per class
    max_tasks_per_inspector: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    plan: Mapped[SpotCheckPlan] = relationship(back_populates="batches")


class SpotCheckDraw(Base):
    """A verifiable draw: seed committed first (SHA-256), inputs frozen and digested, then revealed."""

    __tablename__ = "spot_check_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("spot_check_batch.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # committed | revealed | cancelled
    drawn_on: Mapped[date] = mapped_column(Date)
    seed_commitment: Mapped[str] = mapped_column(String(64))
    inputs_digest: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict] = mapped_column(JSON)
    seed: Mapped[str | None] = mapped_column(String(64))  # secret until the reveal
    beacon_source: Mapped[str | None] = mapped_column(Text)
    beacon_value: Mapped[str | None] = mapped_column(Text)
    outputs: Mapped[dict | None] = mapped_column(JSON)
    outputs_digest: Mapped[str | None] = mapped_column(String(64))
    replacements: Mapped[list] = mapped_column(JSON, default=list)  # post-draw replacements, in order
    commit_seq: Mapped[int] = mapped_column(SEQ)
    reveal_seq: Mapped[int | None] = mapped_column(SEQ)
    committed_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_at: Mapped[datetime | None]
    cancelled_reason: Mapped[str | None] = mapped_column(Text)


class InspectionTask(Base):
    """One drawn object to inspect, its inspectors, findings, result and publication."""

    __tablename__ = "inspection_task"
    __table_args__ = (
        UniqueConstraint("draw_id", "object_key"),
        Index("ix_inspection_task_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("spot_check_draw.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("spot_check_batch.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("check_matter.id"))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column(Integer)
    object_key: Mapped[str] = mapped_column(String(40))
    object_name: Mapped[str] = mapped_column(String(200))
    object_uscc: Mapped[str | None] = mapped_column(String(18))
    credit_class: Mapped[str] = mapped_column(String(1))
    rank: Mapped[str] = mapped_column(String(64))
    walk_position: Mapped[int] = mapped_column(Integer, default=0)  # inspector permutation steps used so far
    drawn_on: Mapped[date] = mapped_column(Date)
    authority: Mapped[str] = mapped_column(String(200))
    check_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="assigned")  # assigned | completed | published
    findings: Mapped[list] = mapped_column(JSON, default=list)
    result: Mapped[str | None] = mapped_column(String(30))
    result_note: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date)
    publication_due_on: Mapped[date | None] = mapped_column(Date)
    deadline_provisional_year: Mapped[int | None] = mapped_column(Integer)  # first provisional year counted through
    published_on: Mapped[date | None] = mapped_column(Date)
    inspectors: Mapped[list[TaskInspector]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskInspector.position")


class TaskInspector(Base):
    """An inspector drawn for a task, in draw order; a removed one stays, inactive, with the reason."""

    __tablename__ = "task_inspector"

    task_id: Mapped[int] = mapped_column(ForeignKey("inspection_task.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    removed_reason: Mapped[str | None] = mapped_column(Text)
    task: Mapped[InspectionTask] = relationship(back_populates="inspectors")
