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


if __name__ == "__main__":
    main()
