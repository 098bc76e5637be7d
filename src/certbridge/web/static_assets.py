"""Static files with content hashes: `/static/certbridge.css?v=<hash>` is cached forever, anything else revalidated.

Pages link assets through `static_url(name)`, which appends the first 16 hex digits of the file's SHA-256
(read once per process). A request whose `v` matches the file's current hash gets
`Cache-Control: public, max-age=31536000, immutable`, so a browser, proxy or CDN keeps it for a year and a new
release (new bytes, new hash, new URL) is fetched at once; a request without it (or with an old hash) gets
`no-cache`, so it is revalidated with its ETag.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"


@lru_cache(maxsize=64)
def content_hash(name: str) -> str:
    """Return the content hash of a static file (16 hex digits), read once per process."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:16]


def static_url(name: str) -> str:
    """Return the URL of a static file with its content hash."""
    return f"/static/{name}?v={content_hash(name)}"


class HashedStaticFiles(StaticFiles):
    """Static files that say `immutable` when asked for by their content hash."""

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            query = scope.get("query_string", b"").decode("latin-1")
            wanted = dict(part.partition("=")[::2] for part in query.split("&") if part).get("v")
            try:
                current = content_hash(path)
            except (OSError, ValueError):
                current = None
            response.headers["Cache-Control"] = IMMUTABLE if wanted and wanted == current else "no-cache"
        return response
