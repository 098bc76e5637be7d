"""Refusals the middleware sends before the application runs: problem+json for the API, a short page otherwise."""

from __future__ import annotations

import html
import json
from http.cookies import SimpleCookie

from certbridge.i18n.catalog import pick_language, render

PROBLEM_TYPE = "https://certbridge.org/problems/"


def request_language(scope, default: str = "zh") -> str:
    """Return zh or en for a raw request: ?lang=, then the lang cookie, then Accept-Language."""
    query = scope.get("query_string", b"").decode("latin-1")
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == "lang" and value in ("zh", "en"):
            return value
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header must not break a refusal
        cookie = SimpleCookie()
    if "lang" in cookie and cookie["lang"].value in ("zh", "en"):
        return cookie["lang"].value
    return pick_language(headers.get("accept-language"), default)


def _wants_html(scope) -> bool:
    if scope.get("path", "").startswith("/api/"):
        return False
    accept = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"accept"), "")
    return "text/html" in accept


async def send_refusal(scope, send, *, status: int, code: str, headers: dict[str, str] | None = None,
                       field: str | None = None, **params) -> None:
    """Send a refusal in the caller's language without running the application."""
    lang = request_language(scope)
    detail = render(code, lang, **params)
    title = render(f"title.{status}", lang)
    if _wants_html(scope):
        body = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
                f"</head><body><h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p></body></html>").encode()
        content_type = b"text/html; charset=utf-8"
    else:
        errors = [{"field": field, "code": code, "message": detail}] if field else []
        body = json.dumps({"type": PROBLEM_TYPE + code, "title": title, "status": status, "detail": detail,
                           "code": code, "errors": errors}, ensure_ascii=False).encode()
        content_type = b"application/problem+json"
    raw = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
