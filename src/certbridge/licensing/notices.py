"""Case notices: a step that needs the applicant or a handler is written to the console and sent by e-mail.

Notices are rows written in the step's transaction; e-mail goes out after the commit (`deliver_notices`),
never while a write transaction is open, through the SMTP server in the settings (none: console only).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.db import utcnow, write_session
from certbridge.i18n.catalog import render
from certbridge.licensing.case_models import CaseNotice, LicensingCase
from certbridge.settings import Settings


def add_notice(session: Session, case: LicensingCase, *, audience: str, code: str, email_to: str | None,
               **params: Any) -> CaseNotice:
    """Write a notice of a case step for the applicant or the handlers."""
    notice = CaseNotice(case_id=case.id, audience=audience, code=code,
                        params={"number": case.number, **{k: str(v) for k, v in params.items()}},
                        email_to=email_to)
    session.add(notice)
    session.flush()
    return notice


def notice_text(notice: CaseNotice, lang: str) -> str:
    """Return a notice in a language."""
    return render(notice.code, lang, **notice.params)


def notices_for_applicant(session: Session, user_id: int, limit: int = 20) -> list[CaseNotice]:
    """Return the latest notices of an applicant's cases."""
    stmt = (select(CaseNotice).join(LicensingCase, LicensingCase.id == CaseNotice.case_id)
            .where(LicensingCase.applicant_user_id == user_id, CaseNotice.audience == "applicant")
            .order_by(CaseNotice.id.desc()).limit(limit))
    return list(session.scalars(stmt))


def notices_for_handlers(session: Session, limit: int = 20) -> list[CaseNotice]:
    """Return the latest notices for the case handlers."""
    stmt = select(CaseNotice).where(CaseNotice.audience == "handler").order_by(CaseNotice.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def _message(settings: Settings, notice: CaseNotice) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = notice.email_to
    message["Subject"] = f"{render('licensing_case.mail_subject', 'zh', **notice.params)} / " \
                         f"{render('licensing_case.mail_subject', 'en', **notice.params)}"
    url = f"{settings.public_url.rstrip('/')}/licensing/cases/{notice.case_id}"
    message.set_content(f"{notice_text(notice, 'zh')}\n{url}\n\n{notice_text(notice, 'en')}\n{url}\n")
    return message


def deliver_notices(sessions: Any, settings: Settings) -> int:
    """Send the notices not yet e-mailed (after the step's commit); return how many went out."""
    if not settings.smtp_host:
        return 0
    with write_session(sessions) as session:
        pending = list(session.scalars(select(CaseNotice).where(CaseNotice.email_to.is_not(None),
                                                                CaseNotice.emailed_at.is_(None)).limit(50)))
        messages = [(n.id, _message(settings, n)) for n in pending]
    sent = []
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            for notice_id, message in messages:
                smtp.send_message(message)
                sent.append(notice_id)
    except (OSError, smtplib.SMTPException):
        pass  # the notice stays in the console and is e-mailed with the next delivery
    if sent:
        with write_session(sessions) as session:
            for notice in session.scalars(select(CaseNotice).where(CaseNotice.id.in_(sent))):
                notice.emailed_at = utcnow()
    return len(sent)
