"""A request's query values and language read straight from the ASGI scope, as Starlette's `Request` reads them.

For the busiest public read (GET /verify, on the lean path and behind FastAPI alike): Starlette builds a
`QueryParams` (urllib's `parse_qsl`, a multi-dict), a `Headers` object and a cookie jar for every request, ~10 µs
of a verification's Python before any work is done. These read the same values from the scope in one pass each,
with the same rules (tests/security/test_query_values.py compares them with Starlette's on awkward inputs):
- the query string decoded as Latin-1, split on "&", each part on its first "=", parts without a value kept as
  empty, empty parts skipped, "+" and %-escapes decoded as UTF-8 (errors replaced); the last value of a name wins;
- Accept-Language is the first such header, decoded as Latin-1; the `lang` cookie is read from every Cookie header
  in turn (a later one wins) by Starlette's own cookie parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote

from starlette.requests import cookie_parser

from certbridge.i18n.catalog import pick_language


def query_values(scope) -> dict[str, str]:
    """Return the query's values by name (the last one of a repeated name), as `request.query_params.get` sees them."""
    raw = scope.get("query_string", b"")
    if not raw:
        return {}
    out: dict[str, str] = {}
    for part in raw.decode("latin-1").split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in name or "+" in name:
            name = unquote(name.replace("+", " "))
        if "%" in value or "+" in value:
            value = unquote(value.replace("+", " "))
        out[name] = value
    return out


def scope_language(scope, query: Mapping[str, str], default: str) -> str:
    """Return the caller's language: ?lang=, then the lang cookie, then Accept-Language, else `default`."""
    lang = query.get("lang")
    if lang in ("zh", "en"):
        return lang
    cookies, accept = [], None
    for key, value in scope["headers"]:
        if key == b"cookie":
            cookies.append(value)
        elif key == b"accept-language" and accept is None:
            accept = value
    if not lang and cookies:
        jar: dict[str, str] = {}
        for cookie in cookies:
            jar.update(cookie_parser(cookie.decode("latin-1")))
        lang = jar.get("lang")
        if lang in ("zh", "en"):
            return lang
    return pick_language(accept.decode("latin-1") if accept is not None else None, default)
