"""What a bulk batch is made of: organizations, certificates with their audits and status steps (plain data).

Kept apart from `bulk` (which builds and writes batches) and `bulk_rules` (which validates them), so each
of those imports this module and neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(slots=True)
class OrganizationSpec:
    """An organization to register (its USCC becomes its first identifier)."""

    uscc: str
    name: str
    address: str | None = None
    region_code: str | None = None
    industry: str | None = None


@dataclass(slots=True)
class AuditSpec:
    """An audit with its team: (person id, registration number, role), sorted by person id when written."""

    kind: str
    method: str
    start_on: date
    end_on: date
    auditors: list[tuple[int, str, str]]


@dataclass(slots=True)
class StatusStep:
    """One lifecycle change after issue, as `workflow` would record it."""

    status: str
    on: date
    reason: str
    until: date | None = None  # end of a suspension
    extra: dict[str, Any] | None = None  # {"cause": "holder"}, {"renewed_by_number": ...}


@dataclass(slots=True)
class CertificateSpec:
    """A certificate cycle and what happened to it: audits (the first at issue) and status steps."""

    number: str
    body_id: int
    organization: int  # index into the batch's organizations, or -(existing id) for one already stored
    scheme_code: str
    standard_id: int | None
    issued_on: date
    expires_on: date
    holder_name: str
    holder_address: str | None
    region_code: str | None
    scope: str
    audits: list[AuditSpec]
    steps: list[StatusStep] = field(default_factory=list)
    previous: int | None = None  # index of the previous cycle in this batch (a renewal)
    scope_en: str | None = None
    product: dict[str, Any] | None = None
    certification_mode: str | None = None
    grade: str | None = None
    sites: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
