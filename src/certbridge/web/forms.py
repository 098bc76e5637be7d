"""Form helpers: read posted fields, and turn domain or validation errors into per-field messages."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from certbridge.errors import DomainError, ValidationErrors
from certbridge.i18n.catalog import render


def field_name(loc: tuple | list | str | None) -> str | None:
    """Return a form field name for an error location: ("sites", 0, "name") → "sites[0].name"."""
    if loc is None:
        return None
    if isinstance(loc, str):
        return loc
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or None


def pydantic_errors(exc: ValidationError, lang: str, prefix: tuple = ()) -> dict[str, str]:
    """Return {field: message} for a Pydantic validation error, in the user's language."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = prefix + tuple(p for p in err.get("loc", ()) if p not in ("body",))
        name = field_name(loc) or "form"
        code = "validation." + err.get("type", "invalid")
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, (str, int, float))}
        message = render(code, lang, field=name, **ctx)
        if message.startswith(code):
            message = render("validation.generic", lang, field=name, detail=err.get("msg", ""))
        out.setdefault(name, message)
    return out


def domain_errors(exc: DomainError, lang: str, aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Return {field: message} for a domain error (several for ValidationErrors); '' keys the whole form."""
    aliases = aliases or {}
    problems = exc.problems if isinstance(exc, ValidationErrors) else [exc]
    out: dict[str, str] = {}
    for problem in problems:
        name = problem.field or ""
        out.setdefault(aliases.get(name, name), problem.message(lang))
    return out


def split_general(errors: dict[str, str], known: set[str]) -> tuple[dict[str, str], str | None]:
    """Separate messages for fields on the form from the rest, which become one general message."""
    fields = {k: v for k, v in errors.items() if k in known}
    rest = [v for k, v in errors.items() if k not in known]
    return fields, ("；".join(rest) if rest else None)


def text(form: Any, name: str) -> str:
    """Return a posted text field, stripped ('' when absent)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: Any, name: str) -> str | None:
    """Return a posted text field, or None when blank."""
    return text(form, name) or None
