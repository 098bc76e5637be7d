"""Security schemes in the OpenAPI document: the API key (bearer or X-API-Key) per operation; sessions for pages.

An operation that depends on `api.deps.authenticated_principal` requires a key; one that depends on
`current_principal` accepts a key or nobody (`{}`: anonymous allowed, the key widens what is shown); the
rest are public and carry no security. The `session` cookie scheme is described for completeness: it is how
pages sign in, and the JSON API accepts it for reads only.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from certbridge.api.deps import authenticated_principal, current_principal

SCHEMES = {
    "apiKey": {"type": "http", "scheme": "bearer", "bearerFormat": "cbk_<key id>_<secret>",
               "description": "API key: `Authorization: Bearer cbk_…` (created with `certbridge keys create` or "
                              "POST /api/v1/users/{user_id}/keys). Each key has its own rate quota (docs/api.md)."},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                     "description": "The same API key in an X-API-Key header."},
    "session": {"type": "apiKey", "in": "cookie", "name": "cb_session",
                "description": "The pages' sign-in session (POST /login). For the web pages; the JSON API "
                               "accepts it for reads only — writes need an API key."},
}
KEY = [{"apiKey": []}, {"apiKeyHeader": []}]


def _needs(dependant, seen=None) -> str | None:
    """Return "required", "optional" or None: how an endpoint's dependencies use the caller's identity."""
    found = None
    for dep in dependant.dependencies:
        if dep.call is authenticated_principal:
            return "required"
        if dep.call is current_principal:
            found = "optional"
        deeper = _needs(dep)
        if deeper == "required":
            return deeper
        found = found or deeper
    return found


def operation_security(app: FastAPI) -> dict[tuple[str, str], str]:
    """Return {(method, path): "required" | "optional"} for every operation that looks at the caller."""
    out = {}
    for rc in iter_route_contexts(app.routes):
        dependant = getattr(rc.route, "dependant", None)
        if dependant is None:
            continue
        need = _needs(dependant)
        if need:
            for method in rc.methods or ():
                out[(method.lower(), rc.path)] = need
    return out


def document_security(app: FastAPI) -> None:
    """Wrap app.openapi so the document declares the key and session schemes and each operation's security."""
    original = app.openapi

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {})["securitySchemes"] = SCHEMES
        needs = operation_security(app)
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                need = needs.get((method, path))
                if need == "required":
                    operation["security"] = list(KEY)
                elif need == "optional":
                    operation["security"] = [{}, *KEY]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
