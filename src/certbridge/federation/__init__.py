"""Federation between certbridge instances (issue #21): peers connected by exchanged keys, each peer's
public data followed through its change feed and proven complete against its signed checkpoints, and searches
that include the peers' certificates with their source."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the federation pages (console, 执法互助, 监管互认), follow the peers and send the outbox of messages
    to them in the background."""
    from certbridge.federation import assistance_background, background, pages, pages_assistance, recognition_pages

    pages.install(app)
    pages_assistance.install(app)
    recognition_pages.install(app)
    background.install(app)
    assistance_background.install(app)
