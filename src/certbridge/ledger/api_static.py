"""C2SP resources at the root: the tlog-tiles log (/log/checkpoint, /log/tile/...) and our witness.

The log's URL prefix is <public_url>/log, matching the checkpoint origin "<instance_name>/log" when the
instance is named after its host. The witness's submission prefix is <public_url>/witness.
"""

from __future__ import annotations

import gzip

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response

from certbridge.api.routing import APIRouter
from certbridge.db import write_session
from certbridge.errors import NotFound
from certbridge.kit.tiles import TileError, parse_tile_path
from certbridge.ledger import proofs
from certbridge.ledger.deps import LedgerDB, note_response
from certbridge.ledger.tile_data import entry_bundle_bytes, tile_bytes
from certbridge.ledger.witness import WitnessRefusal, add_checkpoint

static_router = APIRouter(include_in_schema=False)

IMMUTABLE = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"  # same bytes forever, but the full tile replaces it: no need to keep it long
MAX_WITNESS_REQUEST = 64 * 1024


@static_router.get("/log/checkpoint")
def log_checkpoint(db: LedgerDB):
    """Return the latest checkpoint, as tlog-tiles serves it."""
    return note_response(proofs.served_note(db, proofs.latest_checkpoint(db)))


@static_router.get("/log/tile/{path:path}")
def log_tile(path: str, request: Request, db: LedgerDB):
    """Return a hash tile or an entry bundle (tlog-tiles), immutable once full."""
    try:
        tile = parse_tile_path("tile/" + path)
    except TileError:
        raise NotFound("ledger.tile_not_found", path=path) from None
    headers = {"Cache-Control": PARTIAL if tile.is_partial else IMMUTABLE}
    if not tile.is_entry_bundle:
        return Response(tile_bytes(db, tile), media_type="application/octet-stream", headers=headers)
    data = entry_bundle_bytes(db, tile)
    if "gzip" in request.headers.get("accept-encoding", ""):
        data = gzip.compress(data, mtime=0)
        headers["Content-Encoding"] = "gzip"
    headers["Vary"] = "Accept-Encoding"
    return Response(data, media_type="application/octet-stream", headers=headers)


@static_router.post("/witness/add-checkpoint")
async def witness_add_checkpoint(request: Request):
    """Cosign another log's checkpoint if it extends what we last cosigned for it (C2SP tlog-witness)."""
    if int(request.headers.get("content-length") or 0) > MAX_WITNESS_REQUEST:
        return PlainTextResponse("request too large\n", status_code=413)
    body = await request.body()
    if len(body) > MAX_WITNESS_REQUEST:
        return PlainTextResponse("request too large\n", status_code=413)
    app = request.app

    def cosign() -> str:
        # Our own transaction, committed before we answer: the spec wants the new state persisted first.
        with write_session(app.state.sessions) as session:
            return add_checkpoint(session, settings=app.state.settings, body=body)

    try:
        lines = await run_in_threadpool(cosign)
    except WitnessRefusal as refusal:
        return PlainTextResponse(refusal.body or refusal.reason + "\n", status_code=refusal.status,
                                 media_type=refusal.content_type)
    return PlainTextResponse(lines, media_type="text/plain; charset=utf-8")
