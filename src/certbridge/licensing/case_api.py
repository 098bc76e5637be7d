"""The licensing-case JSON API: applicants (API key or session) file, attach, submit, correct and follow their
cases; handlers list the queue and take their steps. Every step goes through `case_steps.take_step`, the door
the pages use, so rules, errors and ledger events are the same; notices are e-mailed after the commit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import BackgroundTasks, File, Query, Request, UploadFile

from certbridge.api.deps import AuthedPrincipal, Lang, ReadDB, WriteDB
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.licensing import case_flow, cases
from certbridge.licensing.case_decisions import Authority
from certbridge.licensing.case_models import CaseAttachment, LicensingCase
from certbridge.licensing.case_schemas import AttachmentOut, CaseIn, CaseOut, CaseSummaryOut, StepIn
from certbridge.licensing.case_steps import take_step
from certbridge.licensing.case_views import case_detail, cases_of_applicant, queue
from certbridge.licensing.deadlines import calendar_for
from certbridge.licensing.notices import deliver_notices
from certbridge.principal import Principal
from certbridge.registry.identity import with_legal_rep_fingerprint

router = APIRouter(prefix="/api/v1/licensing", tags=["licensing cases"], responses=PROBLEM_RESPONSES)
State = Annotated[str | None, Query(max_length=20, description="Only cases in this state (handlers: default the "
                                                               "open ones)")]


def _row(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "holder": None if view["holder"] == "—" else view["holder"]}  # no handler yet: null


def _out(db, case: LicensingCase, principal: Principal, lang: str) -> dict[str, Any]:
    view = case_detail(db, case, lang, "regulator" if principal.is_regulator else "applicant")
    steps = [{"action": s.action, "action_label": v["action"], "on": v["on"], "state": s.to_state,
              "due_on": v["due_on"], "provisional": v["provisional"], "note": v["note"]}
             for s, v in zip(cases.steps_of(db, case.id), view["steps"], strict=True)]
    attachments = [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                    "sha256": a.sha256, "uploaded_at": a.uploaded_at} for a in view["attachments"]]
    return {**_row(view), **{k: view[k] for k in ("application", "missing", "findings", "reason",
                                                                 "actions")},
            "team": view["team"], "attachments": attachments, "steps": steps}


def _send_later(request: Request, tasks: BackgroundTasks) -> None:
    # after the commit (the write session closes before the response), on a worker thread
    tasks.add_task(deliver_notices, request.app.state.sessions, request.app.state.settings)


@router.post("/cases", status_code=201, response_model=CaseOut, summary="File a licensing case (draft)")
def file_case(item: CaseIn, request: Request, db: WriteDB, principal: AuthedPrincipal, lang: Lang):
    """File an application, change, renewal or cancellation as a draft (applicants, and operators of a licensed
    body or lab for its own changes). A first application needs an attachment before it is submitted. A body's
    法定代表人变更 gives `legal_representative` and `legal_representative_id_number` (kept only as a keyed hash)."""
    application = with_legal_rep_fingerprint(request.app.state.settings, item.application)
    case = cases.file_case(db, principal=principal, kind=item.kind, subject_type=item.subject_type,
                           procedure=item.procedure, application=application, subject_id=item.subject_id,
                           contact_email=item.contact_email)
    return _out(db, case, principal, lang)


@router.get("/cases", response_model=list[CaseSummaryOut], summary="My cases, or the handlers' queue")
def list_cases(db: ReadDB, principal: AuthedPrincipal, lang: Lang, state: State = None):
    """An applicant's own cases (newest first); for a regulator the queue of open cases, nearest deadline first."""
    if principal.is_regulator:
        return [_row(v) for v in queue(db, lang, state=state if state in case_flow.STATES else None)]
    mine = cases_of_applicant(db, principal.user_id, lang) if principal.user_id else []
    return [_row(v) for v in mine if state is None or v["state"] == state]


@router.get("/cases/{case_id}", response_model=CaseOut, summary="A licensing case with its steps and deadline")
def read_case(case_id: Id, db: ReadDB, principal: AuthedPrincipal, lang: Lang):
    """A case with its current deadline (working days left, provisional or not and why), its steps, files and the
    actions open to the caller. Another applicant's case is not found."""
    return _out(db, cases.case_for(db, principal, case_id), principal, lang)


@router.post("/cases/{case_id}/attachments", status_code=201, response_model=AttachmentOut,
             summary="Attach a file to a case")
def attach(case_id: Id, request: Request, db: WriteDB, principal: AuthedPrincipal,
           file: Annotated[UploadFile, File(description="PDF, PNG or JPEG within the size limit")]):
    """Attach a file to a draft, or to a case being corrected (补正) or rectified; stored by its SHA-256."""
    settings = request.app.state.settings
    data = file.file.read(settings.licensing_attachment_max_bytes + 1)
    item: CaseAttachment = cases.attach_file(db, principal=principal, case_id=case_id,
                                             filename=file.filename or "", data=data, data_dir=settings.data_dir,
                                             max_bytes=settings.licensing_attachment_max_bytes)
    return {"id": item.id, "filename": item.filename, "content_type": item.content_type, "size": item.size,
            "sha256": item.sha256, "uploaded_at": item.uploaded_at}


@router.post("/cases/{case_id}/steps", response_model=CaseOut, summary="Take a step on a case")
def step(case_id: Id, item: StepIn, request: Request, tasks: BackgroundTasks, db: WriteDB,
         principal: AuthedPrincipal, lang: Lang):
    """Take one step of the case table: the applicant submits, resubmits after 补正, reports rectification or
    withdraws; a handler accepts, rejects, requests 补正, assigns the review team, records findings, decides, issues
    the licence and checks a 告知承诺. A step not open in the case's state is refused (409)."""
    settings = request.app.state.settings
    case = take_step(db, principal=principal, case_id=case_id, action=item.action, note=item.note, on=item.on,
                     team=item.team, handler_email=settings.licensing_handler_email,
                     authority=Authority(settings.licensing_authority, settings.licensing_authority_uscc),
                     calendar=calendar_for(settings.workday_overrides))
    _send_later(request, tasks)
    return _out(db, case, principal, lang)
