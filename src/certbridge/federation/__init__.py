"""Federation between certbridge instances (issue #21, part 1): peers connected by exchanged keys, each peer's
public data followed through its change feed and proven complete against its signed checkpoints, and searches
that include the peers' certificates with their source."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the federation console page and start following the peers in the background."""
    from certbridge.federation import background, pages, recognition_pages

    pages.install(app)
    recognition_pages.install(app)
    background.install(app)
