"""Risk signal benchmark: `python -m bench.risk_bench [--certificates 200000] [--auditors 2000] [--events 200]`.

Builds a synthetic SQLite database (migrated schema; bodies, organizations, auditors, certificates with one
audit each and two auditors per audit, a few complaints and restrictions; rows bulk-inserted, no ledger
events), then measures:

- the full recompute of every signal of every body, organization and auditor (`risk.compute.recompute_all`)
  against a baseline in the same run: the aggregate scans any computation of these signals must at least
  make — certificates grouped by body and by organization, audits grouped by auditor with their dates;
- the incremental update per event: `follow_log` after each of N certificate events (a suspension recorded
  in the log), against a baseline of the same run's single-subject reads it must make (one certificate and
  the audits of its auditors).

Sizes scale: the issue's target is 10 M certificates and 100 k auditors; pass them if the machine has the
time. Results are printed as JSON (absolute seconds and the ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from certbridge.certificates.models import Audit, AuditAuditor, Certificate
from certbridge.complaints.models import Complaint
from certbridge.db import make_engine, make_sessionmaker, write_session
from certbridge.ledger.journal import record_event
from certbridge.migrate import upgrade
from certbridge.registry.models import CertificationBody, CertificationField, Organization, Person, Region, Scheme
from certbridge.risk.compute import follow_log, recompute_all

TODAY = date(2026, 12, 1)


def build(url: str, certificates: int, auditors: int, seed: int = 20261207) -> None:
    """Fill a migrated database with a synthetic register of the given size."""
    rng = random.Random(seed)
    engine = make_engine(url)
    upgrade(engine)
    bodies = max(10, certificates // 5000)
    orgs = max(10, certificates // 2)
    with engine.begin() as conn:
        conn.execute(insert(Region), [{"code": "450000", "name": "广西", "level": "province", "parent_code": None,
                                       "full_name": "广西壮族自治区"}])
        conn.execute(insert(CertificationField), [{"code": "SYS-QMS", "kind": "system", "name": "质量管理体系",
                                                   "name_en": "QMS"}])
        conn.execute(insert(Scheme), [{"code": "QMS", "name": "质量管理体系认证", "name_en": "QMS", "kind": "system",
                                       "field_code": "SYS-QMS", "mandatory": False}])
        scheme = "QMS"
        conn.execute(insert(CertificationBody), [
            {"id": b, "code": f"B{b:05d}", "approval_number": f"CNCA-R-{b:06d}", "name": f"认证机构{b}",
             "region_code": "450000", "status": "approved", "approved_on": date(2010, 1, 1)}
            for b in range(1, bodies + 1)])
        for start in range(1, orgs + 1, 50_000):
            conn.execute(insert(Organization), [
                {"id": o, "name": f"企业{o}", "search_name": f"企业{o}", "region_code": "450000"}
                for o in range(start, min(orgs, start + 49_999) + 1)])
        conn.execute(insert(Person), [{"id": p, "name": f"审核员{p}", "kind": "auditor",
                                       "body_id": rng.randrange(1, bodies + 1), "region_code": "450000"}
                                      for p in range(1, auditors + 1)])
        audit_id = 0
        for start in range(1, certificates + 1, 20_000):
            rows, audits, links = [], [], []
            for c in range(start, min(certificates, start + 19_999) + 1):
                issued = TODAY - timedelta(days=rng.randrange(1, 1000))
                rows.append({"id": c, "number": f"N{c:09d}", "body_id": rng.randrange(1, bodies + 1),
                             "organization_id": rng.randrange(1, orgs + 1), "scheme_code": scheme,
                             "status": "valid", "status_changed_on": issued, "issued_on": issued,
                             "expires_on": issued + timedelta(days=1095), "holder_name": "企业", "scope": "范围",
                             "cycle": 1, "version": 1})
                audit_id += 1
                begin = issued - timedelta(days=rng.randrange(5, 30))
                audits.append({"id": audit_id, "certificate_id": c, "kind": "initial", "method": "FS01",
                               "start_on": begin, "end_on": begin + timedelta(days=rng.choice((0, 1, 1, 2)))})
                for person in rng.sample(range(1, auditors + 1), 2):
                    links.append({"audit_id": audit_id, "person_id": person, "registration_number": f"R{person}",
                                  "role": "member"})
            conn.execute(insert(Certificate), rows)
            conn.execute(insert(Audit), audits)
            conn.execute(insert(AuditAuditor), links)
        conn.execute(insert(Complaint), [
            {"tracking_number": f"TS-BENCH-{i}", "subject_kind": "certificate", "subject_text": "x", "kind": "other",
             "description": "x", "certificate_id": i, "organization_id": rng.randrange(1, orgs + 1),
             "body_id": rng.randrange(1, bodies + 1), "status": "accepted", "filed_on": TODAY - timedelta(days=10),
             "accept_due_on": TODAY, "verify_extended": False} for i in range(1, max(2, certificates // 1000))])
    engine.dispose()


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def baseline_scans(sessions) -> float:
    """The aggregate reads every signal computation must at least make, timed in the same run."""
    def scans():
        with sessions() as s:
            s.execute(select(Certificate.body_id, func.count()).group_by(Certificate.body_id)).all()
            s.execute(select(Certificate.organization_id, func.count()).group_by(Certificate.organization_id)).all()
            s.execute(select(AuditAuditor.person_id, Audit.start_on, Audit.end_on, Certificate.organization_id)
                      .join(Audit, Audit.id == AuditAuditor.audit_id)
                      .join(Certificate, Certificate.id == Audit.certificate_id)
                      .order_by(AuditAuditor.person_id, Audit.start_on)).all()
    return _timed(scans)[0]


def measure(certificates: int, auditors: int, events: int, keep: Path | None = None) -> dict:
    folder = Path(keep or tempfile.mkdtemp(prefix="risk-bench-"))
    url = f"sqlite:///{folder / 'risk-bench.db'}"
    build_seconds, _ = _timed(lambda: build(url, certificates, auditors))
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    baseline = min(baseline_scans(sessions) for _ in range(2))
    full = []
    for _ in range(2):
        with write_session(sessions) as s:
            seconds, counts = _timed(lambda s=s: recompute_all(s, today=TODAY))
        full.append(seconds)
    rng = random.Random(1)
    per_event, single_reads = [], []
    for _ in range(events):
        cert_id = rng.randrange(1, certificates + 1)
        with write_session(sessions) as s:
            record_event(s, type="certificate.suspended", subject_type="certificate", subject_id=cert_id,
                         actor="bench", data={"state": {"status": "suspended"}})
        with write_session(sessions) as s:
            seconds, _ = _timed(lambda s=s: follow_log(s, today=TODAY))
        per_event.append(seconds)
        with sessions() as s:
            def reads(s=s, cert_id=cert_id):
                cert = s.get(Certificate, cert_id)
                people = list(s.scalars(select(AuditAuditor.person_id).join(Audit).where(
                    Audit.certificate_id == cert_id)))
                s.execute(select(Audit.start_on, Audit.end_on).join(AuditAuditor).where(
                    AuditAuditor.person_id.in_(people))).all()
                s.execute(select(func.count()).select_from(Certificate).where(
                    Certificate.body_id == cert.body_id)).all()
            single_reads.append(_timed(reads)[0])
    engine.dispose()
    per_event.sort()
    single_reads.sort()
    return {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}",
        "certificates": certificates, "auditors": auditors, "build_seconds": round(build_seconds, 1),
        "subjects_scored": counts, "baseline_scan_seconds": round(baseline, 3),
        "full_recompute_seconds": round(min(full), 3), "full_over_baseline": round(min(full) / baseline, 2),
        "events": events, "per_event_ms_p50": round(per_event[len(per_event) // 2] * 1000, 2),
        "per_event_ms_p95": round(per_event[int(len(per_event) * 0.95) - 1] * 1000, 2),
        "single_subject_reads_ms_p50": round(single_reads[len(single_reads) // 2] * 1000, 2),
        "per_event_over_reads_p50": round(per_event[len(per_event) // 2] / single_reads[len(single_reads) // 2], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=200_000)
    parser.add_argument("--auditors", type=int, default=2_000)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(measure(args.certificates, args.auditors, args.events), ensure_ascii=False, indent=2))




# ---------------------------------------------------------------------------------------------------------------
# Issue 19, round 2: per-event cost against the body's size (`--scaling`), and the full recompute at scale.

def build_sql(url: str, certificates: int, *, bodies: int = 1, auditors: int | None = None,
              seed: int = 20261207) -> dict:
    """Fill a migrated SQLite database with a synthetic register generated inside SQLite (a recursive series, no
    row through Python): `bodies` bodies sharing the certificates (1: one body holds them all), two certificates
    per organization, `auditors` auditors (default one per 50 certificates, made even), one initial audit per
    certificate with two auditors, one complaint per 1,000 certificates against body 1.

    Audits follow each auditor's schedule, as in reality: time is cut into slots (about 1,000 days in all, at
    least 10 days a slot) and each slot into two halves; in each slot every auditor leads one audit in the half
    of its parity and is the member of one audit in the other half (the member is the leader shifted by an odd
    offset that changes with the slot), so nobody is at two sites on one day — except one audit in 2,999, moved to
    the other half, whose two auditors are then double-booked with the audits they already have there (a few
    per cent of the auditors over two years). Audits last 2–3 days; one in 2,003 lasts 1 day (shorter than the
    initial audit's minimum of 2). Each certificate is issued 5–29 days after its audit."""
    auditors = auditors or max(200, certificates // 50)
    auditors += auditors % 2  # the member's parity is the leader's opposite
    orgs = max(10, certificates // 2)
    slots = -(-certificates // auditors)
    slot_days = max(10, 1000 // slots)
    half = slot_days // 2
    first_ago = 30 + slots * slot_days  # days before TODAY the first slot starts
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(seed)
    with engine.begin() as conn:
        conn.execute(insert(Region), [{"code": "450000", "name": "广西", "level": "province", "parent_code": None,
                                       "full_name": "广西壮族自治区"}])
        conn.execute(insert(CertificationField), [{"code": "SYS-QMS", "kind": "system", "name": "质量管理体系",
                                                   "name_en": "QMS"}])
        conn.execute(insert(Scheme), [{"code": "QMS", "name": "质量管理体系认证", "name_en": "QMS", "kind": "system",
                                       "field_code": "SYS-QMS", "mandatory": False}])
        conn.execute(insert(CertificationBody), [
            {"id": b, "code": f"B{b:05d}", "approval_number": f"CNCA-R-{b:06d}", "name": f"认证机构{b}",
             "region_code": "450000", "status": "approved", "approved_on": date(2010, 1, 1)}
            for b in range(1, bodies + 1)])
        for start in range(1, auditors + 1, 50_000):
            conn.execute(insert(Person), [{"id": p, "name": f"审核员{p}", "kind": "auditor",
                                           "body_id": 1 + p % bodies, "region_code": "450000"}
                                          for p in range(start, min(auditors, start + 49_999) + 1)])
    engine.dispose()
    # the bulk rows through a plain connection without journal, their tables' indexes dropped and made again
    # afterwards (sorting once is far faster than inserting into six B-trees at random at 10 M rows)
    raw = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "foreign_keys=OFF"):
        raw.execute(f"PRAGMA {pragma}")
    indexes = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
                          "tbl_name IN ('organization', 'certificate', 'audit', 'audit_auditor')").fetchall()
    for name, _sql in indexes:
        raw.execute(f'DROP INDEX "{name}"')
    raw.execute("BEGIN")
    series = "WITH RECURSIVE s(c) AS (SELECT 1 UNION ALL SELECT c + 1 FROM s WHERE c < :n) "
    raw.execute(
        series.replace(":n", str(orgs)) +
        "INSERT INTO organization (id, name, search_name, region_code, uscc_needs_check, service_company, "
        "created_at, updated_at) SELECT c, '企业' || c, '企业' || c, '450000', 0, 0, datetime('now'), "
        "datetime('now') FROM s")
    # audit c (of certificate c) starts `ago` days before TODAY: its slot, its half, a day within the half
    ago = (f"({first_ago} - (((c - 1) / {auditors}) * {slot_days} "
           f"+ (((c - 1) % {auditors}) % 2 + (c % 2999 = 0)) % 2 * {half} + (c * 13) % {half - 2}))")
    raw.execute(
        series.replace(":n", str(certificates)) +
        "INSERT INTO certificate (id, number, body_id, organization_id, scheme_code, status, status_changed_on, "
        "issued_on, expires_on, cycle, holder_name, scope, version, created_at, updated_at) "
        f"SELECT c, printf('N%09d', c), 1 + (c * 7919) % {bodies}, 1 + (c * 104729) % {orgs}, 'QMS', 'valid', "
        "d, d, date(d, '+1095 days'), 1, '企业', '范围', 1, datetime('now'), datetime('now') FROM "
        f"(SELECT c, date('{TODAY.isoformat()}', '-' || ({ago} - 5 - (c * 13) % 25) || ' days') AS d FROM s)")
    raw.execute(
        "INSERT INTO audit (id, certificate_id, kind, method, start_on, end_on) "
        "SELECT id, id, 'initial', 'FS01', b, "
        "date(b, '+' || (CASE WHEN id % 2003 = 0 THEN 0 ELSE 1 + id % 2 END) || ' days') FROM "
        "(SELECT id, date(issued_on, '-' || (5 + (id * 13) % 25) || ' days') AS b FROM certificate)")
    raw.execute(
        "INSERT INTO audit_auditor (audit_id, person_id, registration_number, role) "
        f"SELECT id, 1 + (id - 1) % {auditors}, 'R', 'leader' FROM audit UNION ALL "
        f"SELECT id, 1 + ((id - 1) % {auditors} + 1 + 2 * ((((id - 1) / {auditors}) * 7919) % {auditors // 2}))"
        f" % {auditors}, 'R', 'member' FROM audit")
    raw.execute("COMMIT")
    for _name, sql in indexes:
        raw.execute(sql)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.close()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Complaint), [
            {"tracking_number": f"TS-BENCH-{i}", "subject_kind": "certificate", "subject_text": "x", "kind": "other",
             "description": "x", "certificate_id": i, "organization_id": rng.randrange(1, orgs + 1),
             "body_id": 1, "status": "accepted", "filed_on": TODAY - timedelta(days=10),
             "accept_due_on": TODAY, "verify_extended": False} for i in range(1, max(2, certificates // 1000))])
    engine.dispose()
    return {"certificates": certificates, "bodies": bodies, "organizations": orgs, "auditors": auditors}


def data_set(data_dir: Path, size: int, auditors: int | None = None) -> tuple[Path, dict | None]:
    """Return the built data set of this size (built now, under another name first, if it is not there yet: an
    interrupted build is never reused) and what was built (None if it was there)."""
    name = f"risk-scaling-{size}" + (f"-{auditors}a" if auditors else "")
    path = data_dir / f"{name}.db"
    if path.exists():
        return path, None
    partial = data_dir / f"{name}.partial.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    seconds, built = _timed(lambda: build_sql(f"sqlite:///{partial}", size, auditors=auditors))
    built["build_seconds"] = round(seconds, 1)
    partial.rename(path)
    return path, built


def _cpu(fn):
    start = time.process_time()
    value = fn()
    return time.process_time() - start, value


def per_event(url: str, certificates: int, events: int, seed: int = 1, rebuild_state: bool = True) -> dict:
    """CPU time of the follower per event: a suspension (status signals of the body and holder) and a change that
    is not only a status (every signal of the body, the holder and the two auditors)."""
    from sqlalchemy import update

    try:
        from certbridge.risk.state import rebuild  # this branch: the state the events keep
    except ImportError:  # an older tree: nothing kept, the signals read the register
        rebuild = None
    from certbridge.ledger.journal import log_size
    from certbridge.risk.compute import _cursor

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with write_session(sessions) as s:
        if rebuild is not None and rebuild_state:
            rebuild(s)
        _cursor(s).last_seq = log_size(s) - 1
    rng = random.Random(seed)
    out: dict[str, list[float]] = {"suspension": [], "other_change": []}
    for i in range(events):
        cert_id = rng.randrange(1, certificates + 1)
        kind = "suspension" if i % 2 == 0 else "other_change"
        with write_session(sessions) as s:
            if kind == "suspension":
                s.execute(update(Certificate).where(Certificate.id == cert_id)
                          .values(status="suspended", status_changed_on=TODAY))
                record_event(s, type="certificate.suspended", subject_type="certificate", subject_id=cert_id,
                             actor="bench", data={"state": {"status": "suspended"}})
            else:
                record_event(s, type="certificate.updated", subject_type="certificate", subject_id=cert_id,
                             actor="bench", data={"state": {"scope": "范围"}})
        with write_session(sessions) as s:
            seconds, _ = _cpu(lambda s=s: follow_log(s, today=TODAY))
        out[kind].append(seconds)
    engine.dispose()
    result = {}
    for kind, values in out.items():
        values.sort()
        result[f"{kind}_cpu_ms_p50"] = round(values[len(values) // 2] * 1000, 2)
        result[f"{kind}_cpu_ms_p90"] = round(values[int(len(values) * 0.9) - 1] * 1000, 2)
    return result


def scaling(sizes: list[int], events: int, data_dir: Path, auditors: int | None = None,
            in_place: bool = False) -> dict:
    """Per-event CPU time at each size, one body holding every certificate; data sets kept in `data_dir`."""
    from certbridge.risk.models import RiskCertificate

    rows = []
    for size in sizes:
        path, built = data_set(data_dir, size, auditors)
        kept = False
        if in_place:  # a full recompute already ran on this file: its risk state is current
            engine = make_engine(f"sqlite:///{path}")
            with make_sessionmaker(engine)() as s:
                kept = s.scalar(select(RiskCertificate.certificate_id).limit(1)) is not None
            engine.dispose()
        work = _work_copy(path, in_place)  # a copy: every run starts from the same built register
        rows.append({"certificates": size, **(built or {}), "state_kept": kept,
                     **per_event(f"sqlite:///{work}", size, events, rebuild_state=not kept)})
        if not in_place:
            work.unlink()
    first = rows[0]
    for row in rows:
        for kind in ("suspension", "other_change"):
            row[f"{kind}_over_smallest"] = round(row[f"{kind}_cpu_ms_p50"] / first[f"{kind}_cpu_ms_p50"], 2)
    return {"machine": f"{platform.machine()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}",
            "events_per_size": events, "rows": rows}


def _work_copy(path: Path, in_place: bool) -> Path:
    """The data set to run on: a copy (every run starts from the same register), or the built file itself."""
    if in_place:
        return path
    work = path.with_name(path.stem + ".work.db")
    shutil.copyfile(path, work)
    return work


def full_recompute(size: int, data_dir: Path, auditors: int | None = None, in_place: bool = False) -> dict:
    """CPU and wall time of the full recompute, part by part, in one transaction: the risk state rebuilt (grouped
    statements) and the signals of each subject type; of the auditors', the set-wise signals
    (`signals.auditor_signals`) and the warnings (`warnings.raise_warnings`, with their log events) apart."""
    from contextlib import nullcontext

    from certbridge.principal import SYSTEM
    from certbridge.risk import compute as rc
    from certbridge.risk import signals as rs
    from certbridge.risk import state
    from certbridge.risk.models import EarlyWarning, RiskSignal
    from certbridge.risk.parameters import load_parameters

    try:
        from certbridge.risk import auditors as rs  # noqa: F811  (this branch: the auditors' signals apart)
    except ImportError:  # an older tree: they are in risk/signals.py
        pass
    bulk_cache = getattr(state, "bulk_cache", lambda _s: nullcontext())  # an older tree: the usual cache

    path, built = data_set(data_dir, size, auditors)
    work = _work_copy(path, in_place)
    engine = make_engine(f"sqlite:///{work}")
    sessions = make_sessionmaker(engine)
    parts: dict = {}
    inner: dict[str, list[float]] = {"auditor_signals": [0.0, 0.0], "warnings": [0.0, 0.0]}

    def timed(name, fn):
        def run(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                inner[name][0] += time.process_time() - cpu
                inner[name][1] += time.perf_counter() - wall
        return run

    originals = getattr(rs, "auditor_signals", None), rc.raise_warnings  # (an older tree: no set-wise signals)
    if originals[0] is not None:
        rs.auditor_signals = timed("auditor_signals", rs.auditor_signals)
    rc.raise_warnings = timed("warnings", rc.raise_warnings)
    try:
        with write_session(sessions) as s, bulk_cache(s):  # as recompute_all runs it
            wall = time.perf_counter()
            parts["state_rebuild_cpu_s"] = round(_cpu(lambda: state.rebuild(s))[0], 2)
            parts["state_rebuild_wall_s"] = round(time.perf_counter() - wall, 2)
            print(json.dumps({**parts, "load": round(os.getloadavg()[0], 2)}), file=sys.stderr, flush=True)
            params = load_parameters(s)
            for kind in rc.SUBJECT_TYPES:
                for value in inner.values():
                    value[:] = [0.0, 0.0]
                wall = time.perf_counter()
                seconds, n = _cpu(lambda kind=kind: rc._store(s, kind, None, TODAY, params, SYSTEM))
                parts[f"{kind}_cpu_s"], parts[f"{kind}_wall_s"] = round(seconds, 2), round(time.perf_counter() - wall, 2)
                parts[f"{kind}_subjects"] = n
                if kind == "person":
                    for name, (cpu, w) in inner.items():
                        parts[f"person_{name}_cpu_s"], parts[f"person_{name}_wall_s"] = round(cpu, 2), round(w, 2)
                print(json.dumps({**parts, "load": round(os.getloadavg()[0], 2)}), file=sys.stderr, flush=True)
            wall = time.perf_counter()
            commit_cpu = time.process_time()
        parts["commit_cpu_s"] = round(time.process_time() - commit_cpu, 2)
        parts["commit_wall_s"] = round(time.perf_counter() - wall, 2)
        with sessions() as s:
            parts["person_signals"] = dict(s.execute(
                select(RiskSignal.signal, func.count()).where(RiskSignal.subject_type == "person",
                                                                 RiskSignal.triggered.is_(True))
                .group_by(RiskSignal.signal)).all())
            parts["warnings_open"] = dict(s.execute(select(EarlyWarning.reason, func.count()).where(
                EarlyWarning.status == "open").group_by(EarlyWarning.reason)).all())
    finally:
        if originals[0] is not None:
            rs.auditor_signals = originals[0]
        rc.raise_warnings = originals[1]
    engine.dispose()
    if not in_place:
        work.unlink()
    import resource

    return {"certificates": size, "auditors": auditors or max(200, size // 50), **(built or {}), **parts,
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "machine": f"{platform.machine()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"}


def per_auditor_python(session, ids, today: date, windows: dict[str, int]) -> dict:
    """The per-auditor computation the set-wise one replaced (main at bedb655, risk/signals.py): every auditor's
    audits read in start order into Python, the days of each audit added to a set, each audit compared with
    the next ones until one starts after it ends, each audit's length compared with its minimum."""
    from collections import defaultdict

    try:
        from certbridge.risk.auditors import EVIDENCE_MAX, audit_minimums
    except ImportError:  # an older tree
        from certbridge.risk.signals import EVIDENCE_MAX, audit_minimums

    since = today - timedelta(days=max(windows.values()))
    rows = defaultdict(list)
    for person, audit_id, start, end, org, number, kind, scheme in session.execute(
            select(AuditAuditor.person_id, Audit.id, Audit.start_on, Audit.end_on, Certificate.organization_id,
                   Certificate.number, Audit.kind, Certificate.scheme_code)
            .join(Audit, Audit.id == AuditAuditor.audit_id).join(Certificate, Certificate.id == Audit.certificate_id)
            .where(Audit.start_on > since, Audit.start_on <= today, True if ids is None else
                   AuditAuditor.person_id.in_(ids))
            .order_by(AuditAuditor.person_id, Audit.start_on, Audit.id)):
        rows[person].append((audit_id, start, end, org, number, kind, scheme))
    minimum = audit_minimums(session)
    out: dict = {signal: {} for signal in windows}
    for person, every in rows.items():
        def within(signal, every=every):
            start = today - timedelta(days=windows[signal])
            return [a for a in every if a[1] > start]
        if "auditor_load" in windows and (audits := within("auditor_load")):
            days = set()
            for _a, start, end, *_ in audits:
                days.update(start + timedelta(days=i) for i in range(max((end - start).days + 1, 1)))
            out["auditor_load"][person] = (float(len(days)), {"audits": len(audits)})
        if "double_booked" in windows:
            audits, pairs = within("double_booked"), []
            for i, (a_id, a_start, a_end, a_org, a_number, *_rest) in enumerate(audits):
                for b_id, b_start, _b_end, b_org, b_number, *_r in audits[i + 1:]:
                    if b_start > a_end:
                        break
                    if b_org != a_org:
                        pairs.append({"audits": [a_id, b_id], "certificates": [a_number, b_number],
                                      "day": max(a_start, b_start).isoformat()})
            if pairs:
                out["double_booked"][person] = (float(len(pairs)), {"pairs": pairs[:EVIDENCE_MAX]})
        if "short_audits" in windows:
            found = []
            for audit_id, start, end, _org, number, akind, scheme in within("short_audits"):
                need = minimum.get((scheme, akind), minimum.get(("*", akind)))
                if need and (end - start).days + 1 < need:
                    found.append({"audit": audit_id, "certificate": number, "days": (end - start).days + 1,
                                  "minimum": need})
            if found:
                out["short_audits"][person] = (float(len(found)), {"audits": found[:EVIDENCE_MAX]})
    return out


def compare(size: int, data_dir: Path, auditors: int | None, rounds: int) -> dict:
    """The auditors' three signals for every auditor: set-wise SQL (`signals.auditor_signals`) against the
    per-auditor Python it replaced, alternating in the same run on the same data set, CPU and wall; both
    results must be equal."""
    from certbridge.risk.parameters import load_parameters
    try:
        from certbridge.risk.auditors import AUDITOR_SIGNALS, auditor_signals
    except ImportError:  # an older tree
        from certbridge.risk.signals import AUDITOR_SIGNALS, auditor_signals

    path, built = data_set(data_dir, size, auditors)
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_sessionmaker(engine)
    times: dict[str, list[tuple[float, float]]] = {"python": [], "sql": []}
    results = {}
    with sessions() as s:
        params = load_parameters(s)
        windows = {signal: params[signal].window_days for signal in AUDITOR_SIGNALS}
        for _ in range(rounds):
            for name, fn in (("python", per_auditor_python), ("sql", auditor_signals)):
                wall = time.perf_counter()
                cpu, results[name] = _cpu(lambda fn=fn: fn(s, None, TODAY, windows))
                times[name].append((cpu, time.perf_counter() - wall))
    engine.dispose()
    if results["python"] != results["sql"]:
        raise AssertionError("the set-wise auditor signals differ from the per-auditor computation")
    best = {name: min(values) for name, values in times.items()}
    return {"certificates": size, **(built or {}), "rounds": rounds,
            "auditors_with": {signal: len(values) for signal, values in results["sql"].items()},
            "python_cpu_s": round(best["python"][0], 2), "python_wall_s": round(best["python"][1], 2),
            "sql_cpu_s": round(best["sql"][0], 2), "sql_wall_s": round(best["sql"][1], 2),
            "python_over_sql_cpu": round(best["python"][0] / best["sql"][0], 1),
            "all_cpu_s": {name: [round(c, 2) for c, _w in values] for name, values in times.items()},
            "machine": f"{platform.machine()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"}


def scaling_main() -> None:
    parser = argparse.ArgumentParser(description="risk per-event scaling and full recompute (issue 19)")
    parser.add_argument("--scaling", default="10000,100000,500000")
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--full", type=int, default=0, help="also time the full recompute at this size")
    parser.add_argument("--auditors", type=int, default=0, help="auditors of the --full / --compare data set "
                        "(default: one per 50 certificates)")
    parser.add_argument("--in-place", action="store_true", help="--full on the built data set, not a copy")
    parser.add_argument("--compare", type=int, default=0, help="the auditors' signals, set-wise against the "
                        "per-auditor Python, at this size")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "risk-bench")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if args.scaling:
        print(json.dumps(scaling([int(x) for x in args.scaling.split(",")], args.events, args.data_dir,
                                 args.auditors or None, args.in_place), ensure_ascii=False, indent=2), flush=True)
    if args.compare:
        print(json.dumps(compare(args.compare, args.data_dir, args.auditors or None, args.rounds),
                         ensure_ascii=False, indent=2), flush=True)
    if args.full:
        print(json.dumps(full_recompute(args.full, args.data_dir, args.auditors or None, args.in_place),
                         ensure_ascii=False, indent=2), flush=True)


if __name__ == "__main__":
    scaling_main() if any(a.startswith(("--scaling", "--full", "--compare")) for a in sys.argv[1:]) else main()
