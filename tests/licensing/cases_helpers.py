"""Helpers for licensing-case tests: an applicant account, filled-in applications, a real PDF attachment."""

from __future__ import annotations

from datetime import date

from certbridge.auth.service import principal_for, register_applicant
from certbridge.db import write_session
from certbridge.licensing import cases
from certbridge.licensing.case_decisions import Authority
from certbridge.principal import Principal
from certbridge.registry.identity import fingerprint

TEST_IDENTITY_KEY = b"lablegal-test-identity-key-32byt"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
AUTHORITY = Authority("国家认证认可监督管理委员会", "11100000190748334U")
LAB_APPLICATION = {
    "name": "北海市海洋检测技术有限公司", "uscc": "91450503MAMEA76YXC", "address": "北海市银海区科技路 8 号",
    "legal_representative": "黄海", "legal_representative_id_number": "45050219750505123X", "capabilities": "水产品 | 汞的测定 | GB 5009.17-2021\n水产品 | 铅的测定 | GB 5009.12-2023",
    "sites": "北海市银海区科技路 8 号", "equipment": "原子荧光光度计 AFS-8220", "personnel": "黄海（技术负责人）\n林月（授权签字人）",
}
CB_APPLICATION = {
    "name": "广西新桂认证有限公司", "uscc": "91450103MAF5F9EW6L", "address": "南宁市青秀区民族大道 100 号",
    "legal_representative": "韦明", "fields": ["SYS-QMS"], "capital_wan": "500",
    "auditors": "\n".join(f"审核员{i}" for i in range(1, 11)),
}


def as_filed(application: dict) -> dict:
    """Return an application as the pages and the API pass it on: the ID number replaced by its keyed hash."""
    out = dict(application)
    raw = out.pop("legal_representative_id_number", None)
    if raw:
        out["legal_rep_fingerprint"] = fingerprint(TEST_IDENTITY_KEY, raw)
    return out


def applicant(sessions, username: str = "hy_lab") -> Principal:
    """Open an applicant account and return who it acts as."""
    with write_session(sessions) as db:
        user = register_applicant(db, username=username, display_name="申请人", password="correct-horse-9")
        return principal_for(user)


def filed(sessions, who: Principal, *, subject_type: str = "lab", procedure: str = "general",
          application: dict | None = None, kind: str = "application", subject_id: int | None = None,
          on: date | None = None, data_dir=None, email: str | None = None) -> int:
    """File a case, attach a PDF to a first application, submit it; return its id."""
    with write_session(sessions) as db:
        case = cases.file_case(db, principal=who, kind=kind, subject_type=subject_type, procedure=procedure,
                               application=as_filed(application or (LAB_APPLICATION if subject_type == "lab"
                                                                    else CB_APPLICATION)),
                               subject_id=subject_id, contact_email=email, today=on)
        case_id = case.id
        if kind == "application":
            cases.attach_file(db, principal=who, case_id=case_id, filename="质量手册.pdf", data=PDF,
                              data_dir=data_dir, max_bytes=1024 * 1024)
        cases.applicant_step(db, principal=who, case_id=case_id, action="submit", on=on)
    return case_id
