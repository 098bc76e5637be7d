"""Input and output shapes of certificates (Pydantic v2), shared by the API, forms and importer."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from certbridge.kit.input_model import CleanInput


class HolderIn(CleanInput):
    """The certified organization as the certificate names it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["北海市银海区示例食品有限公司"])
    uscc: str | None = Field(default=None, max_length=40, examples=["91450500MA5KXXXXX0"])
    address: str | None = Field(default=None, max_length=300)
    region_code: str | None = Field(default=None, max_length=6, examples=["450503"])
    name_en: str | None = Field(default=None, max_length=300)
    country: str | None = Field(default=None, max_length=2, examples=["DE"],
                                description="ISO 3166-1 alpha-2 of a foreign holder (no USCC then); default CN")
    foreign_id: str | None = Field(default=None, max_length=36, examples=["HRB 12345"],
                                   description="A foreign holder's id in its home register (required abroad)")


class SiteIn(CleanInput):
    """A certified site."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    region_code: str | None = Field(default=None, max_length=6)
    scope: str | None = Field(default=None, max_length=4000)


class AuditorIn(CleanInput):
    """An auditor on an audit, by registration number."""

    model_config = ConfigDict(extra="forbid")

    registration_number: str = Field(min_length=1, max_length=40)
    role: Literal["leader", "member", "expert"] = "member"


class AuditIn(CleanInput):
    """An audit and its team."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["initial", "surveillance", "recertification", "special"]
    method: Literal["FS01", "FS02", "FS03"] = "FS01"
    start_on: date
    end_on: date
    auditors: list[AuditorIn] = Field(default_factory=list, max_length=50)


class ProductIn(CleanInput):
    """Product particulars required on product certificates."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    model: str | None = Field(default=None, max_length=500)
    specification: str | None = Field(default=None, max_length=500)
    trademark: str | None = Field(default=None, max_length=100)
    manufacturer: str | None = Field(default=None, max_length=200)
    factory: str | None = Field(default=None, max_length=200)


class CertificateIn(CleanInput):
    """A certificate to issue."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=60, examples=["00126Q35682R1M/4500"])
    scheme: str = Field(min_length=1, max_length=20, examples=["QMS"])
    standard_code: str | None = Field(default=None, max_length=60, examples=["GB/T 19001"])
    standard_version: str | None = Field(default=None, max_length=20, examples=["2016"])
    holder: HolderIn
    scope: str = Field(min_length=1, max_length=4000, examples=["食品用包装材料的生产"])
    scope_en: str | None = Field(default=None, max_length=4000)
    product: ProductIn | None = None
    certification_mode: str | None = Field(default=None, max_length=60)
    grade: str | None = Field(default=None, max_length=30, description="A grade or sector variant the scheme "
                              "defines (GET /api/v1/schemes lists them)")
    issued_on: date
    expires_on: date | None = Field(default=None, description="Defaults to issue date + the scheme's validity.")
    sites: list[SiteIn] = Field(default_factory=list, max_length=500)
    audits: list[AuditIn] = Field(default_factory=list, max_length=100)
    accreditation_body: str | None = Field(default=None, max_length=20, examples=["CNAS"],
                                           description="Issued under accreditation by this accreditation body "
                                                       "(GET /api/v1/accreditation-bodies)")
    accreditation_number: str | None = Field(default=None, max_length=40, examples=["CNAS C001-M"],
                                             description="The issuing body's accreditation number")
    country: str | None = Field(default=None, max_length=2, examples=["VN"],
                                description="Where the certified organization is, when abroad (a Chinese body's "
                                            "overseas certificate, or a foreign body's); default CN")


class StatusChangeIn(CleanInput):
    """A lifecycle action's particulars."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, examples=["监督审核未按期实施"])
    on: date | None = Field(default=None, description="Effective date; defaults to today.")
    until: date | None = Field(default=None, description="Suspension end; defaults to the scheme maximum.")
    cause: Literal["holder", "body_revoked", "other"] = Field(
        default="holder", description="Withdrawal cause; decides the re-application block."
    )
    expected_version: int | None = Field(default=None, description="Refuse if the certificate changed since.")


class RenewIn(CleanInput):
    """A renewal: a new cycle linked to the old certificate."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=60)
    issued_on: date
    expires_on: date | None = None
    scope: str | None = Field(default=None, max_length=4000)
    audits: list[AuditIn] = Field(default_factory=list, max_length=100)


class TransferIn(CleanInput):
    """Taking over a certificate of a body whose approval was revoked or withdrawn, within its grace period."""

    model_config = ConfigDict(extra="forbid")

    certificate_id: int = Field(ge=1, le=2**31 - 1, description="The certificate of the revoked body")
    number: str = Field(min_length=1, max_length=60, description="Its number at the receiving body")
    issued_on: date = Field(description="The receiving body's decision date")
    expires_on: date | None = Field(default=None, description="Defaults to the old certificate's end (same cycle)")
    scope: str | None = Field(default=None, max_length=4000)
    audits: list[AuditIn] = Field(default_factory=list, max_length=100, description="The transfer review")


class ScopeChangeIn(CleanInput):
    """A change of scope (extension or reduction)."""

    model_config = ConfigDict(extra="forbid")

    scope: str = Field(min_length=1, max_length=4000)
    scope_en: str | None = Field(default=None, max_length=4000)
    sites: list[SiteIn] | None = None
    reason: str = Field(min_length=1, max_length=1000)
    expected_version: int | None = None


class BodyRef(BaseModel):
    """The issuing body as a verifier sees it."""

    id: int
    code: str
    name: str
    approval_number: str
    status: str = Field(description="approved | suspended | revoked | withdrawn")
    country: str | None = Field(default=None, description="A foreign body's country (None: a Chinese body)")


class HolderRef(BaseModel):
    """The holder as a verifier sees it."""

    name: str
    uscc: str | None
    organization_id: int
    region_code: str | None
    flags: list[str] = Field(description="Lists the holder is on now, e.g. dishonesty_list")
    country: str | None = Field(default=None, description="A foreign holder's country (None: China)")


class AccreditationRef(BaseModel):
    """Under which accreditation a certificate was issued, and whether an MLA/MRA signatory covers it."""

    body: str = Field(description="The accreditation body's code, e.g. CNAS, UKAS")
    body_name: str | None
    body_name_en: str | None
    number: str | None = Field(description="The issuing body's accreditation number")
    covered: bool = Field(description="True if the accreditation body is an IAF MLA / ILAC MRA signatory for the "
                                      "certificate's scope on the date of the answer")
    arrangement: str | None = Field(description="IAF MLA | ILAC MRA (the arrangement of the deciding scope)")
    main_scope: str | None = Field(description="17021-1 (management systems) | 17065 (products, services) …")
    sub_scope: str | None = Field(description="QMS, EMS … (management systems)")
    label: str = Field(description="The verdict on accreditation in the caller's language")


class BrandRef(BaseModel):
    """A regional-brand label (区域品牌) a regulator let the certificate carry."""

    code: str
    name: str
    name_en: str | None


class VerdictReason(BaseModel):
    """One reason of a certificate's effective status (docs/effective-status.md)."""

    code: str = Field(description="e.g. expired, standard_transition_over, body_revoked, uscc_unverified")
    params: dict = Field(description="The reason's dates and names")
    text: str = Field(description="The reason in the caller's language")


class CertificateSummary(BaseModel):
    """A certificate's public particulars and current status."""

    id: int
    number: str
    status: str = Field(description="Effective status today: valid | suspended | withdrawn | cancelled | expired "
                                    "(dates and the issuing body count, even before the daily sweep records them)")
    status_meaning: str = Field(description="What the status means, in the caller's language")
    status_reason: str | None
    status_changed_on: date
    suspended_until: date | None
    valid_now: bool = Field(description="True only if valid today; suspended counts as not valid")
    recorded_status: str = Field(description="The status as last recorded by an event (differs from status only "
                                             "until the sweep records a date-driven change)")
    reasons: list[VerdictReason] = Field(description="Why the status is what it is, and warnings (first the "
                                                     "status's own reason, then warnings)")
    scheme: str
    grade: str | None = Field(default=None, description="The grade or sector variant of a graded scheme")
    issued_on: date
    expires_on: date
    cycle: int
    scope: str
    holder: HolderRef
    body: BodyRef
    country: str | None = Field(default=None, description="Where the certified organization is, when abroad")
    accreditation: AccreditationRef | None = Field(default=None, description="Absent: not under accreditation")
    brand: BrandRef | None = None


class VerificationOut(BaseModel):
    """The answer to a verification query."""

    outcome: Literal["valid", "not_valid", "not_found"]
    reason: str = Field(description="valid, holder_listed, valid_with_warnings, suspended, withdrawn, cancelled, expired, none_valid, "
                                    "no_such_number, no_such_number_from_body, unknown_body, unknown_organization, "
                                    "organization_has_no_certificates")
    message: str = Field(description="The outcome explained in the caller's language")
    query: dict
    certificates: list[CertificateSummary]
    integrity_warning: str | None = Field(None, description="Present while this server's integrity monitor finds "
                                                            "its log damaged: the answer cannot serve as proof")


class SiteOut(SiteIn):
    """A certified site."""


class AuditorOut(BaseModel):
    """An auditor on an audit."""

    person_id: int
    registration_number: str
    role: str


class AuditOut(BaseModel):
    """An audit with its team."""

    kind: str
    method: str
    start_on: date
    end_on: date
    auditors: list[AuditorOut]


class CertificateDetail(CertificateSummary):
    """A certificate with everything public about it."""

    version: int = Field(description="Changes on every write; pass as expected_version to avoid lost updates")
    standard: str | None
    holder_address: str | None
    scope_en: str | None
    product: dict | None
    certification_mode: str | None
    previous_id: int | None
    last_surveillance_on: date | None
    sites: list[SiteOut]
    audits: list[AuditOut]
    allowed_actions: list[str]


class HistoryEntry(BaseModel):
    """One event in a certificate's history."""

    seq: int = Field(description="Leaf index in the traceability log")
    type: str
    actor: str
    at: str
    data: dict
