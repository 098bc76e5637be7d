"""Helpers for credit tests: a penalty request body and service calls in their own transaction."""

from __future__ import annotations

import pytest

from certbridge.db import write_session

AUTHORITY_USCC = "11450500398259791C"  # a synthetic, valid 机构编制 code for the bureau


@pytest.fixture
def run(sessions):
    """Run a service in its own write transaction and return what it returns."""

    def _run(fn, /, **kwargs):
        with write_session(sessions) as session:
            return fn(session, **kwargs)

    return _run


@pytest.fixture
def penalty_body(world):
    """Return a valid penalty request for the world's first organization."""

    def _body(**overrides):
        body = {
            "party_name": "北海市海城区示例电子有限公司", "party_uscc": world.uscc["org1"],
            "legal_representative": "张三", "decision_number": "北市监处罚〔2024〕88号",
            "violation_type": "冒用认证证书", "facts": "在产品包装上使用已撤销的认证证书编号",
            "legal_basis": "《认证认可条例》第七十一条", "categories": ["警告", "罚款"],
            "content": "警告，罚款人民币五千元", "fine_wan": "0.5", "decided_on": "2024-09-27",
            "authority": "北海市市场监督管理局", "authority_uscc": AUTHORITY_USCC,
        }
        body.update(overrides)
        return body

    return _body
