"""Page slots: a capability adds what it knows to another capability's page without either importing the other.

A page asks `slot_values("certificate.page", session=…, settings=…, certificate_id=…)` and gets the merged
dicts of every provider registered for that slot (an empty dict when none is). A capability registers its
provider once from its install(app) with `fill_slot(name, provider)`; providers take keyword arguments only.
Slots in use: `certificate.page` (credentials: the signed QR code and the "credentials" flag; risk: the
consumer alerts in force that name the certificate or its body), `licence.page`
(credentials: a licence's signed QR code), `body.page` (risk: the body's commitment and annual reports, as
`body_panels` templates), `certificates.peer_search` (federation: the peers' certificates matching `q`, for
`GET /api/v1/certificates?peers=true`), `body.approved` (notified by the regulator console's approval in its
transaction; licensing makes the 双公示 record) and
`session.ended` (notified on sign-out; certificates drop the uploads staged in that session).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SlotProvider = Callable[..., dict[str, Any]]
SLOTS: dict[str, list[SlotProvider]] = {}


def fill_slot(name: str, provider: SlotProvider) -> None:
    """Register a provider for a named slot (idempotent)."""
    providers = SLOTS.setdefault(name, [])
    if provider not in providers:
        providers.append(provider)


def slot_values(name: str, **context: Any) -> dict[str, Any]:
    """Return what every provider of a slot adds to the page, merged in registration order."""
    merged: dict[str, Any] = {}
    for provider in SLOTS.get(name, ()):
        merged.update(provider(**context))
    return merged


def notify_slot(name: str, **context: Any) -> None:
    """Tell every provider of a slot that something happened (their answers are ignored)."""
    for provider in SLOTS.get(name, ()):
        provider(**context)
