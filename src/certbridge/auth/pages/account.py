"""A signed-in user's API keys: create (the token is shown once), list, revoke."""

from __future__ import annotations

from fastapi import Depends, Request

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter
from certbridge.auth.service import create_api_key, list_api_keys, revoke_api_key
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, text
from certbridge.web.guards import signed_in
from certbridge.web.i18n import request_language
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def _page(request: Request, db, *, new_token: str | None = None, errors: dict | None = None, status_code=200):
    principal = signed_in(request)
    keys = list_api_keys(db, principal=principal, user_id=principal.user_id)
    return render(request, "account/keys.html", {"keys": keys, "new_token": new_token, "errors": errors or {},
                                                 "values": {}}, status_code=status_code,
                  headers={"Cache-Control": "no-store"})


@router.get("/account/keys")
def keys_page(request: Request, db: ReadDB):
    """List the user's API keys with a form to create one."""
    return _page(request, db)


@router.post("/account/keys")
def create_key(request: Request, form: PostedForm, db: ReadDB):
    """Create a key and show its token this one time."""
    principal = signed_in(request)
    try:
        with write_session(request.app.state.sessions) as wdb:
            new = create_api_key(wdb, principal=principal, user_id=principal.user_id, name=text(form, "name")[:100],
                                 read_only=bool(form.get("read_only")))
            token = new.token
    except DomainError as exc:
        lang = request_language(request)
        return _page(request, db, errors=domain_errors(exc, lang, {"name": t(request, "Key name")}),
                     status_code=exc.status)
    return _page(request, db, new_token=token)


@router.post("/account/keys/{key_id}/revoke")
def revoke_key(request: Request, key_id: str):
    """Revoke one of the user's keys; programs using it stop working at once."""
    principal = signed_in(request)
    with write_session(request.app.state.sessions) as wdb:
        revoke_api_key(wdb, principal=principal, key_id=key_id[:16])
    return redirect(request, "/account/keys", flash=t(request, "Key %(key)s is revoked.", key=key_id[:16]))
