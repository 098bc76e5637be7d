"""Verify a long list in the background (jobs/ runner): progress while its rows are matched, then the receipt."""

from __future__ import annotations

from certbridge.db import read_session
from certbridge.jobs.runner import JobContext, Outcome
from certbridge.ledger.integrate import integrate_pending
from certbridge.opendata.bulk_input import ListRow
from certbridge.opendata.bulk_receipt import build_bulk_receipt
from certbridge.opendata.bulk_store import store_receipt
from certbridge.settings import Settings


def verification_work(sessions, *, settings: Settings, token: str, rows: list[ListRow], list_name: str):
    """Return the job's work: verify the rows, store the signed receipt under the token."""

    def work(ctx: JobContext) -> Outcome:
        ctx.progress("matching", 0, len(rows))
        integrate_pending(sessions, settings=settings)  # the receipt's checkpoint holds every committed event
        with read_session(sessions) as session:
            ctx.bind(session)
            receipt = build_bulk_receipt(session, settings=settings, rows=rows, list_name=list_name,
                                         progress=lambda done, total: ctx.progress("matching", done, total))
        store_receipt(settings, token, receipt)
        return Outcome("succeeded", {"token": token, "summary": receipt["summary"]})

    return work
