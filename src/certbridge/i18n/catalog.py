"""Render message codes in Chinese or English; unknown codes fall back loudly but safely."""

from __future__ import annotations

from functools import cache
from typing import Any

from certbridge.i18n.messages import MESSAGES

LANGUAGES = ("zh", "en")


@cache
def _all_messages() -> dict[str, dict[str, str]]:
    merged = dict(MESSAGES)
    try:  # The USCC validator keeps its own messages beside it.
        from certbridge.kit.uscc_messages import MESSAGES as USCC_MESSAGES
    except ImportError:  # pragma: no cover - kit module is part of the package
        USCC_MESSAGES = {}
    merged.update(USCC_MESSAGES)
    from certbridge.i18n.messages_security import MESSAGES as SECURITY_MESSAGES; merged.update(SECURITY_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_ledger import MESSAGES as LEDGER_MESSAGES; merged.update(LEDGER_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_web import MESSAGES as WEB_MESSAGES; merged.update(WEB_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_bulk import MESSAGES as BULK_MESSAGES; merged.update(BULK_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_supervision import MESSAGES as SUPERVISION_MESSAGES; merged.update(SUPERVISION_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_backup import MESSAGES as BACKUP_MESSAGES; merged.update(BACKUP_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_inputs import MESSAGES as INPUT_MESSAGES; merged.update(INPUT_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_limits import MESSAGES as LIMITS_MESSAGES; merged.update(LIMITS_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_integrity import MESSAGES as INTEGRITY_MESSAGES; merged.update(INTEGRITY_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_statemap import MESSAGES as STATEMAP_MESSAGES; merged.update(STATEMAP_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_people import MESSAGES as PEOPLE_MESSAGES; merged.update(PEOPLE_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_identity import MESSAGES as IDENTITY_MESSAGES; merged.update(IDENTITY_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_jobs import MESSAGES as JOB_MESSAGES; merged.update(JOB_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_workdays import MESSAGES as WORKDAY_MESSAGES; merged.update(WORKDAY_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_status import MESSAGES as STATUS_MESSAGES; merged.update(STATUS_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_licensing_cases import MESSAGES as CASE_MESSAGES; merged.update(CASE_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_qidata import MESSAGES as QIDATA_MESSAGES; merged.update(QIDATA_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_opendata import MESSAGES as OPENDATA_MESSAGES; merged.update(OPENDATA_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_feeds import MESSAGES as FEEDS_MESSAGES; merged.update(FEEDS_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_webhook_targets import MESSAGES as TARGET_MESSAGES; merged.update(TARGET_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_avoidance import MESSAGES as AVOIDANCE_MESSAGES; merged.update(AVOIDANCE_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_case_deadlines import MESSAGES as CASE_DEADLINE_MESSAGES; merged.update(CASE_DEADLINE_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_legal_rep import MESSAGES as LEGAL_REP_MESSAGES; merged.update(LEGAL_REP_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_federation import MESSAGES as FEDERATION_MESSAGES; merged.update(FEDERATION_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_assistance import MESSAGES as ASSISTANCE_MESSAGES; merged.update(ASSISTANCE_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_recognition import MESSAGES as RECOGNITION_MESSAGES; merged.update(RECOGNITION_MESSAGES)  # noqa: E702,E501
    from certbridge.i18n.messages_stats import MESSAGES as STATS_MESSAGES; merged.update(STATS_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_risk import MESSAGES as RISK_MESSAGES; merged.update(RISK_MESSAGES)  # noqa: E702
    from certbridge.i18n.messages_international import MESSAGES as INTL_MESSAGES; merged.update(INTL_MESSAGES)  # noqa: E702,E501
    return merged


def pick_language(accept_language: str | None, default: str = "zh") -> str:
    """Choose zh or en from an Accept-Language header."""
    if not accept_language:
        return default
    best, best_q = default, -1.0
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        lang = tag.strip().lower()[:2]
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if lang in LANGUAGES and weight > best_q:
            best, best_q = lang, weight
    return best


def render(code: str, lang: str = "zh", /, **params: Any) -> str:
    """Return the message for a code in a language, formatted with its parameters."""
    entry = _all_messages().get(code)
    if entry is None:
        return code if not params else f"{code} {params}"
    template = entry.get(lang) or entry["zh"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def has_message(code: str) -> bool:
    """Tell whether a code has a catalog entry."""
    return code in _all_messages()
