"""Pure ASGI middleware: client address, body limit with write retries, security headers (limits: limiter.py)."""

from __future__ import annotations

import ipaddress
import logging
import random
from typing import Any
from urllib.parse import parse_qsl

import anyio
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from certbridge.security.responses import send_refusal

log = logging.getLogger("certbridge.security")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03", "23505"}  # serialization, deadlock, lock timeout, unique race


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class ClientAddressMiddleware:
    """Resolve the client's address, believing X-Forwarded-For only from configured proxies."""

    def __init__(self, app, *, trusted_proxies: list[str]) -> None:
        self.app = app
        self.proxies = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def _trusted(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in net for net in self.proxies)

    def client_ip(self, scope) -> str | None:
        """Return the client's address of a request (also used by the lean path, security/lean.py)."""
        client = scope.get("client")
        ip = client[0] if client else None
        forwarded = _header(scope, b"x-forwarded-for") if self.proxies else None
        if ip and forwarded and self._trusted(ip):
            # Walk from the nearest hop back; the first untrusted address is the client.
            for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
                ip = hop
                if not self._trusted(hop):
                    break
        return ip

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["client_ip"] = self.client_ip(scope)
        await self.app(scope, receive, send)


def _nul_field(scope, body: bytes) -> str | None:
    """Name the part of a request holding a NUL character, which no text field may hold (PostgreSQL refuses it)."""
    query = scope.get("query_string", b"")
    if b"%00" in query.lower() or b"\x00" in query:
        for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if "\x00" in key or "\x00" in value:
                return key.replace("\x00", "") or "query"
        return "query"
    if "\x00" in scope.get("path", ""):
        return "path"
    content_type = (_header(scope, b"content-type") or "").lower()
    if "json" in content_type and (b"\\u0000" in body or b"\x00" in body):
        return "request"
    return None


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        return _retryable(exc.exceptions[0])
    if isinstance(exc, (StaleDataError, IntegrityError)):
        return True
    if isinstance(exc, DBAPIError):
        if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        text = str(exc.orig).lower()
        return "database is locked" in text or "database is busy" in text
    return False


def _busy(exc: BaseException) -> bool:
    return _retryable(exc) and not isinstance(exc, (IntegrityError, StaleDataError))


class BodyLimitRetryMiddleware:
    """Refuse bodies over the limit (413); re-run a write that lost a lock or uniqueness race.

    The body is buffered (within the limit) so a write can be replayed. A replay starts from scratch in a new
    transaction — the failed attempt was rolled back whole — and after the race its second run usually ends
    in the proper domain answer (e.g. 409 "number taken") instead of a server error.
    """

    def __init__(self, app, *, max_body_bytes: int, retries: int) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.retries = retries

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        max_mb = max(1, self.max_body // (1024 * 1024))
        if length is not None and (not length.strip().isdigit() or int(length) > self.max_body):
            await send_refusal(scope, send, status=413, code="request.too_large", max_mb=max_mb)
            return
        body = None  # a read announcing no body (the public look-ups): nothing to buffer, nothing to replay
        if scope["method"] in WRITE_METHODS or length is not None or _header(scope, b"transfer-encoding"):
            chunks, size = [], 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body:
                    await send_refusal(scope, send, status=413, code="request.too_large", max_mb=max_mb)
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
        bad_field = _nul_field(scope, body or b"")
        if bad_field:
            await send_refusal(scope, send, status=422, code="request.nul_character", field=bad_field, name=bad_field)
            return
        attempts = 1 + (self.retries if scope["method"] in WRITE_METHODS else 0)
        for attempt in range(attempts):
            retry = await self._attempt(scope, receive, send, body, attempt == attempts - 1)
            if not retry:
                return
            await anyio.sleep(random.uniform(0.01, 0.05) * (attempt + 1))

    async def _attempt(self, scope, receive, send, body: bytes | None, last: bool) -> bool:
        """Run the app once (with the buffered body, if any); return True if it should run again."""
        state: dict[str, Any] = {"started": False, "body_sent": body is None}

        async def replay():
            if not state["body_sent"]:
                state["body_sent"] = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        scope.setdefault("state", {}).pop("audit_recorded", None)
        try:
            await self.app(scope, replay, send_wrapper)
            return False
        except Exception as exc:
            if state["started"] or not _retryable(exc):
                raise
            if not last:
                log.info("retrying %s %s after %s", scope["method"], scope["path"], type(exc).__name__)
                return True
            if _busy(exc):
                await send_refusal(scope, send, status=503, code="request.busy", headers={"Retry-After": "1"})
                return False
            raise


class SecurityHeadersMiddleware:
    """Add security headers to every response that does not set its own."""

    def __init__(self, app, *, csp: str, docs_csp: str, hsts_max_age: int, https_public_url: bool) -> None:
        self.app = app
        self.csp, self.docs_csp = csp.encode(), docs_csp.encode()
        self.hsts = f"max-age={hsts_max_age}; includeSubDomains".encode() if hsts_max_age else None
        self.https_public_url = https_public_url
        self._wanted_by_case: dict[tuple[bool, bool, bool], tuple[tuple[bytes, bytes], ...]] = {}

    def _wanted(self, docs: bool, https: bool, credentialed: bool) -> tuple[tuple[bytes, bytes], ...]:
        """Return the headers a response of this kind gets (built once per kind)."""
        key = (docs, https, credentialed)
        found = self._wanted_by_case.get(key)
        if found is None:
            wanted = [
                (b"content-security-policy", self.docs_csp if docs else self.csp),
                (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"strict-origin-when-cross-origin"),
                (b"x-frame-options", b"DENY"),
                (b"cross-origin-opener-policy", b"same-origin"),
                (b"permissions-policy", b"camera=(self), microphone=(), geolocation=(), payment=()"),
            ]
            if https and self.hsts:
                wanted.append((b"strict-transport-security", self.hsts))
            if credentialed:
                wanted.append((b"cache-control", b"no-store"))
            found = self._wanted_by_case[key] = tuple(wanted)
        return found

    def headers_for(self, scope) -> tuple[tuple[bytes, bytes], ...]:
        """Return the security headers the answer to a request gets, unless it sets them itself."""
        path = scope.get("path", "")
        docs = path in ("/docs", "/redoc", "/docs/oauth2-redirect")
        https = scope.get("scheme") == "https" or self.https_public_url
        credentialed = any(k.lower() in (b"authorization", b"x-api-key") for k, _ in scope.get("headers", []))
        return self._wanted(docs, https, credentialed)

    @staticmethod
    def secured(message, wanted: tuple[tuple[bytes, bytes], ...]):
        """Return a response-start message with the `wanted` headers it does not set itself appended."""
        headers = list(message.get("headers", []))
        present = {k.lower() for k, _ in headers}
        headers += [(k, v) for k, v in wanted if k not in present]
        return {**message, "headers": headers}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.headers_for(scope)

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                message = self.secured(message, wanted)
            await send(message)

        await self.app(scope, receive, send_wrapper)
