"""Pages: my watches and their notifications (console), the Atom feed for people, and the open-data page
(bulk files, licence, field dictionary)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.opendata.feeds import watches
from certbridge.opendata.feeds.bulk_build import LICENCE, list_days
from certbridge.opendata.feeds.bulk_tables import dictionary
from certbridge.opendata.feeds.changes import latest_public_events
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, form_values_of, optional, text
from certbridge.web.guards import signed_in
from certbridge.web.i18n import request_language
from certbridge.web.nav import NavEntry, add_nav_entry
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
ATOM_ENTRIES = 100
FORM_FIELDS = ("kind", "target", "label", "webhook_url", "email")


def _page(request: Request, db, *, errors: dict | None = None, values: dict | None = None, status_code: int = 200,
          new_secret: str | None = None):
    principal = signed_in(request)
    return render(request, "feeds/watches.html", {
        "watches": watches.list_watches(db, principal=principal), "new_secret": new_secret,
        "notes": watches.notifications(db, principal=principal),
        "errors": errors or {}, "values": values or {"kind": "certificate"},
    }, status_code=status_code, headers={"Cache-Control": "no-store"})


@router.get("/account/watches")
def watches_page(request: Request, db: ReadDB):
    """List the user's watches and notifications with a form to add a watch."""
    return _page(request, db)


@router.post("/account/watches")
def add_watch(request: Request, form: PostedForm, db: ReadDB):
    """Add a watch; a refused form keeps what was typed."""
    principal = signed_in(request)
    values = form_values_of(form, FORM_FIELDS)
    try:
        with write_session(request.app.state.sessions) as wdb:
            watch = watches.add_watch(wdb, principal=principal, kind=text(form, "kind"), target=text(form, "target"),
                                      label=text(form, "label"), webhook_url=optional(form, "webhook_url"),
                                      email=optional(form, "email"),
                                      allow_private_targets=request.app.state.settings.feeds_webhook_allow_private)
            secret = watch.secret
    except DomainError as exc:
        labels = {"target": t(request, "Watched record"), "webhook_url": t(request, "Webhook URL"),
                  "email": t(request, "E-mail"), "kind": t(request, "What to watch")}
        return _page(request, db, errors=domain_errors(exc, request_language(request), labels), values=values,
                     status_code=exc.status)
    if secret and watch.webhook_url:  # the signing secret is shown once, like an API key's token
        return _page(request, db, new_secret=secret, status_code=201)
    return redirect(request, "/account/watches", flash=t(request, "The watch is added."))


@router.post("/account/watches/{watch_id}/stop")
def stop_watch(request: Request, watch_id: int):
    """Stop one of the user's watches."""
    principal = signed_in(request)
    with write_session(request.app.state.sessions) as wdb:
        watches.stop_watch(wdb, principal=principal, watch_id=watch_id)
    return redirect(request, "/account/watches", flash=t(request, "The watch is stopped."))


@router.get("/open-data")
def open_data_page(request: Request):
    """Show the change feed, the daily bulk files, their licence and the field dictionary."""
    return render(request, "feeds/open_data.html", {
        "days": list_days(request.app.state.settings)[:30], "licence": LICENCE, "tables": dictionary()})


@router.get("/feed.atom")
def atom_feed(request: Request, db: ReadDB):
    """Return the newest public events as an Atom feed."""
    base = str(request.base_url).rstrip("/")
    events = latest_public_events(db, limit=ATOM_ENTRIES)
    updated = events[0].at.isoformat() if events else "1970-01-01T00:00:00+00:00"
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
             "<title>certbridge 公开变更 / public changes</title>", f"<id>{escape(base)}/feed.atom</id>",
             f'<link rel="self" href="{escape(base)}/feed.atom"/>', f"<updated>{updated}</updated>"]
    for e in events:
        parts.append(
            f"<entry><id>{escape(base)}/api/v1/ledger/events/{e.seq}</id>"
            f"<title>#{e.seq} {escape(e.type)} {escape(e.subject_type)}:{escape(e.subject_id)}</title>"
            f"<updated>{e.at.isoformat()}</updated><author><name>{escape(e.actor)}</name></author>"
            f'<link href="{escape(base)}/api/v1/ledger/events/{e.seq}"/>'
            f'<content type="text">{escape(e.body)}</content></entry>')
    parts.append("</feed>")
    return Response("\n".join(parts), media_type="application/atom+xml; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=60"})


def install(app: FastAPI) -> None:
    """Mount the pages and add the header links."""
    add_routes(app, router)
    add_nav_entry(NavEntry("/open-data", "Open data", order=60))
    add_nav_entry(NavEntry("/account/watches", "Watches", roles=(
        "admin", "regulator", "cb_operator", "lab_operator", "inspector", "organization"), area="account", order=20))
