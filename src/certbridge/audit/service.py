"""Record and query the audit trail. Only facts about a request are kept, never its body or credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from certbridge.audit.models import AuditRecord
from certbridge.ledger.journal import APPENDED_SEQS, LedgerEvent
from certbridge.errors import Forbidden
from certbridge.policy import require_authenticated
from certbridge.principal import Principal

OUTCOMES = ("success", "denied", "unauthenticated", "invalid", "refused", "not_found", "limited", "failed",
            "error")
_SEQS = APPENDED_SEQS  # record_events adds its seqs to this session.info list
_LEDGER_TABLE = LedgerEvent.__tablename__


@dataclass(frozen=True)
class RequestFacts:
    """What the server knows about a request without reading its body: enough to say who and from where."""

    method: str
    route: str
    path: str
    client_ip: str | None = None
    user_agent: str | None = None
    claimed_key_id: str | None = None


def facts_from_scope(scope: dict[str, Any]) -> RequestFacts:
    """Return the audit facts of an ASGI request scope (headers are read, the body never)."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    auth = headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("x-api-key", "")
    parts = (token or "").split("_", 2)
    claimed = parts[1][:16] if len(parts) == 3 and parts[0] == "cbk" and parts[1].isalnum() else None
    route = scope.get("route")
    client = scope.get("client")
    ip = (scope.get("state") or {}).get("client_ip") or (client[0] if client else None)
    path = scope.get("path", "")
    return RequestFacts(method=scope.get("method", ""), route=getattr(route, "path_format", None) or path, path=path,
                        client_ip=ip, user_agent=headers.get("user-agent"), claimed_key_id=claimed)


def outcome_for_status(status: int | None) -> str:
    """Name the outcome of a request by its HTTP status."""
    if status is None or status >= 500:
        return "error"
    if status < 400:
        return "success"
    return {401: "unauthenticated", 403: "denied", 404: "not_found", 409: "refused", 413: "invalid",
            422: "invalid", 429: "limited"}.get(status, "failed")


def track_ledger_appends(session: Session) -> None:
    """Remember the sequence numbers of ledger events this session inserts (forgotten on rollback)."""
    session.info[_SEQS] = []
    if session.info.get("audit_tracking"):
        return
    session.info["audit_tracking"] = True

    @event.listens_for(session, "do_orm_execute")
    def _on_execute(state):
        if state.is_insert and getattr(getattr(state.statement, "table", None), "name", None) == _LEDGER_TABLE:
            params = state.parameters
            rows = params if isinstance(params, list) else [params]
            session.info.setdefault(_SEQS, []).extend(r["seq"] for r in rows if isinstance(r, dict) and "seq" in r)

    @event.listens_for(session, "after_rollback")
    def _on_rollback(_session):
        session.info[_SEQS] = []


def appended_seqs(session: Session) -> list[int]:
    """Return the ledger sequence numbers appended by this session's current transaction."""
    return list(session.info.get(_SEQS, []))


def _actor_fields(principal: Principal | None, facts: RequestFacts, actor: str | None) -> dict[str, Any]:
    if principal is not None and (principal.user_id is not None or principal.role == "admin"):
        return {"actor": actor or principal.actor, "role": principal.role, "user_id": principal.user_id,
                "key_id": principal.key_id}
    if actor:
        return {"actor": actor, "role": None, "user_id": None, "key_id": facts.claimed_key_id}
    claimed = f"anonymous/key:{facts.claimed_key_id}?" if facts.claimed_key_id else "anonymous"
    return {"actor": claimed, "role": None, "user_id": None, "key_id": facts.claimed_key_id}


def record_attempt(session: Session, *, facts: RequestFacts, principal: Principal | None, action: str,
                   outcome: str, status: int | None = None, code: str | None = None,
                   seqs: list[int] | None = None, actor: str | None = None) -> None:
    """Append one audit record in the caller's transaction."""
    values = {
        **_actor_fields(principal, facts, actor),
        "action": action, "outcome": outcome, "status": status, "code": (code or None) and code[:80],
        "method": facts.method[:10], "route": facts.route[:200], "path": facts.path[:300],
        "client_ip": (facts.client_ip or None) and facts.client_ip[:64],
        "user_agent": (facts.user_agent or None) and facts.user_agent[:300],
        "seq_first": min(seqs) if seqs else None, "seq_last": max(seqs) if seqs else None,
    }
    values["actor"] = values["actor"][:120]
    session.execute(insert(AuditRecord).values(**values))


def list_records(session: Session, *, principal: Principal, actor: str | None = None, since: datetime | None = None,
                 until: datetime | None = None, action: str | None = None, outcome: str | None = None,
                 client_ip: str | None = None, after_id: int = 0, limit: int = 50) -> list[AuditRecord]:
    """List audit records, oldest first (regulators and admins only)."""
    require_authenticated(principal)
    if not principal.is_regulator:
        raise Forbidden("auth.regulator_only")
    stmt = select(AuditRecord).where(AuditRecord.id > after_id)
    if actor:
        stmt = stmt.where((AuditRecord.actor == actor) | AuditRecord.actor.startswith(actor + "/", autoescape=True)
                          | AuditRecord.actor.startswith(actor + ":", autoescape=True))
    if since is not None:
        stmt = stmt.where(AuditRecord.at >= since)
    if until is not None:
        stmt = stmt.where(AuditRecord.at < until)
    if action:
        stmt = stmt.where(AuditRecord.action == action)
    if outcome:
        stmt = stmt.where(AuditRecord.outcome == outcome)
    if client_ip:
        stmt = stmt.where(AuditRecord.client_ip == client_ip)
    return list(session.scalars(stmt.order_by(AuditRecord.id).limit(limit)))
