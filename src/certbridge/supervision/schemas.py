"""Supervision input and output shapes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from certbridge.kit.input_model import CleanInput

ClassKey = Literal["A", "B", "C", "D"]


class MatterIn(CleanInput):
    """A check matter for the published list."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=30, examples=["RZ-JG-01"])
    name: str = Field(min_length=1, max_length=200, examples=["认证机构从业规范检查"])
    kind: Literal["key", "general"]
    subject_type: Literal["body", "organization", "lab"]
    legal_basis: str = Field(min_length=1, max_length=4000, examples=["《认证认可条例》第五十五条"])
    content: str = Field(min_length=1, max_length=4000)
    method: str = Field(min_length=1, max_length=200, examples=["现场检查、书面检查"])
    max_ratio: Decimal | None = Field(default=None, ge=0, le=1, description="General matters: the ratio cap")


class MatterPatch(CleanInput):
    """Changes to a matter (active=false retires it)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: Literal["key", "general"] | None = None
    legal_basis: str | None = Field(default=None, min_length=1, max_length=4000)
    content: str | None = Field(default=None, min_length=1, max_length=4000)
    method: str | None = Field(default=None, min_length=1, max_length=200)
    max_ratio: Decimal | None = Field(default=None, ge=0, le=1)
    active: bool | None = None


class MatterOut(BaseModel):
    """A check matter."""

    id: int
    code: str
    name: str
    kind: str
    subject_type: str
    legal_basis: str
    content: str
    method: str
    max_ratio: str | None
    active: bool


class PlanIn(CleanInput):
    """An annual plan."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    name: str = Field(min_length=1, max_length=200)
    authority: str = Field(min_length=1, max_length=200, examples=["北海市市场监督管理局"])
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    class_ratios: dict[ClassKey, Decimal] | None = Field(default=None, examples=[{"A": "0.05", "D": "0.8"}])
    ratio_bounds: dict[ClassKey, list[Decimal]] | None = None
    default_ratio: Decimal = Field(default=Decimal("0.05"), ge=0, le=1)
    inspectors_per_object: int = Field(default=2, ge=2, le=10)
    recent_inspection_months: int = Field(default=12, ge=0, le=120)
    publication_workdays: int = Field(default=20, ge=1, le=60)
    include_experts: bool = False


class BatchIn(CleanInput):
    """A batch of a plan."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    matter_id: int = Field(ge=1, le=2**31 - 1)
    check_type: Literal["random", "special", "joint"] = "random"
    joint_departments: str | None = Field(default=None, max_length=1000)
    scope: dict[Literal["region", "scheme", "field", "risk"], str] = Field(
        default_factory=dict, description='"risk": "weight" draws each object in the higher of its credit and risk class')
    class_ratios: dict[ClassKey, Decimal] | None = None
    class_counts: dict[ClassKey, int] | None = None
    max_tasks_per_inspector: int | None = Field(default=None, ge=1, le=10000)
    starts_on: date
    ends_on: date


class DrawCommitIn(CleanInput):
    """Committing a draw (optionally naming a public beacon to mix in at the reveal)."""

    model_config = ConfigDict(extra="forbid")

    beacon_source: str | None = Field(default=None, max_length=500,
                                      examples=["中国福利彩票双色球 2026130 期开奖号码"])


class DrawRevealIn(CleanInput):
    """Revealing a draw."""

    model_config = ConfigDict(extra="forbid")

    beacon_value: str | None = Field(default=None, max_length=500)


class CancelIn(CleanInput):
    """Cancelling a committed draw."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class RelationshipIn(CleanInput):
    """A relationship an inspector declares."""

    model_config = ConfigDict(extra="forbid")

    object_type: Literal["organization", "body", "lab"] | None = Field(
        default=None, description="A registry record the relationship is with (or give party_name / party_uscc)")
    object_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    party_name: str | None = Field(default=None, max_length=200, description="A party outside the registry, e.g. "
                                   "a company applying for a licence; review teams of its cases exclude the person")
    party_uscc: str | None = Field(default=None, max_length=18, description="The party's USCC (matched exactly)")
    kind: Literal["relative", "consulting", "former_employee", "shareholding", "other"]
    declared_on: date
    ends_on: date | None = None
    note: str | None = Field(default=None, max_length=2000)


class RelationshipWithdrawIn(CleanInput):
    """Why a declared relationship is withdrawn (declared in error, or no longer true)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    on: date | None = Field(default=None, description="The day it is withdrawn (default today)")


class HistoryIn(CleanInput):
    """An inspection made outside the platform."""

    model_config = ConfigDict(extra="forbid")

    object_type: Literal["organization", "body", "lab"]
    object_id: int = Field(ge=1, le=2**31 - 1)
    inspected_on: date
    source: str = Field(min_length=1, max_length=200)


class FindingIn(CleanInput):
    """A finding on a task."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=8000)


class ResultIn(CleanInput):
    """A task's result."""

    model_config = ConfigDict(extra="forbid")

    result: Literal["no_problem", "corrected", "pending_follow_up", "refused_serious", "no_activity", "unreachable"]
    completed_on: date
    note: str | None = Field(default=None, max_length=8000)


class ReplaceIn(CleanInput):
    """Replacing an inspector on a task."""

    model_config = ConfigDict(extra="forbid")

    person_id: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=2000)


class TaskOut(BaseModel):
    """An inspection task."""

    id: int
    draw_id: int
    batch_id: int
    matter: dict[str, Any]
    object_type: str
    object_id: int
    object_key: str
    object_name: str
    object_uscc: str | None
    credit_class: str | None = Field(description="Internal: shown to regulators only")
    drawn_on: date
    authority: str
    check_type: str
    check_type_label: str
    status: str
    inspectors: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    result: str | None
    result_label: str | None
    result_note: str | None
    completed_on: date | None
    publication_due_on: date | None
    publication_due_provisional: bool = Field(
        default=False, description="True while the deadline runs through a year whose holiday notice is not entered "
        "(counted with the statutory holidays by rule; recomputed when the notice is entered)")
    published_on: date | None
    warnings: list[str] = Field(default_factory=list)


class PublicResultOut(BaseModel):
    """A published spot-check result: authority, type, date, result."""

    id: int
    authority: str
    check_type: str
    check_type_label: str
    date: date
    result: str
    result_label: str
    object_name: str
    object_uscc: str | None
    object_type: str
    matter: str
    matter_code: str
    published_on: date
