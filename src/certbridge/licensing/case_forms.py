"""What an application says, checked before it is filed: CB (fields, auditors, capital), lab (capability items,
sites, equipment, personnel), a change (scope, address, a body's legal representative), a renewal (new end date) or a cancellation (reason)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.registry.bodies import exits_of_identity
from certbridge.registry.identity import check_fingerprint
from certbridge.registry.models import CertificationBody, CertificationField, Lab
from certbridge.registry.restrictions import refuse_if_banned
from certbridge.registry.service import check_uscc

MIN_CAPITAL_WAN = 300  # registered capital ≥ RMB 3 million (DOMAIN.md)
MIN_AUDITORS = 10  # full-time auditors


def _text(data: dict[str, Any], key: str, *, required: bool = True, max_len: int = 300) -> str | None:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise InvalidInput("field.required", field=f"application.{key}")
    if len(value) > max_len:
        raise InvalidInput("field.too_long", field=f"application.{key}", max=max_len)
    return value or None


def _lines(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key) or []
    items = value.splitlines() if isinstance(value, str) else [str(v) for v in value]
    return [i.strip() for i in items if i.strip()]


def _fields(session: Session, codes: list[str]) -> list[str]:
    codes = sorted(set(codes))
    if not codes:
        raise InvalidInput("licensing_case.fields_required", field="application.fields")
    known = set(session.scalars(select(CertificationField.code).where(CertificationField.code.in_(codes))))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput("body.field_unknown", field="application.fields", codes=", ".join(unknown))
    return codes


def capabilities(data: dict[str, Any]) -> list[dict[str, str | None]]:
    """Return the capability items (检测对象/范围, 参数, 标准/方法) of an application, each complete."""
    items = data.get("capabilities") or []
    if isinstance(items, str):  # one item a line: 范围 | 参数 | 标准/方法
        items = [dict(zip(("category", "item", "standard"), [p.strip() for p in line.split("|")]))
                 for line in items.splitlines() if line.strip()]
    out = []
    for index, item in enumerate(items):
        category, name = str(item.get("category") or "").strip(), str(item.get("item") or "").strip()
        if not category or not name:
            raise InvalidInput("licensing_case.capability_incomplete", field="application.capabilities",
                               line=index + 1)
        out.append({"category": category, "item": name, "standard": (str(item.get("standard") or "").strip()
                                                                      or None)})
    if not out:
        raise InvalidInput("licensing_case.capabilities_required", field="application.capabilities")
    return out


def legal_rep_change(session: Session, data: dict[str, Any], body: CertificationBody | Lab,
                     today: date) -> dict[str, Any]:
    """Return a body's or lab's 法定代表人变更 (the new representative's name and the keyed hash of their ID
    document, never the number), or nothing when none is asked for; a representative under a permanent exit is
    refused."""
    name = _text(data, "legal_representative", max_len=60, required=False)
    fingerprint = data.get("legal_rep_fingerprint")
    if not name and not fingerprint:
        return {}
    if not name:
        raise InvalidInput("field.required", field="application.legal_representative")
    if not fingerprint:
        raise InvalidInput("field.required", field="application.legal_representative_id_number")
    fingerprint = check_fingerprint(fingerprint, field="application.legal_representative_id_number")
    if fingerprint == body.legal_rep_fingerprint:
        raise InvalidInput("licensing_case.same_legal_rep", field="application.legal_representative_id_number")
    refuse_if_banned(exits_of_identity(session, on=today, legal_rep_fingerprint=fingerprint)[1],
                     "body.legal_rep_exited")
    return {"legal_representative": name, "legal_rep_fingerprint": fingerprint}


def _rep_fingerprint(session: Session, data: dict[str, Any], *, required: bool, today: date) -> str | None:
    """Return a first application's representative fingerprint (a lab must give it), refusing an exited one."""
    value = data.get("legal_rep_fingerprint")
    if not value:
        if required:
            raise InvalidInput("field.required", field="application.legal_representative_id_number")
        return None
    value = check_fingerprint(value, field="application.legal_representative_id_number")
    refuse_if_banned(exits_of_identity(session, on=today, legal_rep_fingerprint=value)[1], "body.legal_rep_exited")
    return value


def check_application(session: Session, *, kind: str, subject_type: str, data: dict[str, Any],
                      subject: CertificationBody | Lab | None, today: date) -> dict[str, Any]:
    """Return the checked content of an application of a kind, or raise what is wrong with it."""
    if kind == "application":
        out: dict[str, Any] = {"name": _text(data, "name", max_len=200),
                               "uscc": check_uscc(_text(data, "uscc"), field="application.uscc")[0],
                               "address": _text(data, "address"),
                               "legal_representative": _text(data, "legal_representative", max_len=60)}
        if subject_type == "body":
            out["fields"] = _fields(session, _lines(data, "fields"))
            try:
                capital = int(str(data.get("capital_wan") or "").strip())
            except ValueError:
                raise InvalidInput("licensing_case.capital_number", field="application.capital_wan") from None
            if capital < MIN_CAPITAL_WAN:
                raise InvalidInput("licensing_case.capital_low", field="application.capital_wan",
                                   minimum=MIN_CAPITAL_WAN)
            out["capital_wan"] = capital
            out["auditors"] = _lines(data, "auditors")
            if len(out["auditors"]) < MIN_AUDITORS:
                raise InvalidInput("licensing_case.auditors_few", field="application.auditors",
                                   minimum=MIN_AUDITORS, count=len(out["auditors"]))
        else:
            out["capabilities"] = capabilities(data)
            for key in ("sites", "equipment", "personnel"):
                out[key] = _lines(data, key)
                if not out[key]:
                    raise InvalidInput("field.required", field=f"application.{key}")
        rep = _rep_fingerprint(session, data, required=subject_type == "lab", today=today)
        if rep:
            out["legal_rep_fingerprint"] = rep
        return out
    if subject is None:
        raise InvalidInput("licensing_case.subject_required", field="subject_id")
    if kind == "change":
        out = {}
        if subject_type == "body" and _lines(data, "fields"):
            out["fields"] = _fields(session, _lines(data, "fields"))
            if out["fields"] == sorted(f.field_code for f in subject.fields):
                out.pop("fields")
        if subject_type == "lab" and (data.get("capabilities") or "") != "":
            out["capabilities"] = capabilities(data)
        address = _text(data, "address", required=False)
        if address and address != subject.address:
            out["address"] = address
        out.update(legal_rep_change(session, data, subject, today))
        if not out:
            raise InvalidInput("licensing.no_change", field="application")
        return out
    if kind == "renewal":
        try:
            until = date.fromisoformat(str(data.get("valid_until") or "").strip())
        except ValueError:
            raise InvalidInput("licensing_case.date", field="application.valid_until") from None
        current = subject.valid_until
        if current is not None and current < today:
            raise InvalidInput("licensing_case.renewal_after_expiry", field="application.valid_until",
                               expired=current)
        if current is not None and until <= current:
            raise InvalidInput("licensing.renewal_not_later", field="application.valid_until", current=current)
        return {"valid_until": until.isoformat()}
    return {"reason": _text(data, "reason", max_len=2000)}
