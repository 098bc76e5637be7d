"""Shapes of the licensing-case JSON API: filing a case, taking a step, and a case as its applicant or handler
sees it (state, deadline, working days left, whether the deadline is provisional and why, next actions)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from certbridge.kit.input_model import CleanInput


class CaseIn(CleanInput):
    """A new case, saved as a draft: attach files next, then submit it (`POST …/steps` with `submit`)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["application", "change", "renewal", "cancellation"] = "application"
    subject_type: Literal["body", "lab"]
    procedure: Literal["general", "commitment"] = Field(
        default="general", description="commitment: 告知承诺 (applications, changes and renewals only)")
    subject_id: int | None = Field(default=None, ge=1, description="The licensed body or lab (not for a first "
                                                                    "application)")
    contact_email: str | None = Field(default=None, max_length=200, description="Where step notices are e-mailed")
    application: dict[str, Any] = Field(description=(
        "What is applied for, as on the form: name, uscc, address, legal_representative; a body's fields "
        "(list of field codes), capital_wan, auditors (one a line); a lab's capabilities (one a line: scope | "
        "parameter | standard), sites, equipment, personnel; a renewal's valid_until; a cancellation's reason; "
        "a change only the items that change (fields / capabilities, address, legal_representative)"),
        examples=[{"name": "北海市海洋检测技术有限公司", "uscc": "91450503MAMEA76YXC", "address": "北海市银海区科技路 8 号",
                   "legal_representative": "黄海", "capabilities": "水产品 | 汞的测定 | GB 5009.17-2021",
                   "sites": "北海市银海区科技路 8 号", "equipment": "原子荧光光度计", "personnel": "黄海（技术负责人）"}])


class StepIn(CleanInput):
    """One step of the case table, by its action name; the side (applicant or regulator) follows from it."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=30, examples=["accept"], description=(
        "Applicant: submit, resubmit, rectified, withdraw. Regulator: accept, reject, request_correction, "
        "assign_review, request_rectification, record_findings, approve, refuse, issue_licence, "
        "confirm_commitment, revoke_commitment"))
    note: str | None = Field(default=None, max_length=4000, description="Required for reject, refuse, "
                             "request_correction (what is missing), findings, rectification and the 告知承诺 check")
    on: date | None = Field(default=None, description="When the step was taken (default today; not in the future)")
    team: list[int] = Field(default_factory=list, max_length=50, description="assign_review: the people proposed; "
                            "anyone barred, working for or declared related to the applicant is recused")


class CaseStepOut(BaseModel):
    """One step of a case's history with the deadline of the step it opened."""

    action: str
    action_label: str
    on: date
    state: str
    due_on: date | None
    provisional: bool
    note: str | None


class AttachmentOut(BaseModel):
    """A file attached to a case (stored by its SHA-256)."""

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class CaseSummaryOut(BaseModel):
    """A case as a row of a list: state, the current step's deadline, working days left and who holds it."""

    id: int
    number: str
    kind: str
    subject_type: str
    subject_id: int | None
    procedure: str
    name: str
    state: str
    state_label: str
    due_on: date | None
    days_left: int | None = Field(description="Working days from today to the deadline (negative: overdue)")
    provisional: str | None = Field(description="Why the deadline may still move (a year without its holiday "
                                                "notice), or null")
    holder: str | None = Field(description="'applicant' when it is the applicant's turn, else the user name of the "
                                           "handler who took the last step (null: no handler yet)")
    licence_number: str | None
    verification_due_on: date | None


class CaseOut(CaseSummaryOut):
    """A case with what was applied for, its files, its steps and the actions open to the caller now."""

    application: dict[str, Any]
    missing: str | None = Field(description="补正: what is missing")
    findings: str | None
    reason: str | None
    team: dict[str, Any] | None = Field(description="The review team: members and recused, each with the reason")
    attachments: list[AttachmentOut]
    steps: list[CaseStepOut]
    actions: list[str] = Field(description="The steps the caller may take now")
