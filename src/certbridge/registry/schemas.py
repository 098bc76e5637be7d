"""Registry input and output shapes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from certbridge.kit.input_model import CleanInput


def _refuse_null(value):
    # PATCH: leaving a field out keeps it; an explicit null must not blank a field that cannot be empty.
    if value is None:
        raise PydanticCustomError("null_not_allowed", "this field cannot be null; leave it out to keep it")
    return value


class IdentifierIO(CleanInput):
    """An organization identifier."""

    scheme: Literal["uscc", "org_code", "reg_no", "vat", "lei", "duns"]
    value: str = Field(min_length=1, max_length=40)


class OrganizationIn(CleanInput):
    """An organization to register."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["北海市海城区示例电子有限公司"])
    uscc: str | None = Field(default=None, max_length=40, examples=["91350100M000100Y43"])
    address: str | None = Field(default=None, max_length=300)
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    name_en: str | None = Field(default=None, max_length=300)
    industry: str | None = Field(default=None, max_length=80)
    identifiers: list[IdentifierIO] = Field(default_factory=list, max_length=20)


class OrganizationPatch(CleanInput):
    """Changes to an organization (only the fields given change)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    uscc: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    name_en: str | None = Field(default=None, max_length=300)
    industry: str | None = Field(default=None, max_length=80)
    identifiers: list[IdentifierIO] | None = Field(default=None, max_length=20)

    _not_null = field_validator("name", "identifiers", mode="before")(_refuse_null)


class OrganizationOut(BaseModel):
    """An organization as the public sees it."""

    id: int
    name: str
    name_en: str | None
    uscc: str | None
    uscc_needs_check: bool = Field(description="Code failed its checksum; kept, flagged for manual check")
    address: str | None
    region_code: str | None
    industry: str | None
    merged_into_id: int | None
    identifiers: list[IdentifierIO]
    flags: list[str] = Field(default_factory=list, description="Lists the organization is on now")


class MergeIn(CleanInput):
    """Merge a duplicate into this organization."""

    model_config = ConfigDict(extra="forbid")

    source_id: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=500)


class BodyIn(CleanInput):
    """A certification body's approval."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=20, examples=["00126"])
    approval_number: str = Field(min_length=1, max_length=30, examples=["CNCA-R-2002-126"])
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=300)
    fields: list[str] = Field(min_length=1, max_length=40, examples=[["SYS-QMS"]])
    approved_on: date
    valid_until: date | None = None
    uscc: str | None = Field(default=None, max_length=40)
    foreign_invested: bool = False
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    address: str | None = Field(default=None, max_length=300)
    legal_representative_id_number: str | None = Field(
        default=None, max_length=40, description="The legal representative's ID or passport number; stored only "
        "as a keyed hash, so a permanently exited representative's new application is refused.")


class BodyPatch(CleanInput):
    """Changes to a body's particulars or approved fields."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=300)
    fields: list[str] | None = Field(default=None, min_length=1, max_length=40)
    valid_until: date | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    address: str | None = Field(default=None, max_length=300)

    _not_null = field_validator("name", "fields", mode="before")(_refuse_null)


class BodyStatusIn(CleanInput):
    """A change of a body's approval status."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["approved", "suspended", "revoked", "withdrawn"]
    reason: str = Field(min_length=1, max_length=1000)
    on: date | None = Field(default=None, description="Date of the decision (default today; never in the future). "
                                                       "A revoked body's certificates stay valid for their scheme's "
                                                       "grace period from this date")


class BodyOut(BaseModel):
    """A certification body in the public directory."""

    id: int
    code: str
    approval_number: str
    name: str
    name_en: str | None
    uscc: str | None
    foreign_invested: bool
    region_code: str | None
    address: str | None
    status: str
    status_reason: str | None
    approved_on: date
    valid_until: date | None
    fields: list[str]


class CapabilityIO(CleanInput):
    """A lab capability."""

    category: str = Field(min_length=1, max_length=120)
    item: str = Field(min_length=1, max_length=200)
    standard: str | None = Field(default=None, max_length=120)


class LabIn(CleanInput):
    """A lab's qualification."""

    model_config = ConfigDict(extra="forbid")

    cma_number: str = Field(min_length=1, max_length=30, examples=["241500340123"])
    name: str = Field(min_length=1, max_length=200)
    qualified_on: date
    valid_until: date | None = None
    uscc: str | None = Field(default=None, max_length=40)
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    address: str | None = Field(default=None, max_length=300)
    capabilities: list[CapabilityIO] = Field(default_factory=list, max_length=2000)


class LabPatch(CleanInput):
    """Changes a lab makes to its record (status and validity: regulators only)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    capabilities: list[CapabilityIO] | None = Field(default=None, max_length=2000)
    status: Literal["valid", "suspended", "revoked", "expired"] | None = None
    valid_until: date | None = None

    _not_null = field_validator("name", "capabilities", "status", "valid_until", mode="before")(_refuse_null)


class LabOut(BaseModel):
    """A lab in the public directory."""

    id: int
    cma_number: str
    name: str
    uscc: str | None
    region_code: str | None
    address: str | None
    legal_representative: str | None = None  # public; the ID document is never shown
    status: str
    qualified_on: date
    valid_until: date
    capabilities: list[CapabilityIO]


class RegistrationIO(CleanInput):
    """A person's registration."""

    number: str = Field(min_length=1, max_length=40)
    field: str | None = Field(default=None, max_length=20)
    level: str | None = Field(default=None, max_length=20)
    status: Literal["valid", "revoked", "expired"] = "valid"
    valid_until: date | None = None


class PersonIn(CleanInput):
    """A person to register."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    kind: Literal["auditor", "inspector", "expert"]
    body_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    employer: str | None = Field(default=None, max_length=200)
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    registrations: list[RegistrationIO] = Field(default_factory=list, max_length=20)
    id_number: str | None = Field(
        default=None, max_length=40, description="National ID (18 characters, GB 11643) or passport number; "
        "stored only as a keyed hash, so a barred person is recognized under a new record.")


class IdDocumentIn(CleanInput):
    """The ID document of a person registered without one."""

    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(min_length=1, max_length=40)


class PersonOut(BaseModel):
    """A person in the directory."""

    id: int
    name: str
    kind: str
    body_id: int | None
    employer: str | None
    region_code: str | None
    registrations: list[RegistrationIO]


class RevokeRegistrationIn(CleanInput):
    """Revoke a registration."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000)


class GradeOut(BaseModel):
    """A grade (level) or sector variant of a scheme."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: str = Field(description="grade | sector")
    rank: int = Field(description="Grades: higher is better")
    name: str
    name_en: str


class GradeIn(BaseModel):
    """A grade or sector variant to define."""

    code: str = Field(max_length=30)
    kind: Literal["grade", "sector"] = "grade"
    rank: int = Field(default=0, ge=0, le=100)
    name: str = Field(max_length=120)
    name_en: str = Field(max_length=200)


class SchemeOut(BaseModel):
    """A scheme and its configurable rules."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    name_en: str
    kind: str
    field_code: str
    mandatory: bool
    validity_years: int
    max_suspension_months: int
    surveillance_interval_months: int
    reapply_block_months: int
    body_revoked_grace_months: int
    grades: list[GradeOut] = Field(default_factory=list, description="Grades and sector variants certificates "
                                                                      "of the scheme may carry")


class StandardIn(CleanInput):
    """A standard version to publish."""

    model_config = ConfigDict(extra="forbid")

    scheme_code: str = Field(min_length=1, max_length=20)
    code: str = Field(min_length=1, max_length=60)
    version: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=200)
    published_on: date | None = None
    supersedes_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    transition_deadline: date | None = None


class StandardOut(BaseModel):
    """A standard version."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    scheme_code: str
    code: str
    version: str
    title: str
    published_on: date | None
    transition_deadline: date | None
    superseded_by_id: int | None


class RegionOut(BaseModel):
    """A GB/T 2260 region."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: str
    parent_code: str | None
    full_name: str


class RestrictionIn(CleanInput):
    """A bar to impose."""

    model_config = ConfigDict(extra="forbid")

    subject_type: Literal["body", "person", "organization"]
    subject_id: int = Field(ge=1, le=2**31 - 1)
    kind: Literal["barred", "dishonesty_list", "reapplication_block", "lifetime_ban", "permanent_exit"]
    reason: str = Field(min_length=1, max_length=1000)
    starts_on: date
    ends_on: date | None = None
    source: str | None = Field(default=None, max_length=120)


class RestrictionOut(BaseModel):
    """A bar and its period."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    subject_type: str
    subject_id: int
    kind: str
    reason: str
    starts_on: date
    ends_on: date | None
    lifted_on: date | None
    source: str | None


class UsccCheckOut(BaseModel):
    """The verdict on a 统一社会信用代码."""

    code: str
    status: Literal["valid", "invalid", "checksum_failed"]
    messages: list[str]
    warnings: list[str]
