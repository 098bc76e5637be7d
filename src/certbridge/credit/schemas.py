"""Credit input and output shapes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from certbridge.kit.input_model import CleanInput

# 《行政处罚法》(2021) 第九条: the kinds of administrative penalty.
PENALTY_CATEGORIES = ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
                      "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他")
PenaltyCategory = Literal["警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
                          "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他"]
Amount = Decimal  # 万元


class PenaltyIn(CleanInput):
    """A penalty decision with the 双公示 penalty fields."""

    model_config = ConfigDict(extra="forbid")

    subject_type: Literal["organization", "body", "person", "lab"] | None = Field(
        default=None, description="Registry record the penalty concerns; found by USCC when omitted")
    subject_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    party_name: str = Field(min_length=1, max_length=200)
    party_type: Literal["legal_person", "individual_business", "natural_person"] = "legal_person"
    party_uscc: str | None = Field(default=None, max_length=40)
    legal_representative: str | None = Field(default=None, max_length=60)
    decision_number: str = Field(min_length=1, max_length=100, examples=["北市监处罚〔2026〕15号"])
    violation_type: str = Field(min_length=1, max_length=200, examples=["出具虚假认证结论"])
    facts: str = Field(min_length=1, max_length=8000)
    legal_basis: str = Field(min_length=1, max_length=4000, examples=["《认证认可条例》第六十二条"])
    categories: list[PenaltyCategory] = Field(min_length=1, max_length=14)
    content: str = Field(min_length=1, max_length=4000)
    fine_wan: Amount | None = Field(default=None, ge=0, max_digits=18, decimal_places=6,
                                    description="Fine in 万元 (ten thousand yuan), e.g. 0.5 = 5,000 yuan")
    confiscation_wan: Amount | None = Field(default=None, ge=0, max_digits=18, decimal_places=6,
                                            description="Confiscated illegal income and property, 万元")
    licence_affected: str | None = Field(default=None, max_length=300,
                                         description="Licence suspended or revoked: name and number")
    decided_on: date
    penalty_valid_until: date | None = None
    authority: str = Field(min_length=1, max_length=200)
    authority_uscc: str = Field(min_length=18, max_length=18)
    data_source: str | None = Field(default=None, max_length=200)
    data_source_uscc: str | None = Field(default=None, max_length=18)
    remarks: str | None = Field(default=None, max_length=2000)
    samr: bool = Field(default=False, description="Decided by SAMR itself: 20 working days to publish, not 7")
    minor: bool | None = Field(default=None, description="Public 3 months only; default: warnings/通报批评 only")
    sector: Literal["general", "food", "drugs", "special_equipment"] = "general"
    publish: bool = False


class PenaltyOut(BaseModel):
    """A penalty with its publication state."""

    id: int
    subject_type: str | None
    subject_id: int | None
    party_name: str
    party_type: str
    party_uscc: str | None
    legal_representative: str | None
    decision_number: str
    violation_type: str
    facts: str
    legal_basis: str
    categories: list[str]
    content: str
    fine_wan: Decimal | None
    confiscation_wan: Decimal | None
    licence_affected: str | None
    decided_on: date
    penalty_valid_until: date | None
    publication_ends_on: date
    authority: str
    authority_uscc: str
    data_source: str
    data_source_uscc: str
    remarks: str | None
    samr: bool
    minor: bool
    sector: str
    status: str = Field(description="unpublished | published | withdrawn | repaired | ended")
    publication_due_on: date | None
    publication_due_provisional: bool = Field(
        default=False, description="True while the deadline runs through a year whose holiday notice is not entered "
        "(counted with the statutory holidays by rule; recomputed when the notice is entered)")
    published_on: date | None
    published_late: bool | None
    withdrawn_on: date | None
    withdrawal_due_on: date | None
    withdrawal_due_provisional: bool = Field(default=False, description="As publication_due_provisional")
    withdrawal_reason: str | None
    repaired_on: date | None
    repair_possible_from: date | None
    warnings: list[str] = Field(default_factory=list)


class RepairIn(CleanInput):
    """A credit repair request granted: the penalty leaves public view early."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    on: date | None = None


class ListingIn(CleanInput):
    """Putting a subject on the serious-dishonesty list."""

    model_config = ConfigDict(extra="forbid")

    subject_type: Literal["organization", "body", "person"]
    subject_id: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=2000)
    decision_number: str = Field(min_length=1, max_length=100)
    authority: str = Field(min_length=1, max_length=200)
    penalty_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    listed_on: date | None = None


class RemovalIn(CleanInput):
    """Removing a subject from the list early, once its obligations are met."""

    model_config = ConfigDict(extra="forbid")

    obligations_met: bool
    reason: str = Field(min_length=1, max_length=2000)
    on: date | None = None


class ListingOut(BaseModel):
    """An entry of the serious-dishonesty list."""

    id: int
    subject_type: str
    subject_id: int
    party_name: str
    party_uscc: str | None
    reason: str
    decision_number: str
    authority: str
    penalty_id: int | None
    restriction_id: int
    listed_on: date
    ends_on: date
    earliest_removal_on: date
    removed_on: date | None
    removal_reason: str | None
    status: str = Field(description="listed | removed_early | ended")


class BarPersonIn(CleanInput):
    """Barring a person: 5 years after a false certification conclusion, or for life."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["false_conclusion", "lifetime"]
    reason: str = Field(min_length=1, max_length=2000)
    decision_number: str = Field(min_length=1, max_length=100)
    starts_on: date | None = None


class RevokeBodyIn(CleanInput):
    """Revoking a body's approval, optionally with permanent exit."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    decision_number: str = Field(min_length=1, max_length=100)
    permanent_exit: bool = False
    on: date | None = None


class CreditRecordOut(BaseModel):
    """A subject's risk score and class with what drives it."""

    subject_type: str
    subject_id: int
    score: int
    credit_class: str
    computed_on: date
    factors: dict[str, Any]
    recognized: list[dict[str, Any]] = Field(
        default_factory=list, description="Entries from peer instances' spot-check results and penalties (监管互认), "
                                          "each with its source instance, log index and checkpoint, and a label")


class SettingIn(CleanInput):
    """A new value for one rule."""

    model_config = ConfigDict(extra="forbid")

    value: Any
