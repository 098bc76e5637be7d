"""The lean path: the hottest public reads answered in front of FastAPI, with the same defences and answers.

A verification or a name search costs little in itself (tens to hundreds of microseconds), but through the full
stack it also pays for eight ASGI middlewares, FastAPI's routing, dependency solving (each sync dependency a
trip to the thread pool), the endpoint's own trip to the pool and the validation of the answer it just built
against its response model. `LeanReads`, mounted outermost (inside only Starlette's error middleware), answers
a few public reads itself (each a `LeanRoute`: verify by number, verify by 统一社会信用代码, the name search) and
hands every other request, untouched, to the full stack.

What a lean answer keeps, so that a client cannot tell the two paths apart (tests/security/test_lean_reads.py
compares status, headers in order and body bytes, on both backends):
- the client address behind trusted proxies, the rate limit of the `lookup` class and API keys' quotas (the
  very same buckets, in-process or in Redis: `Defences` holds the middlewares' own policies), with their
  RateLimit-* headers, 429 and 503 refusals;
- replica routing with read-your-writes and the `Certbridge-Read-From` / `Certbridge-Checkpoint` labels;
- the security headers; errors rendered by the application's own exception handlers (problem+json in the
  caller's language); the endpoint's own answer, built by the same code (`LeanRoute.answer`);
- the OpenAPI document, which still comes from the FastAPI routes (they stay, and answer what is not lean).

A request takes the lean path only when it is plain: a GET (not HEAD) of the exact path, no body announced
(`Content-Length`, `Transfer-Encoding`), no NUL character in the query (the body-limit middleware's 422), no
`root_path`, and parameters the route's `prepare` accepts; anything else — malformed parameters, options the
lean answer does not cover (sort, total, filters) — goes to FastAPI, which answers (or refuses) it as before.
That choice is made before any token is taken, so no request is counted twice. The audit middleware records
nothing for these GETs, nor do the write followers, the writer gate or the ledger's integrator: they are
skipped because they would do nothing. At first use each lean route checks that FastAPI's router would send its
path to the endpoint it stands for; if not (a route added in front of it), that route is never taken lean.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

log = logging.getLogger(__name__)

LOOKUP = "lookup"  # security/coverage.py's class of the public look-ups (each route's is checked, see `_serves`)


@dataclass(frozen=True)
class Defences:
    """The request defences' own policies (security/install.py), for the lean path to apply the same way."""

    client: Any  # ClientAddressMiddleware: client_ip(scope)
    limit: Any  # RateLimitMiddleware: enabled, admit(scope, send, class), resolver(scope)
    headers: Any  # SecurityHeadersMiddleware: headers_for(scope), secured(message, wanted)
    routing: Any | None  # ReadRoutingMiddleware when a replica is configured: public_read_needs(scope), labels(state)
    is_lookup: Callable[[Any, str], bool]  # (app, path): the limiter counts a GET of the path as a public look-up


@dataclass(frozen=True)
class LeanRoute:
    """A public read answered on the lean path.

    `path`: the exact path, or a prefix ending in "/" followed by one path segment (then handed to `prepare`).
    `endpoint`: the FastAPI endpoint function serving the same path (the lean answer stands for it).
    `prepare(request, segment)`: return what `answer` needs, or None to let FastAPI answer this request; pure and
    cheap (no I/O, nothing counted), since it runs before the rate limit.
    `answer(request, prepared)`: the answer, as the endpoint's — may raise what the endpoint raises.
    """

    path: str
    endpoint: Callable
    prepare: Callable[[Request, str | None], Any]
    answer: Callable[[Request, Any], Awaitable[Response]]

    def sample_path(self) -> str:
        """Return a path this route answers, to ask FastAPI's router which endpoint serves it."""
        return self.path + "0" if self.path.endswith("/") else self.path


class LeanReads:
    """ASGI middleware answering the `LeanRoute`s itself, the rest through the full application."""

    def __init__(self, app, *, routes: tuple[LeanRoute, ...]) -> None:
        self.app = app
        self.exact = {r.path: r for r in routes if not r.path.endswith("/")}
        self.prefixed = [r for r in routes if r.path.endswith("/")]
        self._checked: dict[str, bool] = {}  # path -> FastAPI serves it with the route's endpoint, as a look-up
        self._handlers: tuple[dict, dict] | None = None
        self.answered: dict[str, int] = {r.path: 0 for r in routes}  # lean answers by route (tests, diagnostics)

    def _route(self, path: str) -> tuple[LeanRoute | None, str | None]:
        route = self.exact.get(path)
        if route is not None:
            return route, None
        for route in self.prefixed:
            if path.startswith(route.path):
                segment = path[len(route.path):]
                if segment and "/" not in segment:
                    return route, segment
        return None, None

    def _serves(self, app, route: LeanRoute) -> bool:
        """Tell whether FastAPI's router sends the route's path to its endpoint, and the limiter counts it a look-up."""
        ok = self._checked.get(route.path)
        if ok is None:
            path = route.sample_path()
            probe = {"type": "http", "method": "GET", "path": path, "root_path": ""}
            found = None
            for candidate in app.router.routes:
                match, _ = candidate.matches(probe)
                if match == Match.FULL:
                    found = candidate
                    break
            defences = getattr(app.state, "defences", None)
            ok = (found is not None and getattr(found, "endpoint", None) is route.endpoint and defences is not None
                  and defences.is_lookup(app, path))
            if not ok:
                log.warning("lean path off for %s: the application serves it otherwise", route.path)
            self._checked[route.path] = ok
        return ok

    def _handler(self, app, exc: Exception):
        """Return the application's handler for an exception, as Starlette's exception middleware picks it."""
        if self._handlers is None:
            by_status = {k: v for k, v in app.exception_handlers.items() if isinstance(k, int)}
            by_class = {k: v for k, v in app.exception_handlers.items()
                        if not isinstance(k, int) and k is not Exception}
            self._handlers = (by_status, by_class)
        by_status, by_class = self._handlers
        if isinstance(exc, HTTPException) and exc.status_code in by_status:
            return by_status[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in by_class:
                return by_class[cls]
        return None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        route, segment = self._route(scope["path"])
        if route is None or not _plain(scope):
            await self.app(scope, receive, send)
            return
        app = scope["app"]
        if not self._serves(app, route):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        prepared = route.prepare(request, segment)
        if prepared is None:
            await self.app(scope, receive, send)
            return
        await self._answer(app, route, request, prepared, send)

    async def _answer(self, app, route: LeanRoute, request: Request, prepared, send) -> None:
        scope = request.scope
        defences: Defences = app.state.defences
        state = scope.setdefault("state", {})
        state["client_ip"] = defences.client.client_ip(scope)
        wanted = defences.headers.headers_for(scope)
        secured = defences.headers.secured

        async def send_secured(message):
            if message["type"] == "http.response.start":
                message = secured(message, wanted)
            await send(message)

        limited: list[tuple[bytes, bytes]] = []
        if defences.limit.enabled:
            taken = await defences.limit.admit(scope, send_secured, LOOKUP)
            if taken is None:  # refused: the 429 or 503 is sent
                return
            limited = taken
        routing = defences.routing
        if routing is not None:
            state["replica_needs"] = routing.public_read_needs(scope)
        try:
            response = await route.answer(request, prepared)
        except Exception as exc:
            handler = self._handler(app, exc)
            if handler is None:
                raise
            response = await handler(request, exc) if is_async_callable(handler) else await run_in_threadpool(
                handler, request, exc)
            exc.__traceback__ = None  # as Starlette does: a reused exception must not accumulate tracebacks
        self.answered[route.path] += 1

        headers = response.raw_headers + limited if routing is None else (
            response.raw_headers + routing.labels(state) + limited)
        present = {k.lower() for k, _ in headers}  # as `secured` adds the security headers the answer lacks
        headers += [(k, v) for k, v in wanted if k not in present]
        start = {"type": "http.response.start", "status": response.status_code, "headers": headers}
        body = getattr(response, "body", None)
        if body is None or response.background is not None:  # streamed, or work after it: as Starlette sends it

            async def send_answer(message):
                await send(start if message["type"] == "http.response.start" else message)

            await response(scope, request.receive, send_answer)
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})


def _plain(scope) -> bool:
    """Tell whether a GET is plain: no body announced, no NUL character in its query (the full stack refuses it)."""
    for name, _ in scope["headers"]:
        if name.lower() in (b"content-length", b"transfer-encoding"):
            return False
    query = scope.get("query_string", b"")
    return b"%00" not in query and b"\x00" not in query and "\x00" not in scope["path"]


def install(app, routes: tuple[LeanRoute, ...]) -> None:
    """Mount the lean path in front of every other middleware of `app` (call after all of them are added)."""
    app.add_middleware(LeanReads, routes=routes)


def shaper(model) -> Callable[[dict], dict]:
    """Return a function laying out a dict as `model` serialises it: its fields in order, defaults filled in, nested
    models (alone, in a list or optional) laid out alike, keys it does not declare left out — what a response model
    does to an answer built in its shape, without validating it again."""
    from types import NoneType, UnionType  # noqa: PLC0415
    from typing import Union, get_args, get_origin  # noqa: PLC0415

    from pydantic import BaseModel  # noqa: PLC0415

    def nested(annotation):
        origin, args = get_origin(annotation), get_args(annotation)
        if origin in (Union, UnionType):
            inner = [a for a in args if a is not NoneType]
            if len(inner) == 1:
                return nested(inner[0])
        if origin is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            one = shaper(args[0])
            return lambda values: [one(v) for v in values]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return shaper(annotation)
        return None

    plan = []
    for name, field in model.model_fields.items():
        default = None if field.is_required() else field.get_default(call_default_factory=True)
        plan.append((field.serialization_alias or field.alias or name, name, field.is_required(), default,
                     nested(field.annotation)))
    flat = all(inner is None for *_, inner in plan)

    def shape(value: dict) -> dict:
        out = {}
        for key, name, required, default, inner in plan:
            if name in value:
                item = value[name]
            elif required:
                raise KeyError(f"{model.__name__}.{name}")
            else:
                item = default
            out[key] = inner(item) if inner is not None and item is not None else item
        return out

    if flat and all(key == name for key, name, *_ in plan) and all(required for _, _, required, *_ in plan):
        names = [name for _, name, *_ in plan]
        return lambda value: {name: value[name] for name in names}
    return shape
