"""Pages: the regulators' federation console (peers, proven sizes, findings) and the public search of the
peers' certificates, each answer with its source instance and checkpoint."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter, add_routes
from certbridge.errors import DomainError
from certbridge.federation.peers import identity, list_peers
from certbridge.federation.recognition_pages import recognition_context
from certbridge.federation.search import search_peers
from certbridge.web.guards import regulator
from certbridge.web.i18n import request_language
from certbridge.web.slots import fill_slot
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry
from certbridge.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/regulator/federation")
def federation_console(request: Request, db: ReadDB):
    """List the peers this instance follows: proven checkpoint, last contact, any finding; and our identity."""
    regulator(request)
    return render(request, "federation/console.html", {
        "peers": list_peers(db), "me": identity(request.app.state.settings),
        **recognition_context(db, request_language(request))},
        headers={"Cache-Control": "no-store"})


@router.get("/federation/search")
def peer_search(request: Request, db: ReadDB, q: str = ""):
    """Search the peers' certificates by number, USCC or holder name."""
    q = q.strip()[:100]
    items, error = [], None
    if q:
        try:
            items = search_peers(db, q)
        except DomainError as exc:
            error = exc.message(request_language(request))
    return render(request, "federation/search.html", {"q": q, "items": items, "error": error,
                                                      "peers": list_peers(db)})


def _peer_items(*, session: Session, q: str) -> dict[str, Any]:
    return {"peer_items": search_peers(session, q)}


def install(app: FastAPI) -> None:
    """Mount the pages, add the console link, and answer the certificate search's `?peers=true`."""
    add_routes(app, router)
    fill_slot("certificates.peer_search", _peer_items)
    add_nav_entry(NavEntry("/regulator/federation", "Federation", roles=REGULATORS, area="regulator", order=85))
