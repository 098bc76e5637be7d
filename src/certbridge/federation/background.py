"""Following the peers in the background: every `federation_follow_seconds`, one round per active peer (in a
worker thread, never on the event loop). The HTTP client is made on first use and closed at shutdown."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from certbridge.federation.follow import active_peer_ids, sync_peer
from certbridge.kit.lazy_http import LazyClient
from certbridge.kit.periodic import add_background, repeat

log = logging.getLogger(__name__)


def follow_once(app: FastAPI) -> int:
    """Run one round with every active peer; return how many public events were mirrored."""
    mirrored = 0
    for peer_id in active_peer_ids(app.state.sessions):
        mirrored += sync_peer(app.state.sessions, peer_id, http=app.state.federation_http).new_events
    return mirrored


async def _follow(app: FastAPI, stop: asyncio.Event) -> None:
    settings = app.state.settings
    try:
        await repeat(stop, lambda: follow_once(app), delay=lambda: settings.federation_follow_seconds,
                     first_delay=min(settings.federation_follow_seconds, 5.0), log=log, what="federation round")
    finally:
        app.state.federation_http.close()


def install(app: FastAPI) -> None:
    """Give the app its peer HTTP client and follow the peers (app.state.federation_follower = False: off)."""
    app.state.federation_http = LazyClient(timeout=app.state.settings.federation_timeout_seconds,
                                           follow_redirects=False)
    app.state.federation_follower = True
    add_background(app, _follow, enabled=lambda application: application.state.federation_follower,
                   leader="federation-follow")
