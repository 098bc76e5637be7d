"""Sending the outbox of signed messages to the peers in the background: every `federation_outbox_seconds`, in
the one process that leads the job "federation-outbox", in a worker thread (never on the event loop)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from certbridge.federation.assistance_outbox import send_outbox
from certbridge.kit.periodic import add_background, repeat

log = logging.getLogger(__name__)


def send_once(app: FastAPI) -> int:
    """Send every due message once; return how many the peers took."""
    return send_outbox(app.state.sessions, settings=app.state.settings, http=app.state.federation_http)


async def _send(app: FastAPI, stop: asyncio.Event) -> None:
    settings = app.state.settings
    await repeat(stop, lambda: send_once(app), delay=lambda: settings.federation_outbox_seconds,
                 first_delay=min(settings.federation_outbox_seconds, 1.0), log=log, what="federation outbox")


def install(app: FastAPI) -> None:
    """Send the outbox in the background (app.state.federation_outbox = False: off); needs background.install."""
    app.state.federation_outbox = True
    add_background(app, _send, enabled=lambda application: application.state.federation_outbox,
                   leader="federation-outbox")
