"""Proficiency testing on the site: a lab's public page shows its record and which items are restricted; the lab
directory marks restricted items. Filled into the certificates capability's lab pages through slots."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from certbridge.proficiency.queries import lab_record, restricted_items, restricted_labs
from certbridge.web.slots import fill_slot


def lab_page_slot(*, session: Session, lab_id: int, **_: Any) -> dict[str, Any]:
    """The lab page's proficiency panel: results newest first, and each restricted item with its cause."""
    restricted = restricted_items(session, lab_id)
    return {"pt_results": lab_record(session, lab_id),
            "restricted": {item: f"{f.scheme_code} {f.round_code} · {f.held_on.isoformat()}"
                           for item, f in restricted.items()},
            "lab_panels": ["proficiency/lab_record.html"]}


def labs_directory_slot(*, session: Session, lab_ids: list[int], **_: Any) -> dict[int, list[str]]:
    """The directory's restricted items, by lab."""
    return {lab_id: sorted(items) for lab_id, items in restricted_labs(session, lab_ids).items()}


def install(app: FastAPI) -> None:
    """Fill the lab pages' slots (no routes of its own: the JSON API is proficiency/api.py)."""
    fill_slot("lab.page", lab_page_slot)
    fill_slot("labs.restricted", labs_directory_slot)
