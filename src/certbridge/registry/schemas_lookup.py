"""Resolve the standard a certificate names, refusing versions past their transition deadline."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.registry.models import Standard
from certbridge.registry.schemes import find_standard


def resolve_standard(
    session: Session, scheme_code: str, code: str | None, version: str | None, on: date
) -> Standard | None:
    """Return the named standard of a scheme; refuse unknown ones and versions whose transition ended."""
    if not code:
        return None
    std = find_standard(session, scheme_code, code.strip(), (version or "").strip() or None)
    if std is None:
        raise InvalidInput("standard.unknown", field="standard_code", code=code, version=version or "", scheme=scheme_code)
    if std.transition_deadline is not None and on > std.transition_deadline:
        raise InvalidInput("standard.transition_over", field="standard_version", code=std.code, version=std.version,
                           deadline=std.transition_deadline.isoformat())
    return std
