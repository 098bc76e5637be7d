"""Bulk issue: many organizations and certificate histories validated set-wise, written with executemany/COPY.

The single-certificate services (`registry.service`, `certificates.service`, `workflow`) are the reference;
this path applies the same DOMAIN rules to a whole batch at once — body approval and field, holder bars,
auditor registration, affiliation and bars, number format and uniqueness, dates, the state machine — and
writes rows and their ledger events in the caller's transaction. It is split in two so a generator can do
the costly part on another core:

* `prepare_batch` (pure, no database): assigns ids and log positions, builds the rows and every event body
  exactly as `events.event_body` would (canonical JSON, same leaf hash);
* `write_batch` (in the caller's transaction): authorizes, validates the batch against the database,
  checks the log position it was prepared for, and inserts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import chain, repeat
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certbridge.certificates.bulk_events import (EventLog, audit_state, certificate_issued_state, check_events, encode_plain,
                                                 json_column, organization_registered)
from certbridge.certificates.bulk_rules import BulkRules, _chunks, load_rules, validate_specs
from certbridge.certificates.bulk_specs import AuditSpec, CertificateSpec, OrganizationSpec, StatusStep
from certbridge.certificates.numbers import normalize_number
from certbridge.errors import Conflict, InvalidInput
from certbridge.ledger.journal import LedgerHead, append_prepared
from certbridge.kit.chinese_text import normalize_name
from certbridge.kit.dates import add_months
from certbridge.kit.uscc import UsccResult, validate_uscc
from certbridge.policy import require_body_operator, require_regulator
from certbridge.principal import Principal
from certbridge.registry.schemes import check_grade, scheme_grades
from certbridge.registry.search import name_bigrams

__all__ = ["AuditSpec", "BulkRules", "CertificateSpec", "OrganizationSpec", "Positions", "PreparedBatch",
           "StatusStep", "issue_drafts", "load_rules", "next_positions", "prepare_batch",
           "validate_specs", "write_batch"]


@dataclass(slots=True)
class Positions:
    """Where a batch starts: the next id of each table and the next log index."""

    organization: int
    identifier: int
    certificate: int
    site: int
    audit: int
    restriction: int
    seq: int


@dataclass
class PreparedBatch:
    """Rows and events of a validated batch, bound to the log position it was prepared at."""

    start: Positions
    end: Positions
    rows: dict[str, list[tuple]]
    actor: str
    body_ids: frozenset[int]
    fresh: bool  # validated against an empty registry: the unique indexes are the only check left
    certificates: int
    organizations: int


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _start_on(audit: AuditSpec) -> date:
    return audit.start_on


def _stamp(moment: datetime, dialect: str) -> Any:
    # SQLAlchemy stores UTC datetimes on SQLite as naive text; psycopg takes aware datetimes.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else moment


def prepare_batch(organizations: list[OrganizationSpec], certificates: list[CertificateSpec], *, rules: BulkRules,
                  start: Positions, actor: str, at: datetime, dialect: str, today: date,
                  uscc_results: dict[str, UsccResult] | None = None) -> PreparedBatch:
    """Validate a batch against the rules and build its rows and events at given positions (no database)."""
    if start.seq < rules.log_size:
        raise Conflict("bulk.stale_batch", expected=rules.log_size, found=start.seq)
    flags = validate_specs(organizations, certificates, rules=rules, today=today, uscc_results=uscc_results)
    p = replace(start)
    stamp = _stamp(at, dialect)
    log = EventLog(p.seq, actor, at, stamp)
    rows: dict[str, list[tuple]] = {k: [] for k in ("organization", "organization_identifier", "name_gram",
                                                    "certificate", "certificate_site", "audit", "audit_auditor",
                                                    "restriction")}
    audit_rows, auditor_rows = rows["audit"], rows["audit_auditor"]
    org_ids = []
    for org, needs_check in zip(organizations, flags):
        oid = p.organization
        p.organization += 1
        org_ids.append(oid)
        search_name = normalize_name(org.name)
        rows["organization"].append((oid, org.uscc, needs_check, org.name, None, search_name, org.address,
                                     org.region_code, org.industry, None, stamp, stamp))
        rows["organization_identifier"].append((p.identifier, oid, "uscc", org.uscc))
        p.identifier += 1
        rows["name_gram"].extend(zip(name_bigrams(search_name), repeat(oid)))
        log.add_encoded("organization.registered", "organization", oid, organization_registered(
            uscc=org.uscc, needs_check=needs_check, name=org.name, address=org.address,
            region_code=org.region_code, industry=org.industry))
    cert_ids: list[int] = []
    cycles: list[int] = []
    for spec in certificates:
        cid = p.certificate
        p.certificate += 1
        cert_ids.append(cid)
        org_id = org_ids[spec.organization] if spec.organization >= 0 else -spec.organization
        previous_id = cert_ids[spec.previous] if spec.previous is not None else None
        cycle = 1 if spec.previous is None else cycles[spec.previous] + 1
        cycles.append(cycle)
        sites = []
        for name, address, region, scope in spec.sites:
            rows["certificate_site"].append((p.site, cid, name, address, region, scope))
            sites.append([name, address, region, scope])
            p.site += 1
        audits = sorted(spec.audits, key=_start_on) if len(spec.audits) > 1 else spec.audits
        # Each audit's state is encoded once; a certificate's events splice the encoded audits so far
        # ("audits" sorts first among the state's keys, "audit" before "state").
        audit_jsons = []
        for audit in audits:
            team, start_on, end_on = sorted(audit.auditors), audit.start_on.isoformat(), audit.end_on.isoformat()
            audit_rows.append((p.audit, cid, audit.kind, audit.method, start_on, end_on))
            auditor_rows.extend([(p.audit, pid, number, role) for pid, number, role in team])
            audit_jsons.append(audit_state(auditors=team, end_on=end_on, kind=audit.kind, method=audit.method,
                                           start_on=start_on))
            p.audit += 1
        surveillance = audits[0].end_on if audits and audits[0].kind == "surveillance" else None
        issued_on, expires_on = spec.issued_on.isoformat(), spec.expires_on.isoformat()
        rest = certificate_issued_state(
            number=spec.number, body_id=spec.body_id, organization_id=org_id, scheme_code=spec.scheme_code,
            standard_id=spec.standard_id, issued_on=issued_on, expires_on=expires_on, cycle=cycle,
            previous_id=previous_id, holder_name=spec.holder_name, holder_address=spec.holder_address,
            region_code=spec.region_code, scope=spec.scope, scope_en=spec.scope_en, product=spec.product,
            certification_mode=spec.certification_mode, last_surveillance_on=_iso(surveillance), sites=sites,
            grade=spec.grade)
        log.add_encoded("certificate.renewed" if previous_id else "certificate.issued", "certificate", cid,
                        f'{{"state":{{"audits":[{",".join(audit_jsons[:1])}],{rest[1:]}}}')
        for index in range(1, len(audits)):
            audit = audits[index]
            if audit.kind == "surveillance" and (surveillance is None or audit.end_on > surveillance):
                surveillance = audit.end_on
            log.add_encoded("certificate.audited", "certificate", cid,
                            f'{{"audit":{audit_jsons[index]},"state":{{"audits":[{",".join(audit_jsons[:index + 1])}],'
                            f'"last_surveillance_on":{encode_plain(_iso(surveillance))}}}}}')
        status, reason, changed, until = "valid", None, spec.issued_on, None
        for step in spec.steps:
            status, reason, changed = step.status, step.reason, step.on
            until = step.until if step.status == "suspended" else None
            log.add(f"certificate.{status}", "certificate", cid, {
                "state": {"status": status, "status_reason": reason, "status_changed_on": changed.isoformat(),
                          "suspended_until": _iso(until)}, **(step.extra or {})})
            if status == "withdrawn" and (step.extra or {}).get("cause") == "holder":
                ends = add_months(step.on, rules.schemes[spec.scheme_code][5])
                data = {"scheme": spec.scheme_code, "cause": "holder"}
                rows["restriction"].append((p.restriction, "organization", org_id, "reapplication_block", reason,
                                            step.on.isoformat(), ends.isoformat(), None, f"certificate:{cid}",
                                            json_column(data)))
                log.add("restriction.imposed", "restriction", p.restriction, {"state": {
                    "subject_type": "organization", "subject_id": org_id, "kind": "reapplication_block",
                    "reason": reason, "starts_on": step.on.isoformat(), "ends_on": ends.isoformat(),
                    "lifted_on": None, "source": f"certificate:{cid}"}})
                p.restriction += 1
        rows["certificate"].append((
            cid, spec.number, spec.body_id, org_id, spec.scheme_code, spec.standard_id, status, reason,
            changed.isoformat() if spec.steps else issued_on, _iso(until), issued_on, expires_on, cycle,
            previous_id, spec.holder_name, spec.holder_address, spec.region_code, spec.scope, spec.scope_en,
            json_column(spec.product) if spec.product is not None else None, spec.certification_mode,
            _iso(surveillance), 1 + len(audits[1:]) + len(spec.steps), stamp, stamp, spec.grade))
    p.seq = log.seq
    rows["ledger_event"] = log.rows
    return PreparedBatch(start, p, rows, actor, frozenset(c.body_id for c in certificates), rules.fresh,
                         len(certificates), len(organizations))


# --- writing --------------------------------------------------------------------------------------------

COLUMNS = {
    "organization": ("id", "uscc", "uscc_needs_check", "name", "name_en", "search_name", "address", "region_code",
                     "industry", "merged_into_id", "created_at", "updated_at"),
    "organization_identifier": ("id", "organization_id", "scheme", "value"),
    "organization_name_gram": ("gram", "organization_id"),
    "certificate": ("id", "number", "body_id", "organization_id", "scheme_code", "standard_id", "status",
                    "status_reason", "status_changed_on", "suspended_until", "issued_on", "expires_on", "cycle",
                    "previous_id", "holder_name", "holder_address", "region_code", "scope", "scope_en", "product",
                    "certification_mode", "last_surveillance_on", "version", "created_at", "updated_at", "grade"),
    "certificate_site": ("id", "certificate_id", "name", "address", "region_code", "scope"),
    "audit": ("id", "certificate_id", "kind", "method", "start_on", "end_on"),
    "audit_auditor": ("audit_id", "person_id", "registration_number", "role"),
    "restriction": ("id", "subject_type", "subject_id", "kind", "reason", "starts_on", "ends_on", "lifted_on",
                    "source", "data"),
    "ledger_event": ("seq", "type", "subject_type", "subject_id", "actor", "at", "public", "body", "leaf_hash"),
}
_ROW_KEYS = {"name_gram": "organization_name_gram"}
_SQLITE_VARIABLES = 32_766  # bound parameters per statement (SQLite's default limit since 3.32)
_SQLITE_ROWS_PER_INSERT = 256  # rows per statement: as fast as a cached statement of thousands (bench/RESULTS.md)
SERIAL_TABLES = {"organization": "id", "organization_identifier": "id", "certificate": "id",
                 "certificate_site": "id", "audit": "id", "restriction": "id"}


def next_positions(session: Session) -> Positions:
    """Return where the next batch starts (call inside the writing transaction)."""
    def top(table: str, column: str = "id") -> int:
        return (session.execute(text(f"SELECT max({column}) FROM {table}")).scalar() or 0) + 1

    size = session.scalar(select(LedgerHead.size).where(LedgerHead.id == 1)) or 0
    return Positions(organization=top("organization"), identifier=top("organization_identifier"),
                     certificate=top("certificate"), site=top("certificate_site"), audit=top("audit"),
                     restriction=top("restriction"), seq=size)


def _insert(session: Session, table: str, rows: list[tuple]) -> None:
    insert_rows(session.connection(), table, rows)


def insert_rows(conn, table: str, rows: list[tuple]) -> None:
    """Insert ready rows of one of the import's tables (`COLUMNS`) on a connection: COPY on PostgreSQL, multi-row
    VALUES on SQLite (also the physical-limit baseline of `bench.run.bench_import`)."""
    if not rows:
        return
    columns = COLUMNS[table]
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        # Multi-row VALUES (per executed statement, the FTS5 trigger flushes the full-text index: one row a
        # statement was 7× slower), of one fixed size run with executemany, the rest in one statement: compiling
        # statements of thousands of rows cost 10–15 µs of CPU per imported certificate over the six tables, each
        # import again (a file's last chunk has a size of its own; statements are recompiled after a schema change).
        per = min(_SQLITE_ROWS_PER_INSERT, _SQLITE_VARIABLES // len(columns))
        row_marks = "(" + ", ".join("?" for _ in columns) + ")"
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        full = len(rows) - len(rows) % per
        cur = conn.connection.driver_connection.cursor()
        try:
            if full:
                cur.executemany(head + ", ".join([row_marks] * per),
                                [tuple(chain.from_iterable(rows[start:start + per])) for start in range(0, full, per)])
            if full < len(rows):
                cur.execute(head + ", ".join([row_marks] * (len(rows) - full)), tuple(chain.from_iterable(rows[full:])))
        finally:
            cur.close()


def _check_unique_in_database(session: Session, batch: PreparedBatch) -> None:
    # Through the driver: compiling the ORM's IN (...) of 900 literals cost more than the probe.
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"

    def first_taken(sql: str, head: tuple, values: list[str]) -> str | None:
        if sqlite:
            sql = sql.format(match=f"IN ({', '.join('?' * len(values))})")
            return conn.exec_driver_sql(sql, (*head, *values)).scalar()
        return conn.exec_driver_sql(sql.format(match="= ANY(?)").replace("?", "%s"), (*head, values)).scalar()

    usccs = [row[1] for row in batch.rows["organization"]]
    for part in _chunks(usccs):
        taken = first_taken("SELECT uscc FROM organization WHERE uscc {match} LIMIT 1", (), part)
        if taken:
            raise Conflict("organization.uscc_taken", field="organizations.uscc", uscc=taken)
    by_body: dict[int, list[str]] = {}
    for row in batch.rows["certificate"]:
        by_body.setdefault(row[2], []).append(row[1])
    for body_id, numbers in by_body.items():
        for part in _chunks(numbers):
            dup = first_taken("SELECT number FROM certificate WHERE body_id = ? AND number {match} LIMIT 1",
                              (body_id,), part)
            if dup:
                raise Conflict("certificate.number_taken", field="certificates.number", number=dup, body=body_id)


def write_batch(session: Session, *, principal: Principal, batch: PreparedBatch) -> None:
    """Write a prepared batch's rows and events in the caller's transaction, at the log position it expects."""
    if batch.body_ids:
        for body_id in sorted(batch.body_ids):
            require_body_operator(principal, body_id)
    else:
        require_regulator(principal)
    if batch.actor != principal.actor:
        raise Conflict("bulk.stale_batch", expected=batch.actor, found=principal.actor)
    events = batch.rows["ledger_event"]
    check_events(events)
    if len(events) != batch.end.seq - batch.start.seq or (events and events[0][0] != batch.start.seq):
        raise Conflict("bulk.stale_batch", expected=batch.start.seq, found=events[0][0] if events else None)
    session.flush()
    try:
        append_prepared(session, events)  # the event writer: takes the log positions, refuses holes
        if not batch.fresh:
            _check_unique_in_database(session, batch)
        for key in ("organization", "organization_identifier", "name_gram", "certificate", "certificate_site",
                    "audit", "audit_auditor", "restriction"):
            _insert(session, _ROW_KEYS.get(key, key), batch.rows[key])
    except IntegrityError as exc:  # a duplicate number or USCC that only the unique indexes saw
        raise Conflict("bulk.duplicate", detail=str(exc.orig).splitlines()[0]) from None
    if session.get_bind().dialect.name == "postgresql":
        for table, column in SERIAL_TABLES.items():
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                                 f"greatest((SELECT max({column}) FROM {table}), 1))"))


# --- certificate drafts (imports) ----------------------------------------------------------------------

def _lock_for_ids(session: Session) -> None:
    # Ids are taken as max + 1: hold off other inserters of these tables until this transaction ends. The log's
    # head row too, from here (before the batch is prepared at the log's next index) rather than from the append:
    # a background job appending in between would make the batch stale, and the importer would then issue the
    # file's rows one by one. (SQLite: the write session's BEGIN IMMEDIATE already holds every writer off.)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE organization, organization_identifier, certificate, certificate_site, "
                             "audit, restriction IN SHARE ROW EXCLUSIVE MODE"))
        session.execute(text("SELECT size FROM ledger_head WHERE id = 1 FOR UPDATE"))


def issue_drafts(session: Session, *, principal: Principal, body_id: int, drafts: list, today: date | None = None,
                 ) -> int:
    """Issue many certificate drafts (`CertificateIn`) for one body at once; raise on the first refused draft.

    The same rules as `service.issue_certificate`, applied set-wise; a caller that needs every bad row named
    falls back to issuing one by one after a refusal (the importer does).
    """
    from certbridge.registry.models import Organization
    from certbridge.registry.schemas_lookup import resolve_standard

    today = today or date.today()
    require_body_operator(principal, body_id)
    _lock_for_ids(session)
    usccs = {}
    checked: dict[str, UsccResult] = {}
    for index, draft in enumerate(drafts):
        if not draft.holder.uscc:
            raise InvalidInput("field.required", field=f"certificates[{index}].holder.uscc")
        result = validate_uscc(draft.holder.uscc)
        if result.status == "invalid":
            problem = result.problems[0]
            raise InvalidInput(problem.code, field=f"certificates[{index}].holder.uscc", **problem.params)
        usccs[index] = result.code
        checked[result.code] = result
    existing = {}
    for part in _chunks(sorted(set(usccs.values()))):
        for org in session.scalars(select(Organization).where(Organization.uscc.in_(part))):
            existing[org.uscc] = org
    rules = load_rules(session, organization_ids={o.id for o in existing.values()})
    grades = scheme_grades(session)
    organizations: list[OrganizationSpec] = []
    new_index: dict[str, int] = {}
    specs: list[CertificateSpec] = []
    standards: dict[tuple, int | None] = {}
    for index, draft in enumerate(drafts):
        scheme_code = draft.scheme.strip().upper()
        scheme = rules.schemes.get(scheme_code)
        if scheme is None:
            raise InvalidInput("scheme.not_found", field="scheme", code=draft.scheme)
        if len(draft.audits) > 1:
            raise InvalidInput("validation.too_long", field=f"certificates[{index}].audits")  # one by one instead
        key = (scheme_code, draft.standard_code, draft.standard_version, draft.issued_on)
        if key not in standards:
            std = resolve_standard(session, scheme_code, draft.standard_code, draft.standard_version, draft.issued_on)
            standards[key] = std.id if std else None
        holder, code = draft.holder, usccs[index]
        org = existing.get(code)
        if org is None and code not in new_index:
            region = holder.region_code or (code[2:8] if code[2:8] in rules.regions else None)
            new_index[code] = len(organizations)
            organizations.append(OrganizationSpec(uscc=code, name=holder.name.strip(), address=holder.address,
                                                  region_code=region))
        org_ref = -org.id if org is not None else new_index[code]
        org_region = org.region_code if org is not None else organizations[new_index[code]].region_code
        org_address = org.address if org is not None else organizations[new_index[code]].address
        audits = []
        for audit in draft.audits:
            people = []
            for a in audit.auditors:
                number = a.registration_number.strip().upper()
                reg = rules.registrations.get(number)
                if reg is None:
                    raise InvalidInput("auditor.unregistered", field="auditors", number=number)
                people.append((reg[0], number, a.role))
            audits.append(AuditSpec(audit.kind, audit.method, audit.start_on, audit.end_on, people))
        specs.append(CertificateSpec(
            number=normalize_number(draft.number), body_id=body_id, organization=org_ref, scheme_code=scheme_code,
            standard_id=standards[key], issued_on=draft.issued_on,
            expires_on=draft.expires_on or add_months(draft.issued_on, 12 * scheme[2]),
            holder_name=holder.name.strip(), holder_address=holder.address or org_address,
            region_code=holder.region_code or org_region, scope=draft.scope.strip(), audits=audits,
            scope_en=draft.scope_en, product=draft.product.model_dump(exclude_none=True) if draft.product else None,
            certification_mode=draft.certification_mode,
            grade=check_grade(grades, scheme_code, draft.grade, field=f"certificates[{index}].grade"),
            sites=[(s.name, s.address, s.region_code or None, s.scope) for s in draft.sites]))
    dialect = session.get_bind().dialect.name
    session.flush()
    batch = prepare_batch(organizations, specs, rules=rules, start=next_positions(session), actor=principal.actor,
                          at=datetime.now(timezone.utc), dialect=dialect, today=today, uscc_results=checked)
    write_batch(session, principal=principal, batch=batch)
    session.expire_all()
    return len(specs)
