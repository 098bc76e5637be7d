"""Form helpers: read posted fields, and turn domain or validation errors into per-field messages."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from certbridge.errors import TRANSLATED_PARAMS, DomainError, InvalidInput, ValidationErrors
from certbridge.i18n.catalog import has_message, render
from certbridge.kit.text_input import strip_invisible


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


def pydantic_errors(exc: ValidationError, lang: str, labels: dict[str, str] | None = None) -> dict[str, str]:
    """Return {field: message} for a Pydantic validation error, naming fields by their form labels."""
    labels = labels or {}
    out: dict[str, str] = {}
    for err in exc.errors():
        name = field_name(tuple(p for p in err.get("loc", ()) if p != "body")) or "form"
        label = labels.get(name, name)
        code = "validation." + err.get("type", "invalid")
        if err.get("type") == "missing" or (err.get("type") == "string_too_short" and
                                            (err.get("ctx") or {}).get("min_length") == 1):
            code = "field.required"
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, (str, int, float))}
        message = render(code, lang, field=label, **ctx) if has_message(code) else ""
        if not message:
            message = render("validation.generic", lang, field=label, detail=err.get("msg", ""))
        out.setdefault(name, message)
    return out


def problem_message(problem: DomainError, lang: str, label: str | None = None) -> str:
    """Render one domain problem, naming its field by the form's label when the message mentions it."""
    params = {}
    for key, value in problem.params.items():
        prefix = TRANSLATED_PARAMS.get(key)
        if prefix and isinstance(value, str) and has_message(prefix + value):
            value = render(prefix + value, lang)
        params[key] = value
    params.setdefault("field", label or problem.field or "")
    return render(problem.code, lang, **params)


def domain_errors(exc: DomainError, lang: str, labels: dict[str, str] | None = None,
                  aliases: dict[str, str] | None = None, code_fields: dict[str, str] | None = None) -> dict[str, str]:
    """Return {field: message} for a domain error (several for ValidationErrors); '' keys the whole form.

    A problem raised without a field is placed by its code's prefix (`code_fields`, e.g. "auditor." → the
    auditors box) so the message still appears next to what must change.
    """
    labels, aliases, code_fields = labels or {}, aliases or {}, code_fields or {}
    problems = exc.problems if isinstance(exc, ValidationErrors) else [exc]
    out: dict[str, str] = {}
    for problem in problems:
        name = aliases.get(problem.field or "", problem.field or "")
        if not name:
            name = next((f for prefix, f in code_fields.items() if problem.code.startswith(prefix)), "")
        out.setdefault(name, problem_message(problem, lang, labels.get(name)))
    return out


def split_general(errors: dict[str, str], known: set[str]) -> tuple[dict[str, str], str | None]:
    """Separate messages for fields on the form from the rest, which become one general message."""
    fields = {k: v for k, v in errors.items() if k in known}
    rest = [v for k, v in errors.items() if k not in known]
    return fields, ("；".join(rest) if rest else None)


def text(form: Any, name: str) -> str:
    """Return a posted text field without invisible characters (`kit.text_input`), stripped ('' when absent)."""
    value = form.get(name)
    return strip_invisible(value).strip() if isinstance(value, str) else ""


def optional(form: Any, name: str) -> str | None:
    """Return a posted text field, or None when blank."""
    return text(form, name) or None


def form_values_of(form: Any, names: Any) -> dict[str, str]:
    """Return the named text fields of a form, stripped."""
    return {name: text(form, name) for name in names}


def parse_date(value: str, field: str) -> date | None:
    """Read a YYYY-MM-DD form value; blank is None, anything else wrong is the field's error."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("validation.date_parsing", field=field) from None
