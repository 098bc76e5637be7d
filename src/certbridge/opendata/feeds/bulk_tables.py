"""What the bulk files hold: the public fields of each table, read in id order, with a field dictionary.

Registry tables are read from their rows; decisions (administrative penalties, licensing records, dishonesty
listings) are folded from their public events in the log, which is where this capability may read them.
Values are JSON scalars (dates as ISO text); each row's JSON Lines form is canonical JSON (RFC 8785), so the
SHA-256 of a table's uncompressed JSON Lines file is a digest of the table any mirror can recompute.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.ledger.journal import LedgerEvent
from certbridge.ledger.replay import fold
from certbridge.registry.models import CertificationBody, Lab, Organization

READ_CHUNK = 5000  # rows per keyset page: the build never holds a whole table in memory

# table → (model, {column: (中文, English)}); decisions are folded from the log (DECISION_SUBJECTS)
TABLES: dict[str, tuple[Any, dict[str, tuple[str, str]]]] = {
    "certificates": (Certificate, {
        "id": ("证书记录编号", "certificate record id"), "number": ("证书编号", "certificate number"),
        "body_id": ("认证机构记录编号", "certification body id"),
        "organization_id": ("获证组织记录编号", "certified organization id"),
        "scheme_code": ("认证项目代码", "scheme code"), "standard_id": ("认证依据标准记录编号", "standard id"),
        "status": ("证书状态", "certificate status"), "status_reason": ("状态变更原因", "reason of the status"),
        "status_changed_on": ("状态变更日期", "date of the status"),
        "suspended_until": ("暂停截止日期", "suspended until"), "issued_on": ("颁证日期", "issued on"),
        "expires_on": ("有效期至", "expires on"), "cycle": ("认证周期序号", "certification cycle"),
        "previous_id": ("上一周期证书记录编号", "previous cycle's certificate id"),
        "holder_name": ("获证组织名称", "holder name"), "holder_address": ("获证组织地址", "holder address"),
        "region_code": ("行政区划代码", "region code (GB/T 2260)"), "scope": ("认证范围", "scope"),
        "scope_en": ("认证范围（英文）", "scope in English"),
        "certification_mode": ("认证模式", "certification mode"),
        "last_surveillance_on": ("最近监督审核日期", "last surveillance audit"),
    }),
    "organizations": (Organization, {
        "id": ("组织记录编号", "organization id"), "uscc": ("统一社会信用代码", "unified social credit code"),
        "name": ("名称", "name"), "name_en": ("英文名称", "English name"), "address": ("地址", "address"),
        "region_code": ("行政区划代码", "region code"), "industry": ("行业", "industry"),
        "merged_into_id": ("合并入的组织记录编号", "merged into organization id"),
    }),
    "bodies": (CertificationBody, {
        "id": ("认证机构记录编号", "body id"), "code": ("机构代码", "body code"),
        "approval_number": ("批准号", "approval number"), "name": ("名称", "name"),
        "name_en": ("英文名称", "English name"), "uscc": ("统一社会信用代码", "unified social credit code"),
        "region_code": ("行政区划代码", "region code"), "address": ("地址", "address"),
        "status": ("批准状态", "approval status"), "status_reason": ("状态原因", "reason of the status"),
        "status_changed_on": ("状态变更日期", "date of the status"), "approved_on": ("批准日期", "approved on"),
        "valid_until": ("批准有效期至", "approval valid until"),
    }),
    "labs": (Lab, {
        "id": ("检验检测机构记录编号", "lab id"), "cma_number": ("资质认定证书编号", "CMA number"),
        "name": ("名称", "name"), "uscc": ("统一社会信用代码", "unified social credit code"),
        "region_code": ("行政区划代码", "region code"), "address": ("地址", "address"),
        "status": ("资质状态", "qualification status"), "qualified_on": ("资质认定日期", "qualified on"),
        "valid_until": ("资质有效期至", "qualification valid until"),
    }),
    "decisions": (None, {
        "id": ("决定记录（类型:编号）", "decision (kind:id)"),
        "kind": ("类型：penalty 行政处罚 / licensing_record 行政许可 / dishonesty_listing 严重失信名单",
                 "kind: penalty / licensing_record / dishonesty_listing"),
        "state": ("决定内容（JSON，按账本事件汇总）", "the decision's fields (JSON, folded from its log events)"),
    }),
}
DECISION_SUBJECTS = ("penalty", "licensing_record", "dishonesty_listing")
SUBJECT_TABLES = {"certificate": "certificates", "organization": "organizations", "body": "bodies", "lab": "labs",
                  **{kind: "decisions" for kind in DECISION_SUBJECTS}}


def columns(table: str) -> list[str]:
    """Return a table's columns in file order."""
    return list(TABLES[table][1])


def _dated(cols) -> list[int]:
    out = []
    for i, col in enumerate(cols):
        try:
            if col.type.python_type in (date, datetime):
                out.append(i)
        except NotImplementedError:
            pass
    return out


def _model_rows(session: Session, table: str, ids: Iterable[int] | None) -> Iterator[dict[str, Any]]:
    model, fields = TABLES[table]
    cols = [getattr(model, name) for name in fields]
    names, dated = list(fields), _dated(cols)  # only date columns are converted: this runs for every row

    def plain(row) -> dict[str, Any]:
        values = list(row)
        for i in dated:
            if values[i] is not None:
                values[i] = values[i].isoformat()
        return dict(zip(names, values, strict=True))

    if ids is not None:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 500):
            for row in session.execute(select(*cols).where(model.id.in_(wanted[start:start + 500]))
                                       .order_by(model.id)):
                yield plain(row)
        return
    last = 0
    while True:
        rows = session.execute(select(*cols).where(model.id > last).order_by(model.id).limit(READ_CHUNK)).all()
        for row in rows:
            yield plain(row)
        if len(rows) < READ_CHUNK:
            return
        last = rows[-1][0]


def _decision_public(kind: str, state: dict[str, Any]) -> bool:
    return kind == "dishonesty_listing" or bool(state.get("published_on"))


def _decision_rows(session: Session, size: int, keys: Iterable[str] | None) -> Iterator[dict[str, Any]]:
    stmt = (select(LedgerEvent.subject_type, LedgerEvent.subject_id, LedgerEvent.body)
            .where(LedgerEvent.subject_type.in_(DECISION_SUBJECTS), LedgerEvent.public.is_(True),
                   LedgerEvent.seq < size).order_by(LedgerEvent.seq))
    bodies: dict[str, list[str]] = {}
    wanted = set(keys) if keys is not None else None
    for kind, ident, body in session.execute(stmt):
        key = f"{kind}:{ident}"
        if wanted is None or key in wanted:
            bodies.setdefault(key, []).append(body)
    for key in sorted(bodies):
        state = fold(bodies[key])
        kind = key.split(":", 1)[0]
        if _decision_public(kind, state):
            yield {"id": key, "kind": kind, "state": json.dumps(state, ensure_ascii=False, sort_keys=True)}


def table_rows(session: Session, table: str, *, size: int, ids: Iterable[Any] | None = None) -> Iterator[dict]:
    """Yield a table's public rows in id order (only `ids` when given); decisions as of log size `size`."""
    if table == "decisions":
        yield from _decision_rows(session, size, ids)
    else:
        yield from _model_rows(session, table, ids)


def changed_ids(session: Session, *, start: int, end: int) -> dict[str, set[Any]]:
    """Return, per table, the ids of rows whose subjects have events in the log range [start, end)."""
    out: dict[str, set[Any]] = {table: set() for table in TABLES}
    stmt = (select(LedgerEvent.subject_type, LedgerEvent.subject_id).distinct()
            .where(LedgerEvent.seq >= start, LedgerEvent.seq < end,
                   LedgerEvent.subject_type.in_(list(SUBJECT_TABLES))))
    for kind, ident in session.execute(stmt):
        table = SUBJECT_TABLES[kind]
        if table == "decisions":
            out[table].add(f"{kind}:{ident}")
        elif ident.isdigit():
            out[table].add(int(ident))
    return out


def dictionary() -> dict[str, Any]:
    """Return the field dictionary of every table, in Chinese and English."""
    return {table: [{"field": name, "zh": zh, "en": en} for name, (zh, en) in fields.items()]
            for table, (_, fields) in TABLES.items()}
