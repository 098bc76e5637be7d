"""Helpers for supervision tests: certified organizations, inspectors, a plan with a batch, service calls."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from certbridge.db import write_session
from certbridge.kit.uscc import generate_uscc
from certbridge.principal import SYSTEM
from certbridge.registry import people
from certbridge.supervision import plans
from tests.world import certificate_payload

BUREAU = "北海市市场监督管理局"


@pytest.fixture
def run(sessions):
    """Run a service in its own write transaction and return what it returns."""

    def _run(fn, /, **kwargs):
        with write_session(sessions) as session:
            return fn(session, **kwargs)

    return _run


@pytest.fixture
def certify(client, world):
    """Issue a QMS certificate (body A) to each of n new organizations; return their ids in order."""

    def _certify(n: int, *, seed: int = 7, prefix: str = "北海示例", issued_on: date = date(2025, 3, 1)) -> list[int]:
        rng = random.Random(seed)
        ids = []
        for index in range(n):
            uscc = generate_uscc(rng, region="450502")
            payload = certificate_payload(world, number=f"SV{seed}-{index:04d}", issued_on=issued_on.isoformat())
            audit = payload["audits"][0]
            audit["start_on"] = (issued_on - timedelta(days=10)).isoformat()
            audit["end_on"] = (issued_on - timedelta(days=9)).isoformat()
            payload["holder"] = {"name": f"{prefix}{index:03d}有限公司", "uscc": uscc, "region_code": "450502"}
            r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                            json=payload)
            assert r.status_code == 201, r.text
            ids.append(r.json()["holder"]["organization_id"])
        return ids

    return _certify


@pytest.fixture
def inspectors(run, world):
    """Register n more inspectors of the bureau; return every inspector id (the world's first)."""

    def _inspectors(n: int, employer: str = BUREAU) -> list[int]:
        def make(session):
            return [people.register_person(session, principal=SYSTEM, name=f"检查员{i:02d}", kind="inspector",
                                           employer=employer, region_code="450500").id for i in range(n)]
        return [world.ids["inspector"], *run(make)]

    return _inspectors


@pytest.fixture
def batch(run):
    """Make a key matter on organizations, a plan of the year and a batch; return their ids."""

    def _batch(*, year: int | None = None, ratios: dict | None = None, matter_kind: str = "key", max_ratio=None,
               code: str = "RZ-ORG-01", plan_kwargs: dict | None = None, **batch_kwargs) -> dict[str, int]:
        year = year or date.today().year

        def make(session):
            matter = plans.get_matter(session, matter_id) if matter_id else plans.create_matter(
                session, principal=SYSTEM, code=code, name="获证组织认证证书使用情况检查", kind=matter_kind,
                subject_type="organization", legal_basis="《认证认可条例》第二十九条", content="证书和认证标志使用",
                method="现场检查", max_ratio=max_ratio)
            plan = plans.create_plan(session, principal=SYSTEM, year=year, name=f"{year}年度抽查计划",
                                     authority="北海市市场监督管理局", region_code="450500",
                                     class_ratios=ratios, **(plan_kwargs or {}))
            item = plans.add_batch(session, principal=SYSTEM, plan_id=plan.id, name="第一批", matter_id=matter.id,
                                   check_type=batch_kwargs.pop("check_type", "random"),
                                   starts_on=date(year, 1, 2), ends_on=date(year, 12, 31), **batch_kwargs)
            return {"matter": matter.id, "plan": plan.id, "batch": item.id}

        matter_id = batch_kwargs.pop("matter_id", None)
        return run(make)

    return _batch


ALL_B = {"B": "0.20"}  # with no history everyone is class B; 0.20 is B's ceiling
