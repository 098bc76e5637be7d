"""The console's 监管互认 panel: per peer, the switch and the button; the peers' mirrored spot-check results and
penalties with their source label (来自 <peer> 的抽查结果) and whether they count here."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session

from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.federation.peers import list_peers
from certbridge.federation.recognition import recognition_states, recognized_records, set_recognition
from certbridge.i18n.catalog import render as message
from certbridge.web.guards import regulator
from certbridge.web.page_actions import form_done, page_language, require_form_token
from certbridge.web.posted import PostedForm

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_form_token)])
CONSOLE = "/regulator/federation"


def recognition_context(session: Session, lang: str) -> dict[str, Any]:
    """Return what the console's 监管互认 panel shows."""
    states = recognition_states(session)
    return {"recognition": [{"id": p.id, "name": p.name, "label": p.label, "on": states.get(p.id, False)}
                            for p in list_peers(session)],
            "recognized": recognized_records(session, lang=lang)}


@router.post("/regulator/federation/peers/{peer_id}/recognition")
def switch_recognition(request: Request, form: PostedForm, peer_id: Id):
    """Switch 监管互认 with a peer on or off from the console."""
    principal = regulator(request)
    on = form.get("recognize") == "on"
    try:
        with write_session(request.app.state.sessions) as session:
            done = set_recognition(session, principal=principal, peer_id=peer_id, on=on)
    except DomainError as exc:
        return form_done(request, CONSOLE, exc, form)
    text = message("recognition.switched_" + ("on" if on else "off"), page_language(request), peer=done["label"],
                   counted=done["counted"])
    return form_done(request, CONSOLE, success=text)


def install(app: FastAPI) -> None:
    """Mount the switch's form route."""
    add_routes(app, router)
