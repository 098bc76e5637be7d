"""The audit trail endpoint: regulators query who did what, from where, and which ledger entries it made."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from certbridge.api.deps import AuthedPrincipal, ReadDB
from certbridge.api.pagination import Page, decode_cursor, next_cursor
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.audit.service import OUTCOMES, list_records
from certbridge.errors import InvalidInput

ISO_TIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$"


def _time(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("audit.bad_since", field=field, name=field) from None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed


router = APIRouter(prefix="/api/v1", tags=["audit"], responses=PROBLEM_RESPONSES)


class AuditRecordOut(BaseModel):
    """One audited request. Bodies, query strings and credentials are never kept."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    action: str = Field(description="write | login | logout")
    outcome: str = Field(description="success | denied | unauthenticated | invalid | refused | not_found | "
                                     "limited | failed | error")
    actor: str = Field(description="user:<id>:<username>[/key:<key id>], system, or anonymous")
    role: str | None
    user_id: int | None
    key_id: str | None = Field(description="The API key used (its public id, never its secret)")
    client_ip: str | None
    user_agent: str | None
    method: str
    route: str = Field(description="The route template, e.g. /api/v1/certificates/{certificate_id}/suspend")
    path: str
    status: int | None = Field(description="HTTP status; null when it committed inside the write transaction")
    code: str | None
    seq_first: int | None = Field(description="First ledger entry this write appended")
    seq_last: int | None = Field(description="Last ledger entry this write appended")


@router.get("/audit", response_model=Page[AuditRecordOut], summary="Audit trail (regulators)")
def audit_trail(
    db: ReadDB, principal: AuthedPrincipal,
    actor: Annotated[str | None, Query(max_length=120, description="user:<id>:<username>, or a prefix such as user:5")] = None,
    since: Annotated[str | None, Query(pattern=ISO_TIME, description="Only records at or after this time (ISO 8601)",
                                       examples=["2026-11-21T08:00:00Z"])] = None,
    until: Annotated[str | None, Query(pattern=ISO_TIME, description="Only records before this time (ISO 8601)")] = None,
    action: Literal["write", "login", "logout"] | None = None,
    outcome: Annotated[str | None, Query(max_length=20, pattern="^(" + "|".join(OUTCOMES) + ")$")] = None,
    client_ip: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """List audit records, oldest first, a page at a time (regulators and admins)."""
    records = list_records(db, principal=principal, actor=actor, since=_time(since, "since"), until=_time(until, "until"),
                           action=action,
                           outcome=outcome, client_ip=client_ip, after_id=decode_cursor(cursor), limit=limit)
    return {"items": records, "next_cursor": next_cursor([r.id for r in records], limit)}
