"""Routers and routes: every router is `APIRouter` from here, its routes analysed on first use, not at import.

`LazyAPIRoute`: FastAPI analyses a route when it is declared — its dependencies, parameters, body and response
models (pydantic schemas built for each) — which for certbridge's ~360 routes was about a third of the server's
start-up. A lazy route keeps only what finding it needs (path pattern, methods, name) and runs FastAPI's own
analysis, unchanged, the first time anything else is asked of it: its first request, the OpenAPI document, a
test looking at its dependencies. So a route that is never called costs nothing, and the routes and the OpenAPI
document are exactly FastAPI's.

`add_routes`: `app.include_router(router)` makes FastAPI (0.165) keep a per-app copy of every route of the router
and build each copy's dependency analysis again on the app's first requests — about a third of a second per app
for certbridge, paid by each worker at start-up and by each test. Our routers are module-level, fully configured
at import (prefix, tags, responses and router dependencies are baked into each APIRoute by the decorator), and
included with no options, so the app can hold the very same route objects instead. The one thing given up is
`app.dependency_overrides` for these routes, which certbridge does not use.
"""

from __future__ import annotations

import threading

import fastapi
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import compile_path, get_name


# What FastAPI's analysis sets on a route: its declared attributes, its ASGI app and its form limits. Asking a lazy
# route for anything else (code probing routes with getattr(route, "x", None)) must not analyse it.
ANALYSED = frozenset(name for cls in APIRoute.__mro__ for name in getattr(cls, "__annotations__", {})) | {
    "app", "form_limits"}
_ANALYSING = threading.Lock()  # one analysis at a time: a second thread asking waits for the first one's result


class LazyAPIRoute(APIRoute):
    """An APIRoute whose analysis (FastAPI's own `APIRoute.__init__`) runs when first needed, not when declared."""

    def __init__(self, path: str, endpoint, **options) -> None:
        self._deferred = (path, endpoint, options)
        # What the router needs to find the route without analysing it (set again, identically, by the analysis).
        self.path = path
        self.endpoint = endpoint
        self.name = get_name(endpoint) if options.get("name") is None else options["name"]
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)
        self.methods = {method.upper() for method in (options.get("methods") or ["GET"])}
        self.include_in_schema = options.get("include_in_schema", True)

    @property
    def analysed(self) -> bool:
        """Tell whether FastAPI has analysed the route yet."""
        return "_deferred" not in self.__dict__

    def __getattr__(self, name: str):
        # Only called for an attribute not set yet: everything but the above until the route is analysed.
        if name not in ANALYSED:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        with _ANALYSING:
            deferred = self.__dict__.get("_deferred")
            if deferred is not None:
                path, endpoint, options = deferred
                APIRoute.__init__(self, path, endpoint, **options)
                del self.__dict__["_deferred"]  # only now: another thread sees the route analysed or waits
        return object.__getattribute__(self, name)


class APIRouter(fastapi.APIRouter):
    """FastAPI's router, its routes lazy (`LazyAPIRoute`): the one router class every certbridge module uses."""

    def __init__(self, **options) -> None:
        options.setdefault("route_class", LazyAPIRoute)
        super().__init__(**options)


def add_routes(app: FastAPI, *routers: fastapi.APIRouter) -> None:
    """Append the routes of `routers` to `app`, in order, as `include_router` would place them."""
    for router in routers:
        app.router.routes.extend(router.routes)
    mark = getattr(app.router, "_mark_routes_changed", None)
    if mark is not None:  # FastAPI's cache of the app's route listing
        mark()
