"""The licence's public page: a body's approval (CNCA-R) or a lab's qualification (CMA) — holder, scope,
validity, status now, its signed QR code (credentials fills the slot) and its history of decisions."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from sqlalchemy import select

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter
from certbridge.errors import NotFound
from certbridge.i18n.catalog import render as render_message
from certbridge.licensing.case_models import CaseStep, LicensingCase
from certbridge.licensing.cases import DECISIONS
from certbridge.licensing.models import LicensingRecord
from certbridge.registry import choices as lookups
from certbridge.registry.models import CertificationBody, Lab
from certbridge.web.i18n import request_language
from certbridge.web.slots import slot_values
from certbridge.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/licences/{number}")
def licence_page(request: Request, db: ReadDB, number: str):
    """Show a licence with its scope, validity, status, QR code and history."""
    lang = request_language(request)
    number = number.strip().upper()[:30]
    kind = "body" if number.startswith("CNCA-") else "lab"
    model, column = (CertificationBody, CertificationBody.approval_number) if kind == "body" else (Lab, Lab.cma_number)
    holder = db.scalar(select(model).where(column == number))
    if holder is None:
        raise NotFound("licence.not_found", number=number)
    today = date.today()
    status = holder.status
    if holder.valid_until is not None and holder.valid_until < today and status in ("approved", "valid"):
        status = "expired"
    records = db.scalars(select(LicensingRecord).where(LicensingRecord.subject_type == kind,
                                                       LicensingRecord.subject_id == holder.id)
                         .order_by(LicensingRecord.decided_on, LicensingRecord.id)).all()
    steps = db.execute(select(CaseStep, LicensingCase).join(LicensingCase, LicensingCase.id == CaseStep.case_id)
                       .where(LicensingCase.subject_type == kind, LicensingCase.subject_id == holder.id,
                              CaseStep.action.in_(DECISIONS))
                       .order_by(CaseStep.on, CaseStep.id)).all()
    history = [{"on": s.on, "what": render_message(f"licensing_case.action.{s.action}", lang),
                "case": f"{c.number}（{render_message(f'licensing_case.kind.{c.kind}', lang)}）", "note": s.note}
               for s, c in steps]
    return render(request, "licensing/licence.html", {
        "kind": kind, "holder": holder, "number": number, "status": status, "records": records,
        "history": history, "field_names": lookups.field_names(db, lang),
        **slot_values("licence.page", session=db, settings=request.app.state.settings, kind=kind, number=number),
    })
