"""Watch-lists with push, the public change feed and the signed daily bulk files (issue #20, part B)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the bulk files' worker processes import this package: no web framework for them
    from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the bulk-file downloads and the feed pages, and start the deliverer and the daily bulk-file job."""
    from certbridge.api.routing import add_routes
    from certbridge.opendata.feeds import api, background, pages

    add_routes(app, api.files_router)
    pages.install(app)
    background.install(app)
