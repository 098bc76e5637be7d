"""One Jinja2 environment for every page, and render(): the context each template can rely on."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape

from certbridge.i18n.catalog import has_message
from certbridge.i18n.catalog import render as render_message
from certbridge.web import csrf, i18n, people_words
from certbridge.web.nav import visible_entries
from certbridge.web.static_assets import static_url

TEMPLATES = Path(__file__).parent / "templates"  # the kit's own: base.html, macros.html, error.html
# Every capability's templates (`certbridge/<capability>/templates/`), searched after the kit's; names stay
# unique by their folder (portal/, cb/, regulator/, supervision/ …).
CAPABILITY_TEMPLATES = sorted(p for p in Path(__file__).parents[1].glob("*/templates") if p != TEMPLATES)
FLASH_COOKIE = "cb_flash"
LANG_COOKIE_DAYS = 365


@pass_context
def _msg(context, code: str, **params: Any) -> str:
    """Render a domain message code (status.valid, verify.valid …) in the page language."""
    return render_message(code, context.get("lang") or "zh", **params)


@pass_context
def _msg_or(context, code: str, fallback: str) -> str:
    return _msg(context, code) if has_message(code) else fallback


def query_url(base: str, params: dict[str, Any], **changes: Any) -> str:
    """Return base?params with some changed; empty values are left out."""
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return base + ("?" + urlencode(merged) if merged else "")


@cache
def environment() -> Environment:
    """Return the shared template environment (the kit's templates, then every capability's; gettext installed)."""
    env = Environment(loader=FileSystemLoader([str(TEMPLATES), *map(str, CAPABILITY_TEMPLATES)]), autoescape=select_autoescape(["html", "xml"]),
                      trim_blocks=True, lstrip_blocks=True)
    i18n.install_gettext(env)
    env.globals.update(msg=_msg, msg_or=_msg_or, query_url=query_url, static_url=static_url)
    people_words.install(env)
    return env


def cookie_secure(request: Request) -> bool:
    """Tell whether cookies get the Secure flag: settings.cookie_secure (auto|always|never), auto = https."""
    mode = getattr(request.app.state, "web_cookie_secure", None) or getattr(
        request.app.state.settings, "cookie_secure", "auto")
    if mode in (True, "always", "true", "1"):
        return True
    if mode in (False, "never", "false", "0"):
        return False
    return request.url.scheme == "https"


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.settings.resolved_secret_key(), salt="certbridge.flash")


def _read_flashes(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        items = _serializer(request).loads(raw)
    except BadSignature:
        return []
    return [i for i in items if isinstance(i, dict)][:5]


FLASH_COOKIE_BYTES = 3800  # browsers keep 4 KB per cookie; values that do not fit are not echoed


def redirect(request: Request, url: str, *, flash: str | None = None, kind: str = "success",
             form: dict[str, str] | None = None, field: str | None = None,
             action: str | None = None, fields: dict[str, str] | None = None) -> RedirectResponse:
    """Redirect after a POST (303), carrying a one-time message to show on the next page.

    A refused form passes what the user typed (``form``) and the field the error is about (``field``): the
    next page fills its inputs back in and shows the message next to that field (or each message of
    ``fields`` next to its own); ``action`` (the form's
    target path) tells which form of the page it was. The longest values are left out when everything
    would not fit in the cookie.
    """
    response = RedirectResponse(url, status_code=303)
    if flash:
        item: dict[str, object] = {"kind": kind, "text": flash}
        if field:
            item["field"] = field
        if action:
            item["action"] = action
        if fields:
            item["fields"] = {str(k): str(v) for k, v in fields.items()}
        value = _serializer(request).dumps([item])
        kept = dict(form or {})
        while kept:
            candidate = _serializer(request).dumps([{**item, "form": kept}])
            if len(candidate) <= FLASH_COOKIE_BYTES:
                value = candidate
                break
            kept.pop(max(kept, key=lambda key: len(kept[key])))
        response.set_cookie(FLASH_COOKIE, value, httponly=True, samesite="lax", secure=cookie_secure(request),
                            path="/")
    return response


def page_context(request: Request) -> dict[str, Any]:
    """Return what every template sees: language, who is signed in, nav, CSRF token, flashes."""
    from certbridge.api.deps import current_principal

    name_of = getattr(request.app.state, "session_user_name", None)  # set by the sign-in capability
    lang = i18n.request_language(request)
    principal = current_principal(request)
    path = request.url.path
    here = path + (("?" + request.url.query) if request.url.query else "")
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    back = query_url(path, params)
    flashes = _read_flashes(request)
    return {
        "request": request, "lang": lang, "other_lang": "en" if lang == "zh" else "zh",
        "principal": principal, "user_name": name_of(request) if name_of else None, "path": path, "here": here,
        "lang_switch_url": query_url("/lang/" + ("en" if lang == "zh" else "zh"), {"next": back}),
        "nav": visible_entries(principal, path), "csrf_token": csrf.csrf_token(request),
        "flashes": flashes, "today": date.today(), "params": params,
        "integrity_warning": _integrity_warning(request, lang),
        "refill": lambda action: refill(flashes, action),
    }


def _integrity_warning(request: Request, lang: str) -> str | None:
    """Return the integrity warning while the monitor reports the log damaged (see ledger/integrity.py)."""
    sound = getattr(request.app.state, "integrity", None)
    if sound is None or sound.ok:
        return None
    from certbridge.i18n.catalog import render as render_message

    return render_message("integrity.warning", lang)


def refill(flashes: list[dict], action: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return (values, errors by field) of the refused form posted to ``action``, else two empty dicts.

    Templates: ``{% set fv, fe = refill("/regulator/supervision/plans") %}`` then
    ``m.field("name", label, fv.get("name", ""), fe)``.
    """
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for item in flashes:
        if item.get("action") != action:
            continue
        form = item.get("form")
        if isinstance(form, dict):
            values.update({k: v for k, v in form.items() if isinstance(k, str) and isinstance(v, str)})
        if isinstance(item.get("field"), str):
            errors[item["field"]] = str(item.get("text", ""))
        if isinstance(item.get("fields"), dict):
            errors.update({str(k): str(v) for k, v in item["fields"].items()})
    return values, errors


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render a page template with the shared context; remembers ?lang= in the cookie."""
    ctx = page_context(request)
    ctx.update(context or {})
    html = environment().get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    secure = cookie_secure(request)
    if request.query_params.get("lang") in ("zh", "en") and request.cookies.get(i18n.COOKIE) != ctx["lang"]:
        response.set_cookie(i18n.COOKIE, ctx["lang"], max_age=LANG_COOKIE_DAYS * 86400, samesite="lax",
                            secure=secure, path="/")
    if ctx["flashes"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    csrf.set_anonymous_cookie(request, response, secure=secure)
    response.headers.setdefault("Cache-Control", "no-store" if ctx["principal"].user_id else "no-cache")
    response.headers.setdefault("Content-Language", "zh-CN" if ctx["lang"] == "zh" else "en")
    return response


def t(request: Request, message: str, **variables: Any) -> str:
    """Translate a page message in Python code, in the request's language."""
    return i18n.gettext(i18n.request_language(request), message, **variables)
