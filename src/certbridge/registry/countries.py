"""Country codes (ISO 3166-1 alpha-2) as certificates, holders and bodies abroad carry them."""

from __future__ import annotations

import re

from certbridge.errors import InvalidInput

COUNTRY = re.compile(r"^[A-Z]{2}$")
HOME = "CN"


def check_country(value: str | None, *, field: str = "country") -> str:
    """Return an ISO 3166-1 alpha-2 country code, upper-case, or refuse it."""
    value = (value or "").strip().upper()
    if not COUNTRY.match(value):
        raise InvalidInput("country.format", field=field, value=value)
    return value


def abroad(value: str | None, *, field: str = "country") -> str | None:
    """Return a checked country code when it is not China, None for China or no country."""
    if value is None or not value.strip():
        return None
    code = check_country(value, field=field)
    return None if code == HOME else code
