"""Domain errors: a machine code, parameters and an HTTP status; text comes from the catalog."""

from __future__ import annotations

from typing import Any


# Parameters holding a code that has its own catalog entry, rendered as words.
TRANSLATED_PARAMS = {"status": "status.", "target": "status.", "action": "action.", "current": "body_status.",
                     "wanted": "body_status.", "ban": "ban_kind."}


class DomainError(Exception):
    """An error a user caused, rendered from the message catalog in the user's language."""

    status = 422
    default_code = "error"

    def __init__(self, code: str | None = None, /, *, field: str | None = None, **params: Any) -> None:
        self.code = code or self.default_code
        self.field = field
        self.params = params
        super().__init__(f"{self.code} {params}")

    def message(self, lang: str = "zh") -> str:
        """Render the human message in a language (status and action codes become words)."""
        from certbridge.i18n.catalog import has_message, render

        params = {}
        for key, value in self.params.items():
            prefix = TRANSLATED_PARAMS.get(key)
            if prefix and isinstance(value, str) and has_message(prefix + value):
                value = render(prefix + value, lang)
            params[key] = value
        if self.field is not None:  # "「{field}」为必填项" names the field, which is kept apart from params
            params.setdefault("field", self.field)
        return render(self.code, lang, **params)


class InvalidInput(DomainError):
    """Input that fails validation."""

    status = 422


class RuleViolation(DomainError):
    """Well-formed input that a domain rule forbids."""

    status = 409


class NotFound(DomainError):
    """A referenced thing does not exist."""

    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    """A uniqueness or concurrent-update conflict."""

    status = 409


class Unauthenticated(DomainError):
    """No or bad credentials."""

    status = 401
    default_code = "auth.required"


class Forbidden(DomainError):
    """Authenticated but not allowed to do this."""

    status = 403
    default_code = "auth.forbidden"


class ValidationErrors(DomainError):
    """Several field problems at once (forms, import rows)."""

    status = 422
    default_code = "validation.failed"

    def __init__(self, problems: list[DomainError]) -> None:
        super().__init__("validation.failed", count=len(problems))
        self.problems = problems
