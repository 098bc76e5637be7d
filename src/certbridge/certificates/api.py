"""Certificate endpoints: verify, search, read, issue, lifecycle, import."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import File, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import Field, StringConstraints, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from certbridge.api.deps import AuthedPrincipal, Lang, ReadDB, WriteDB, db_read, language
from certbridge.api.lean import LeanRoute, shaper
from certbridge.api.query import query_values, scope_language
from certbridge.api.pagination import Page, decode_cursor, decode_key_cursor, encode_cursor, next_cursor
from certbridge.api.params import Id, IdFilter
from certbridge.api.problems import PROBLEM_RESPONSES, PROBLEM_TYPE
from certbridge.api.routing import APIRouter
from certbridge.certificates import body_exit, workflow
from certbridge.certificates.holders import merge_holders
from certbridge.certificates.importer import ImportReport, import_certificates
from certbridge.certificates.listing import SORTS, count_certificates, sorted_page
from certbridge.certificates.queries import CertificateFilter, page_keys, search_public_views
from certbridge.certificates.schemas import (
    AuditIn,
    CertificateDetail,
    CertificateIn,
    CertificateSummary,
    HistoryEntry,
    RenewIn,
    ScopeChangeIn,
    StatusChangeIn,
    TransferIn,
    VerificationOut,
)
from certbridge.certificates.service import get_certificate, issue_certificate, record_audit
from certbridge.certificates.verification import (
    verify_holder,
    verify_number,
    verify_number_async,
    verify_number_on,
    verify_number_pooled,
)
from certbridge.certificates.presenters import detail, summary, verification_json, verification_view, with_meaning
from certbridge.db import AsyncReaders, open_async_readers, open_sqlite_reader, read_session
from certbridge.replicas import read_on_loop
from certbridge.ledger.journal import subject_history
from certbridge.i18n.catalog import render
from certbridge.registry.api import organization_view
from certbridge.registry.schemas import MergeIn, OrganizationOut
from certbridge.web.slots import slot_values

# Filled by the federation (federation/pages.py): {"peer_items": [...]} for a query, when peers are followed.
PEER_SEARCH_SLOT = "certificates.peer_search"

router = APIRouter(prefix="/api/v1", tags=["certificates"], responses=PROBLEM_RESPONSES)


# The query parameters of GET /verify, checked here rather than by FastAPI's per-request parameter machinery
# (the busiest public endpoint); errors come out exactly as FastAPI's own (same types, locations, context).
_VERIFY_NUMBER = TypeAdapter(Annotated[str, StringConstraints(min_length=1, max_length=60)])
_VERIFY_BODY = TypeAdapter(Annotated[str, StringConstraints(max_length=30)])
_VERIFY_PARAMETERS = [
    {"in": "query", "name": "number", "required": True,
     "schema": {"type": "string", "minLength": 1, "maxLength": 60, "title": "Number",
                "examples": ["00126Q35682R1M/4500"]}},
    {"in": "query", "name": "body", "required": False, "description": "Body code or approval number",
     "schema": {"anyOf": [{"type": "string", "maxLength": 30}, {"type": "null"}], "title": "Body",
                "description": "Body code or approval number"}},
]


def _verify_query(params: dict[str, str]) -> tuple[str, str | None]:
    """Return (number, body) from the query's values, or raise the validation error FastAPI would."""
    number, body, errors = params.get("number"), params.get("body"), []
    if number is not None and 0 < len(number) <= 60 and (body is None or len(body) <= 30):
        return number, body  # valid: what the adapters below would accept (lengths in characters)
    for name, value, adapter in (("number", number, _VERIFY_NUMBER), ("body", body, _VERIFY_BODY)):
        if value is None:
            if name == "number":
                errors.append({"type": "missing", "loc": ("query", name), "msg": "Field required", "input": None})
            continue
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            errors += [{**e, "loc": ("query", name, *e["loc"])} for e in exc.errors(include_url=False)]
    if errors:
        raise RequestValidationError(errors)
    return number, body


def _verification_json(app_state, number: str, body: str | None, lang: str) -> bytes:
    if body is not None:
        with read_session(app_state.sessions) as db:
            return verification_json(verification_view(verify_number(db, number, body), lang))
    return verification_json(verification_view(verify_number_pooled(app_state.engine, number), lang))


def loop_connection(app_state):
    """Return the SQLite connection the event loop itself verifies on (None: use the thread pool).

    A point lookup answered from SQLite's cache takes tens of microseconds, less than handing the request to a
    worker thread and back costs under load (the hand-off, and threads queueing for the GIL, cost more than
    the query). So on SQLite the loop answers by itself, on one connection of its own with no busy wait; if
    that connection is ever told the database is busy, the request goes the pooled way instead. PostgreSQL
    answers on the loop too, over async connections (see loop_readers); in-memory databases (one per
    connection) always go the pooled way.
    """
    conn = getattr(app_state, "verify_connection", None)
    if conn is None:
        conn = app_state.verify_connection = open_sqlite_reader(app_state.engine) or False  # closed at shutdown
    return conn or None


def loop_readers(app_state) -> AsyncReaders | None:
    """Return the PostgreSQL connections the event loop verifies on, awaiting the server (None on SQLite)."""
    if app_state.engine.dialect.name != "postgresql":
        return None
    readers = getattr(app_state, "verify_readers", None)
    if readers is None or readers.loop is not asyncio.get_running_loop():
        if readers is not None:
            readers.close()  # made on another, finished event loop (a test client's, say)
        readers = app_state.verify_readers = open_async_readers(app_state.engine)  # closed at shutdown
    return readers


@router.get("/verify", response_model=VerificationOut, summary="Verify a certificate by its number",
            openapi_extra={"parameters": _VERIFY_PARAMETERS})
async def verify(request: Request):
    """Verify a certificate number, optionally from one body, and explain the outcome."""
    # The busiest public endpoint: the answer is built in VerificationOut's shape and serialised once here
    # (not validated a second time), on the loop itself when the database allows (see loop_connection).
    # The query and the language read straight from the scope (api/query.py: Starlette's rules, without its objects).
    scope = request.scope
    query = query_values(scope)
    number, body = _verify_query(query)
    state = scope["app"].state
    lang = scope_language(scope, query, state.settings.default_language)
    conn = loop_connection(state) if body is None else None
    readers = loop_readers(state) if body is None and conn is None else None
    result = None
    if conn is not None:
        try:
            result = verify_number_on(conn, state.engine.dialect, number)
        except sqlite3.OperationalError:  # busy (e.g. a checkpoint or recovery): wait in a worker thread instead
            result = None
    elif readers is not None:
        needs = (scope.get("state") or {}).get("replica_needs")  # request.state's, without raising when unset
        if needs is None:
            result = await readers.run(lambda c: verify_number_async(c, state.engine.dialect, number))
        else:  # a replica is configured: it answers if it has replayed what this client wrote
            result, request.state.read_from, request.state.checkpoint = await read_on_loop(
                state.replica, needs, readers, lambda c: verify_number_async(c, state.engine.dialect, number))
    if result is not None:
        content = verification_json(verification_view(result, lang))
    else:
        content = await run_in_threadpool(_verification_json, state, number, body, lang)
    return Response(_with_integrity_warning(state, content, lang), media_type="application/json")


def _with_integrity_warning(state, content: bytes, lang: str) -> bytes:
    """Add `integrity_warning` to a verification answer while the integrity monitor reports the log damaged."""
    sound = getattr(state, "integrity", None)
    if sound is None or sound.ok:
        return content
    answer = json.loads(content)
    answer["integrity_warning"] = render("integrity.warning", lang)
    return json.dumps(answer, ensure_ascii=False).encode("utf-8")


@router.get("/verify/holder/{uscc}", response_model=VerificationOut, summary="Verify an organization's certificates")
def verify_by_holder(uscc: Annotated[str, Path(min_length=1, max_length=40)], db: ReadDB, lang: Lang):
    """List an organization's certificates by its 统一社会信用代码 and whether any is valid."""
    return verification_view(verify_holder(db, uscc), lang)


class CertificateList(Page[CertificateSummary]):
    """A page of certificates; with ?total=true also how many there are (exact up to 10,000)."""

    total: int | None = Field(default=None, description="With ?total=true: matches counted, at most 10,000")
    total_capped: bool | None = Field(default=None, description="True when there are more than `total`")
    peer_items: list[dict] | None = Field(default=None, description="With ?peers=true and q: the federated peers' "
                                          "certificates matching q, each with its `source` instance and checkpoint")


@router.get("/certificates", response_model=CertificateList, summary="Search certificates")
def search_certificates(
    db: ReadDB, lang: Lang,
    q: Annotated[str | None, Query(max_length=100, description="Number, 统一社会信用代码 or name substring")] = None,
    status: Literal["valid", "suspended", "withdrawn", "cancelled", "expired"] | None = None,
    scheme: Annotated[str | None, Query(max_length=20)] = None,
    grade: Annotated[str | None, Query(max_length=30, description="A grade or sector variant of the scheme")] = None,
    body_id: IdFilter = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    organization_id: IdFilter = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    sort: Annotated[Literal[SORTS] | None, Query(  # type: ignore[valid-type]
        description="Order by a column, `-` for descending; pages over the first 10,000 matches")] = None,
    total: Annotated[bool, Query(description="Also count the matches (exact up to 10,000)")] = False,
    peers: Annotated[bool, Query(description="Also search the federated peers' certificates (by q)")] = False,
):
    """Search and filter certificates, a page at a time (a name search by holder, then certificate)."""
    flt = CertificateFilter(q=q, status=status, scheme=scheme, grade=grade, body_id=body_id, region_code=region,
                            organization_id=organization_id)
    out: dict = slot_values(PEER_SEARCH_SLOT, session=db, q=q) if peers and q else {}
    if total:
        counted = count_certificates(db, flt)
        out = {"total": counted.count, "total_capped": counted.capped}
    if sort:  # the cursor carries the page number of the sorted list
        page = decode_cursor(cursor) or 1
        certs = sorted_page(db, flt, sort, page=page, limit=limit)
        more = len(certs) > limit
        items = [summary(db, c, lang) for c in certs[:limit]]
        return {"items": items, "next_cursor": encode_cursor(page + 1) if more else None, **out}
    views = search_public_views(db, flt, after=decode_key_cursor(cursor), limit=limit)
    keys = page_keys(flt, [(v["holder"]["organization_id"], v["id"]) for v in views])
    return {"items": [with_meaning(v, lang) for v in views], "next_cursor": next_cursor(keys, limit), **out}


# --- the lean path (api/lean.py): the same answers without FastAPI's per-request machinery -----------------------
# Verify by number is the endpoint itself. Verify by holder and the name search run their endpoint's work in one
# trip to the thread pool (a public read session, as `db_read` opens it, the view, its JSON) and serialise the
# views in their response model's shape directly, instead of validating them against it again: the views are
# built in that shape (tests/security/test_lean_reads.py compares the bytes with the full stack's).

public_read = contextmanager(db_read)
# The search endpoint's declared parameters a lean name search does not take (any of them: FastAPI answers).
_SEARCH_OPTIONS = frozenset({"status", "scheme", "grade", "body_id", "region", "organization_id", "sort", "total",
                             "peers"})
_SEARCH_LIMIT = re.compile(r"[1-9][0-9]{0,2}")
_VERIFICATION_SHAPE = shaper(VerificationOut)
_LIST_SHAPE = shaper(CertificateList)


_json = verification_json  # compact UTF-8 JSON, as FastAPI's response models write it


def _holder_prepare(request: Request, uscc: str | None) -> str | None:
    return uscc if uscc and len(uscc) <= 40 else None  # else FastAPI's 422 (or 404)


def _holder_json(request: Request, uscc: str, lang: str) -> bytes:
    with public_read(request) as db:
        view = verification_view(verify_holder(db, uscc), lang)
    return _json(_VERIFICATION_SHAPE(view))


async def _holder_answer(request: Request, uscc: str) -> Response:
    content = await run_in_threadpool(_holder_json, request, uscc, language(request))
    return Response(content, media_type="application/json")


def _search_prepare(request: Request, _segment: str | None) -> tuple[str, int, str | None] | None:
    """Return (q, limit, cursor) of a plain name search, or None (filters, sorting, counts, anything unusual)."""
    seen: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in _SEARCH_OPTIONS or key in seen:
            return None
        if key in ("q", "limit", "cursor"):
            seen[key] = value
    q, limit, cursor = seen.get("q"), seen.get("limit", "20"), seen.get("cursor")
    if not q or len(q) > 100 or not _SEARCH_LIMIT.fullmatch(limit) or int(limit) > 200 or (
            cursor is not None and len(cursor) > 200):
        return None
    return q, int(limit), cursor


def _search_json(request: Request, q: str, limit: int, cursor: str | None, lang: str) -> bytes:
    flt = CertificateFilter(q=q, status=None, scheme=None, grade=None, body_id=None, region_code=None,
                            organization_id=None)
    with public_read(request) as db:
        views = search_public_views(db, flt, after=decode_key_cursor(cursor), limit=limit)
        keys = page_keys(flt, [(v["holder"]["organization_id"], v["id"]) for v in views])
        items = [with_meaning(v, lang) for v in views]
    return _json(_LIST_SHAPE({"items": items, "next_cursor": next_cursor(keys, limit)}))


async def _search_answer(request: Request, prepared: tuple[str, int, str | None]) -> Response:
    q, limit, cursor = prepared
    content = await run_in_threadpool(_search_json, request, q, limit, cursor, language(request))
    return Response(content, media_type="application/json")


LEAN_READS = (
    LeanRoute("/api/v1/verify", verify, prepare=lambda request, segment: (), answer=lambda request, _: verify(request)),
    LeanRoute("/api/v1/verify/holder/", verify_by_holder, prepare=_holder_prepare, answer=_holder_answer),
    LeanRoute("/api/v1/certificates", search_certificates, prepare=_search_prepare, answer=_search_answer),
)


@router.get("/certificates/{certificate_id}", response_model=CertificateDetail, summary="Read a certificate")
def read_certificate(certificate_id: Id, db: ReadDB, lang: Lang):
    """Return everything public about a certificate."""
    return detail(db, get_certificate(db, certificate_id), lang)


@router.get("/certificates/{certificate_id}/history", response_model=list[HistoryEntry],
            summary="A certificate's history")
def certificate_history(certificate_id: Id, db: ReadDB):
    """Return every event of a certificate, oldest first, with its log index."""
    get_certificate(db, certificate_id)
    return [{"seq": e.seq, "type": e.type, "actor": e.actor, "at": e.at.isoformat(), "data": e.data}
            for e in subject_history(db, "certificate", certificate_id)]


@router.post("/bodies/{body_id}/certificates", response_model=CertificateDetail, status_code=201,
             summary="Issue a certificate")
def create_certificate(body_id: Id, draft: CertificateIn,
                       db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Issue a certificate as the given body (its operators only)."""
    cert = issue_certificate(db, principal=principal, body_id=body_id, draft=draft)
    return detail(db, cert, lang)


_ACTIONS = {
    "suspend": workflow.suspend_certificate,
    "restore": workflow.restore_certificate,
    "withdraw": workflow.withdraw_certificate,
    "cancel": workflow.cancel_certificate,
    "expire": workflow.expire_certificate,
}


def _lifecycle_route(action: str):
    def route(certificate_id: Id, change: StatusChangeIn,
              db: WriteDB, principal: AuthedPrincipal, lang: Lang):
        cert = _ACTIONS[action](db, principal=principal, certificate_id=certificate_id, change=change)
        return detail(db, cert, lang)

    route.__doc__ = f"{action.capitalize()} a certificate (its body's operators only)."
    route.__name__ = f"{action}_certificate"
    return route


for _action in _ACTIONS:
    router.add_api_route(f"/certificates/{{certificate_id}}/{_action}", _lifecycle_route(_action), methods=["POST"],
                         response_model=CertificateDetail, summary=f"{_action.capitalize()} a certificate")


@router.post("/certificates/{certificate_id}/renew", response_model=CertificateDetail, status_code=201,
             summary="Renew a certificate")
def renew(certificate_id: Id, renewal: RenewIn, db: WriteDB,
          principal: AuthedPrincipal, lang: Lang):
    """Issue the next cycle of a certificate."""
    return detail(db, workflow.renew_certificate(db, principal=principal, certificate_id=certificate_id,
                                                 renewal=renewal), lang)


@router.post("/bodies/{body_id}/transfers", response_model=CertificateDetail, status_code=201,
             summary="Take over a certificate of a revoked body")
def transfer(body_id: Id, item: TransferIn, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """Move a valid certificate of a body whose approval was revoked or withdrawn to this body (its grace period)."""
    return detail(db, body_exit.transfer_certificate(db, principal=principal, body_id=body_id, transfer=item), lang)


@router.post("/certificates/{certificate_id}/scope", response_model=CertificateDetail, summary="Change scope")
def scope(certificate_id: Id, change: ScopeChangeIn, db: WriteDB,
          principal: AuthedPrincipal, lang: Lang):
    """Extend or reduce a certificate's scope."""
    return detail(db, workflow.change_scope(db, principal=principal, certificate_id=certificate_id,
                                            change=change), lang)


@router.post("/certificates/{certificate_id}/audits", response_model=CertificateDetail, status_code=201,
             summary="Record an audit")
def audit(certificate_id: Id, item: AuditIn, db: WriteDB,
          principal: AuthedPrincipal, lang: Lang):
    """Record an audit (surveillance, special …) on a certificate."""
    return detail(db, record_audit(db, principal=principal, certificate_id=certificate_id, audit=item), lang)


@router.post("/organizations/{organization_id}/merge", response_model=OrganizationOut, tags=["registry"],
             summary="Merge a duplicate organization")
def merge_organization(organization_id: Id, item: MergeIn, db: WriteDB,
                       principal: AuthedPrincipal):
    """Merge a duplicate organization into this one, moving its identifiers and certificates (regulators)."""
    org = merge_holders(db, principal=principal, source_id=item.source_id, target_id=organization_id,
                        reason=item.reason)
    return organization_view(db, org)


@router.post("/bodies/{body_id}/certificates/import", response_model=ImportReport, summary="Bulk import",
             responses={422: {"model": ImportReport, "description": "Rows refused (nothing written), or bad request",
                              "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}})
def bulk_import(
    request: Request,
    body_id: Id,
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or GBK), XLSX or JSON")],
    db: WriteDB, principal: AuthedPrincipal, lang: Lang,
    dry_run: Annotated[bool, Query(description="Validate and report without writing")] = False,
):
    """Import certificates from a file: all rows or none, with every bad row reported."""
    # A plain def: the import runs in a worker thread (holding one writer slot), never on the event loop.
    settings = request.app.state.settings
    data = file.file.read(settings.import_max_file_bytes + 1)
    report = import_certificates(db, principal=principal, body_id=body_id, filename=file.filename or "upload",
                                 data=data, dry_run=dry_run, lang=lang, max_bytes=settings.import_max_file_bytes,
                                 limits=settings.import_limits())
    if dry_run or report.errors:
        db.rollback()  # nothing half-written: a file with a bad row writes no row
    if report.errors:
        # A problem document that also carries the whole report, so a client fixes every row in one go. A file
        # refused as a whole (too large, undecodable, a cell or row over the limit) is that one problem.
        body = report.model_dump(mode="json")
        code, status, detail = "import.rejected", 422, render("import.rejected", lang, count=len(report.errors))
        whole = report.errors[0] if report.rows == 0 and len(report.errors) == 1 else None
        if whole is not None:
            code, detail = whole.code, whole.message
            status = 413 if whole.code == "import.too_large" else 422
        body.update(type=PROBLEM_TYPE + code, title=render(f"title.{status}", lang), status=status, code=code,
                    detail=detail)
        return JSONResponse(body, status_code=status, media_type="application/problem+json")
    return report
