"""Licensing input and output shapes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from certbridge.kit.input_model import CleanInput
from certbridge.registry.schemas import BodyIn, BodyPatch, LabIn

LICENCE_CATEGORIES = ("普通", "特许", "认可", "核准", "登记", "其他")
PARTY_TYPES = ("legal_person", "individual_business", "natural_person")


class DecisionIn(CleanInput):
    """The decision that makes a licensing record: document, authority, category."""

    model_config = ConfigDict(extra="forbid")

    document_number: str = Field(min_length=1, max_length=100, examples=["国认监认字〔2026〕12号"])
    document_name: str | None = Field(default=None, max_length=200,
                                      description="Defaults to the decision's usual title for its kind")
    category: Literal["普通", "特许", "认可", "核准", "登记", "其他"] = "普通"
    decided_on: date
    authority: str = Field(min_length=1, max_length=200, examples=["国家认证认可监督管理委员会"])
    authority_uscc: str = Field(min_length=18, max_length=18, examples=["11100000190748334U"])
    data_source: str | None = Field(default=None, max_length=200, description="Defaults to the authority")
    data_source_uscc: str | None = Field(default=None, max_length=18, description="Defaults to the authority's")
    legal_representative: str | None = Field(default=None, max_length=60)
    licence_name: str | None = Field(default=None, max_length=200)
    content: str | None = Field(default=None, max_length=4000, description="Defaults to a summary of the change")
    remarks: str | None = Field(default=None, max_length=2000)
    publish: bool = Field(default=False, description="Publish the record at once")


class BodyApprovalIn(CleanInput):
    """A certification body's approval together with the licensing decision behind it."""

    model_config = ConfigDict(extra="forbid")

    body: BodyIn
    decision: DecisionIn


class BodyChangeIn(CleanInput):
    """A change to a body's approval together with its licensing decision."""

    model_config = ConfigDict(extra="forbid")

    changes: BodyPatch
    decision: DecisionIn


class BodyRenewalIn(CleanInput):
    """A renewal of a body's approval to a new end date, with its licensing decision."""

    model_config = ConfigDict(extra="forbid")

    valid_until: date
    decision: DecisionIn


class LabQualificationIn(CleanInput):
    """A lab's 资质认定 together with its licensing decision."""

    model_config = ConfigDict(extra="forbid")

    lab: LabIn
    decision: DecisionIn


class WithdrawalIn(CleanInput):
    """Withdrawing a publication because the decision was changed or annulled."""

    model_config = ConfigDict(extra="forbid")

    decision_changed_on: date
    reason: str = Field(min_length=1, max_length=2000)


class PublishIn(CleanInput):
    """Publishing a record (today unless a date is given)."""

    model_config = ConfigDict(extra="forbid")

    on: date | None = None


class LicensingRecordOut(BaseModel):
    """A licensing record with its publication state."""

    id: int
    kind: str
    subject_type: str | None
    subject_id: int | None
    party_name: str
    party_type: str
    party_uscc: str | None
    legal_representative: str | None
    document_name: str
    document_number: str
    category: str
    licence_name: str | None
    licence_number: str | None
    content: str
    decided_on: date
    valid_from: date
    valid_to: date | None
    authority: str
    authority_uscc: str
    data_source: str
    data_source_uscc: str
    remarks: str | None
    status: str = Field(description="valid or invalid (superseded, withdrawn, expired, or the licence ended)")
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
    warnings: list[str] = Field(default_factory=list, description="E.g. a deadline the calendar cannot compute")
