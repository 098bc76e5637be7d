"""Demo licensing cases, filed by the demo `applicant` account and handled by the regulator through the real
services: a draft, a case awaiting acceptance, one awaiting corrections, one in technical review, a lab
licensed after review, a certification body licensed under 告知承诺 with its commitment still to verify, and a
scope extension of the licensed lab awaiting its decision. Dates are counted back from the as-of date."""

from __future__ import annotations

import random
import zlib
import tempfile
from datetime import date, timedelta

from sqlalchemy import select

from certbridge.auth.models import User
from certbridge.auth.service import principal_for
from certbridge.db import write_session
from certbridge.kit.uscc import generate_uscc
from certbridge.licensing import cases
from certbridge.licensing.case_decisions import Authority, approve, assign_review, issue_licence, regulator_step
from certbridge.registry.identity import fingerprint
from certbridge.registry.models import Person
from certbridge.supervision.directory import declare_relationship

# The demo's applicants give a (synthetic) ID document; the pages would hash it under the instance's identity key,
# the demo under this fixed one, so no real or instance-bound fingerprint is made.
DEMO_IDENTITY_KEY = b"certbridge-demo-identity-key"
AUTHORITY = Authority("国家认证认可监督管理委员会", "11100000190748334U")
PDF = b"%PDF-1.4\n% demo quality manual\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _lab(name: str, uscc: str, items: str) -> dict:
    rep = fingerprint(DEMO_IDENTITY_KEY, f"L{zlib.crc32(uscc.encode()):08d}")  # passport-shaped, one per lab
    return {"name": name, "uscc": uscc, "address": "广西北海市银海区科技路 8 号", "legal_representative": "黄海",
            "legal_rep_fingerprint": rep,
            "capabilities": items, "sites": "广西北海市银海区科技路 8 号", "equipment": "原子荧光光度计\n电感耦合等离子体质谱仪",
            "personnel": "黄海（技术负责人）\n林月（授权签字人）"}


def build_licensing(sessions, *, as_of: date) -> dict[str, int]:
    """File and move the demo cases; return how many cases were made."""
    rng = random.Random(18)
    data_dir = tempfile.mkdtemp(prefix="certbridge-demo-attachments-")
    with write_session(sessions) as session:
        user = session.scalar(select(User).where(User.username == "applicant"))
        regulator = session.scalar(select(User).where(User.username == "regulator"))
        if user is None or regulator is None:
            return {}
        who, reg = principal_for(user), principal_for(regulator)
        staff = list(session.scalars(select(Person.id).where(Person.kind == "inspector").order_by(Person.id).limit(4)))
    team = staff[:3]
    start = as_of - timedelta(days=70)
    made = []

    def file(application: dict, *, subject_type="lab", procedure="general", kind="application", subject_id=None,
             submit=True, on=start) -> int:
        with write_session(sessions) as session:
            case = cases.file_case(session, principal=who, kind=kind, subject_type=subject_type, procedure=procedure,
                                   application=application, subject_id=subject_id, today=on,
                                   contact_email="applicant@example.cn")
            if kind == "application":
                cases.attach_file(session, principal=who, case_id=case.id, filename="质量手册.pdf", data=PDF,
                                  data_dir=data_dir, max_bytes=1 << 20)
            if submit:
                cases.applicant_step(session, principal=who, case_id=case.id, action="submit", on=on)
            made.append(case.id)
            return case.id

    def step(case_id: int, action: str, note: str | None, on: date) -> None:
        with write_session(sessions) as session:
            regulator_step(session, principal=reg, case_id=case_id, action=action, note=note, on=on)

    file(_lab("北海市北部湾食品检测有限公司", generate_uscc(rng, region="450503"), "食品 | 铅的测定 | GB 5009.12-2023"),
         submit=False, on=as_of)
    file(_lab("钦州市港口检测技术有限公司", generate_uscc(rng, region="450702"), "水质 | pH 值的测定 | HJ 1147-2020"),
         on=as_of - timedelta(days=2))
    waiting = file(_lab("防城港市海洋环境监测站有限公司", generate_uscc(rng, region="450602"), "海水 | 石油类 | GB 17378.4-2007"),
                   on=as_of - timedelta(days=10))
    step(waiting, "request_correction", "缺少计量溯源证书和授权签字人任命文件", as_of - timedelta(days=8))
    reviewing = file(_lab("玉林市建设工程质量检测有限公司", generate_uscc(rng, region="450902"), "建筑材料 | 抗压强度 | GB/T 50081-2019"),
                     on=as_of - timedelta(days=30))
    step(reviewing, "accept", None, as_of - timedelta(days=28))
    if len(team) >= 2:
        with write_session(sessions) as session:
            if len(staff) > 3:  # one proposed reviewer once consulted for the applicant: recused, with the reason
                declare_relationship(session, principal=reg, person_id=staff[3], kind="consulting",
                                     party_name="玉林市建设工程质量检测有限公司", declared_on=as_of - timedelta(days=400),
                                     note="2024 年为其提供过资质认定咨询")
            assign_review(session, principal=reg, case_id=reviewing, person_ids=staff, on=as_of - timedelta(days=25))
    licensed = file(_lab("北海市海洋检测技术有限公司", generate_uscc(rng, region="450503"),
                         "水产品 | 汞的测定 | GB 5009.17-2021\n水产品 | 铅的测定 | GB 5009.12-2023"), on=start)
    step(licensed, "accept", None, start + timedelta(days=3))
    if len(team) >= 2:
        with write_session(sessions) as session:
            assign_review(session, principal=reg, case_id=licensed, person_ids=team, on=start + timedelta(days=5))
        step(licensed, "record_findings", "人员、设备、环境和管理体系符合资质认定要求", start + timedelta(days=20))
        with write_session(sessions) as session:
            approve(session, principal=reg, case_id=licensed, on=start + timedelta(days=22))
            issue_licence(session, principal=reg, case_id=licensed, authority=AUTHORITY, on=start + timedelta(days=24))
            lab_id = cases.get_case(session, licensed).subject_id
        extension = file({"capabilities": "水产品 | 汞的测定 | GB 5009.17-2021\n水产品 | 铅的测定 | GB 5009.12-2023\n"
                                          "水产品 | 镉的测定 | GB 5009.15-2023"},
                         kind="change", subject_id=lab_id, on=as_of - timedelta(days=5))
        step(extension, "accept", None, as_of - timedelta(days=4))
    body = file({"name": "广西北部湾认证服务有限公司", "uscc": generate_uscc(rng, region="450502"),
                 "address": "广西北海市海城区北京路 1 号", "legal_representative": "韦明", "fields": ["SYS-QMS"],
                 "capital_wan": "500", "auditors": "\n".join(f"审核员{i:02d}" for i in range(1, 13))},
                subject_type="body", procedure="commitment", on=start + timedelta(days=10))
    step(body, "accept", None, start + timedelta(days=11))
    with write_session(sessions) as session:
        approve(session, principal=reg, case_id=body, on=start + timedelta(days=11))
        issue_licence(session, principal=reg, case_id=body, authority=AUTHORITY, on=start + timedelta(days=12))
    return {"licensing_cases": len(made)}
