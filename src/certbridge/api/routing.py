"""Adding a module's router to an app: its routes themselves, shared by every app the process builds.

`app.include_router(router)` makes FastAPI (0.165) keep a per-app copy of every route of the router and build
each copy's dependency analysis again on the app's first requests — about a third of a second per app for
certbridge, paid by each worker at start-up and by each test. Our routers are module-level, fully configured at
import (prefix, tags, responses and router dependencies are baked into each APIRoute by the decorator), and
included with no options, so the app can hold the very same route objects instead. The one thing given up is
`app.dependency_overrides` for these routes, which certbridge does not use.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI


def add_routes(app: FastAPI, *routers: APIRouter) -> None:
    """Append the routes of `routers` to `app`, in order, as `include_router` would place them."""
    for router in routers:
        app.router.routes.extend(router.routes)
    mark = getattr(app.router, "_mark_routes_changed", None)
    if mark is not None:  # FastAPI's cache of the app's route listing
        mark()
