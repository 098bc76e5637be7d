"""Certificate number rules: no national format for systems, 16 digits for CCC."""

from __future__ import annotations

import re

from certbridge.errors import InvalidInput

NUMBER_CHARS = re.compile(r"^[0-9A-Z/_-]+$")
CCC_NUMBER = re.compile(r"^(\d{4})(\d{2})(\d{4})(\d{6})$")


def normalize_number(raw: str | None) -> str:
    """Return a certificate number as typed, trimmed; validation decides if it is acceptable."""
    return (raw or "").strip()


def check_number(raw: str | None, *, pattern: str | None = None, field: str = "number") -> str:
    """Refuse a certificate number that is empty, lower-case, spaced or uses other characters."""
    number = normalize_number(raw)
    if not number:
        raise InvalidInput("field.required", field=field)
    if len(number) > 60:
        raise InvalidInput("field.too_long", field=field, max=60)
    if " " in number or "\t" in number:
        raise InvalidInput("certificate.number_spaces", field=field, value=number)
    if number != number.upper():
        raise InvalidInput("certificate.number_lowercase", field=field, value=number, upper=number.upper())
    if not NUMBER_CHARS.match(number):
        bad = next(ch for ch in number if not NUMBER_CHARS.match(ch))
        raise InvalidInput("certificate.number_chars", field=field, value=number, char=bad)
    if pattern and not re.fullmatch(pattern, number):
        raise InvalidInput("certificate.number_pattern", field=field, value=number, pattern=pattern)
    return number


def parse_ccc_number(number: str) -> dict[str, str] | None:
    """Split a CCC number into first-issue year, body code, product category and sequence."""
    match = CCC_NUMBER.match(number)
    if not match:
        return None
    year, body, category, sequence = match.groups()
    return {"year": year, "body_code": body, "category": category, "sequence": sequence}
