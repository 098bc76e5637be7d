"""A small, fully known world every API test starts from: two bodies, people, users and their keys."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from certbridge.auth.service import create_api_key, create_user
from certbridge.demo.reference import load_reference
from certbridge.kit.uscc import generate_uscc
from certbridge.principal import SYSTEM
from certbridge.registry import bodies, labs, people, restrictions, service

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    """Ids and secrets of the seeded world."""

    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    uscc: dict[str, str] = field(default_factory=dict)

    def auth(self, role: str) -> dict[str, str]:
        """Return the Authorization header of a seeded role's API key."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def build_world(session: Session) -> World:
    """Seed reference data and the test world; return what tests need to address it."""
    w = World()
    load_reference(session)
    rng = random.Random(20261121)
    body_a = bodies.approve_body(session, principal=SYSTEM, code="00126", approval_number="CNCA-R-2002-126",
                                 name="北部湾质量认证中心有限公司", fields=["SYS-QMS", "SYS-EMS", "PRD-CCC"],
                                 approved_on=date(2002, 5, 1), region_code="450500")
    body_b = bodies.approve_body(session, principal=SYSTEM, code="00213", approval_number="CNCA-R-2005-213",
                                 name="南方检验认证有限公司", fields=["SYS-QMS"], approved_on=date(2005, 3, 1),
                                 region_code="440100")
    w.ids.update(body_a=body_a.id, body_b=body_b.id)
    auditors = {
        "a1": ("李明", body_a.id, "2021-N1QMS-1000001"),
        "a2": ("王芳", body_a.id, "2022-N1QMS-1000002"),
        "a3": ("赵强", body_a.id, "2020-N1QMS-1000003"),  # barred below
        "b1": ("陈静", body_b.id, "2019-N1QMS-2000001"),
    }
    for key, (name, body_id, number) in auditors.items():
        person = people.register_person(session, principal=SYSTEM, name=name, kind="auditor", body_id=body_id,
                                        registrations=[{"number": number, "field": "QMS"}])
        w.ids[key] = person.id
    restrictions.impose_restriction(session, principal=SYSTEM, subject_type="person", subject_id=w.ids["a3"],
                                    kind="barred", reason="出具虚假认证结论", starts_on=date(2024, 1, 1),
                                    ends_on=date(2029, 1, 1), source="国市监认罚〔2024〕1号")
    inspector = people.register_person(session, principal=SYSTEM, name="周敏", kind="inspector",
                                       employer="北海市市场监督管理局", region_code="450500")
    w.ids["inspector"] = inspector.id
    lab = labs.qualify_lab(session, principal=SYSTEM, cma_number="241500340123", name="北海市产品质量检验所",
                           qualified_on=date(2024, 3, 1), region_code="450500",
                           capabilities=[{"category": "食品", "item": "铅的测定", "standard": "GB 5009.12-2023"}])
    w.ids["lab"] = lab.id
    for key, name in (("org1", "北海市海城区示例电子有限公司"), ("org2", "北海格力电器配件有限公司")):
        code = generate_uscc(rng, region="450502")
        org = service.register_organization(session, principal=SYSTEM, name=name, uscc=code, region_code="450502")
        w.ids[key], w.uscc[key] = org.id, code
    users = {
        "admin": {"role": "admin"},
        "regulator": {"role": "regulator"},
        "cb_a": {"role": "cb_operator", "body_id": body_a.id},
        "cb_b": {"role": "cb_operator", "body_id": body_b.id},
        "lab": {"role": "lab_operator", "lab_id": lab.id},
        "inspector": {"role": "inspector", "person_id": inspector.id},
        "org": {"role": "organization", "organization_id": w.ids["org1"]},
    }
    for username, scope in users.items():
        user = create_user(session, principal=SYSTEM, username=username, display_name=username, password=PASSWORD,
                           **scope)
        w.ids[f"user_{username}"] = user.id
        w.tokens[username] = create_api_key(session, principal=SYSTEM, user_id=user.id, name="test").token
    return w


def certificate_payload(w: World, *, number: str = "00126Q26001R0M/4500", org: str = "org1",
                        scheme: str = "QMS", issued_on: str = "2025-03-01", auditors=("2021-N1QMS-1000001",),
                        **overrides) -> dict:
    """Return a valid issue request body for body A."""
    payload = {
        "number": number, "scheme": scheme, "standard_code": "GB/T 19001", "standard_version": "2016",
        "holder": {"name": "北海市海城区示例电子有限公司" if org == "org1" else "北海格力电器配件有限公司",
                   "uscc": w.uscc[org], "address": "广西北海市海城区北京路 1 号"},
        "scope": "电子元器件的设计和生产", "issued_on": issued_on,
        "audits": [{"kind": "initial", "method": "FS01", "start_on": "2025-02-20", "end_on": "2025-02-21",
                    "auditors": [{"registration_number": n, "role": "leader" if i == 0 else "member"}
                                 for i, n in enumerate(auditors)]}],
    }
    payload.update(overrides)
    return payload
