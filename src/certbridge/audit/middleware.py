"""ASGI middleware that audits what the write transaction could not: refused writes, sign-ins and sign-outs.

A successful write is audited inside its own transaction by `api.deps.db_write` (so the record and the ledger
events commit together). Everything else that tried to change something — denied, invalid, failed, a sign-in
or sign-out whatever its outcome — is recorded here after the response, in a transaction of its own.

A page handler can say more than the status tells by setting, on `request.state`:
`audit_action` ("login"/"logout"), `audit_outcome` ("success", "failed" …) and `audit_actor` (e.g.
"user:5:alice"; only for a user that exists — never the typed username of a failed attempt, which may be a
password typed in the wrong box).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import anyio

from certbridge.audit.service import facts_from_scope, outcome_for_status, record_attempt
from certbridge.db import write_session

log = logging.getLogger("certbridge.audit")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUDIT_WAIT_SECONDS = 60.0  # the client has its answer already; the record may wait longer than a request would


class AuditMiddleware:
    """Record every write attempt not committed with its own audit row, and every sign-in and sign-out."""

    def __init__(self, app, *, login_paths: list[str], logout_paths: list[str]) -> None:
        self.app = app
        self.login = [re.compile(p) for p in login_paths]
        self.logout = [re.compile(p) for p in logout_paths]

    def _action(self, method: str, path: str) -> str | None:
        if any(p.search(path) for p in self.logout):
            return "logout"
        if method == "POST" and any(p.search(path) for p in self.login):
            return "login"
        return "write" if method in WRITE_METHODS else None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        action = self._action(scope["method"], scope["path"])
        if action is None:
            await self.app(scope, receive, send)
            return
        seen: dict[str, Any] = {"status": None, "cookie": False}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                seen["cookie"] = any(k.lower() == b"set-cookie" for k, _ in message.get("headers", []))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            await self._record(scope, action, 500, False)
            raise
        await self._record(scope, action, seen["status"], seen["cookie"])

    async def _record(self, scope, action: str, status: int | None, set_cookie: bool) -> None:
        state = scope.get("state") or {}
        if action == "write" and state.get("audit_recorded"):
            return
        action = state.get("audit_action") or action
        outcome = state.get("audit_outcome") or outcome_for_status(status)
        if action == "login" and not state.get("audit_outcome") and status is not None and status < 400:
            # A page that signs in redirects with a session cookie; one that re-shows the form failed.
            outcome = "success" if set_cookie else "failed"
        elif action == "login" and status in (400, 401, 422):
            outcome = "failed"
        facts = facts_from_scope(scope)
        principal = state.get("principal")
        actor = state.get("audit_actor")
        sessions = scope["app"].state.sessions

        def write() -> None:
            with write_session(sessions) as session:
                record_attempt(session, facts=facts, principal=principal, action=action, outcome=outcome,
                               status=status, code=state.get("audit_code"), actor=actor)

        gate = getattr(scope["app"].state, "writer_gate", None)
        try:
            if gate is None:
                await anyio.to_thread.run_sync(write)
            else:  # a writer slot like any write (security/writers.py); waited for on the loop, not in a thread
                async with gate.slot(AUDIT_WAIT_SECONDS):
                    await anyio.to_thread.run_sync(write)
        except Exception:  # the response is already out; losing one refused attempt must not break it
            log.exception("could not write the audit record of %s %s", facts.method, facts.path)
