"""Which database a request reads from when a replica is configured, and what the answer says about it.

A public read (a GET of a route in the `lookup` class: verify, search, statistics, tiles, proofs, directories)
is marked in the request's state with the WAL position its client must see: the primary's position after the
client's last write, remembered per client (API key, sign-in session, else address) and carried by the client
itself (the `cb_lsn` cookie, or a `Certbridge-Min-LSN` header an API client echoes from `Certbridge-Write-LSN`)
so that another server process honours it too. `api.deps.db_read` (and the verify path on the loop) then reads
from the replica only if it has replayed that far. After every write request the primary's position is taken
(in a worker thread) and handed back to the client. Public answers carry `Certbridge-Checkpoint` (the size of
the latest checkpoint in the database that answered) and `Certbridge-Read-From` (replica or primary).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser

from certbridge.replicas import Replica, client_key, format_lsn, parse_lsn, primary_lsn
from certbridge.security.coverage import LOOKUP, READS, WRITES, RouteResolver, request_class

LSN_COOKIE = "cb_lsn"
LSN_HEADER = b"certbridge-min-lsn"
SESSION_COOKIE = "cb_session"  # web.csrf.SESSION_COOKIE: who signed in (only its hash is kept here)


def _client(scope, headers: dict[bytes, bytes], cookies: dict[str, str]) -> str:
    """Return the key a client's writes are remembered under: its API key, its session, else its address."""
    auth = headers.get(b"authorization", b"").decode("latin-1")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get(b"x-api-key", b"").decode(
        "latin-1")
    if token:
        return client_key("key:" + token)
    if cookies.get(SESSION_COOKIE):
        return client_key("session:" + cookies[SESSION_COOKIE])
    return client_key("address:" + str((scope.get("state") or {}).get("client_ip") or (scope.get("client") or
                                                                                        ("",))[0]))


class ReadRoutingMiddleware:
    """Mark public reads for the replica, hand writers their position, label public answers."""

    def __init__(self, app, *, replica: Replica, primary) -> None:
        self.app = app
        self.replica = replica
        self.primary = primary
        self._resolver: RouteResolver | None = None

    async def __call__(self, scope, receive, send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or (method not in READS and method not in WRITES):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        cookies = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
        state = scope.setdefault("state", {})
        key = _client(scope, headers, cookies)
        if method in READS:
            if self._resolver is None:
                self._resolver = RouteResolver.for_app(scope["app"])
            template = self._resolver.resolve(method, scope["path"])
            if request_class(method, template, scope.get("query_string", b"")) == LOOKUP:
                state["replica_needs"] = max(self.replica.needed_lsn(key), parse_lsn(cookies.get(LSN_COOKIE)),
                                             parse_lsn(headers.get(LSN_HEADER, b"").decode("latin-1")))

        async def send_labelled(message):
            if message["type"] == "http.response.start":
                extra = []
                if method in WRITES and message["status"] < 400:
                    lsn = await run_in_threadpool(primary_lsn, self.primary)
                    self.replica.remember_write(key, lsn)
                    text = format_lsn(lsn)
                    extra += [(b"certbridge-write-lsn", text.encode()),
                              (b"set-cookie", f"{LSN_COOKIE}={text}; Path=/; Max-Age="
                                              f"{int(self.replica.sticky_seconds)}; HttpOnly; SameSite=Lax".encode())]
                source = state.get("read_from")
                if source is not None:
                    extra.append((b"certbridge-read-from", source.encode()))
                    # 0: no checkpoint signed yet
                    extra.append((b"certbridge-checkpoint", str(state.get("checkpoint") or 0).encode()))
                if extra:
                    message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, send_labelled)
