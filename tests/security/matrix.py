"""The authorization matrix: every route of the app, who may call it, and what everyone else gets.

Every route the application serves must appear exactly once per method — here (core), in
matrix_capabilities.py (the other capabilities' API) or in matrix_web.py (pages and forms) — the test fails, naming the
route, when one is missing. An entry says which roles succeed (2xx); every other role gets 401 (anonymous)
or 403 (signed in but not allowed), unless `outcomes` says otherwise (e.g. 404 where existence is hidden).
A refused write must leave every table and the ledger exactly as they were.

Roles: anonymous, org (certified organization), cb_a / cb_b (operators of body A and body B), cb_a_ro (a
read-only key of cb_a), lab, inspector, regulator, regulator_ro (read-only key), admin.

Values that depend on the seeded world are written as callables of `v`, a dict holding the world's ids
(`body_a`, `user_cb_a` …), USCCs (`uscc_org1` …) and the security template's additions (`cert_a`,
`cert_b`, `cert_suspended`, `person_extra`, `key_cb_a_ro` …); see tests/security/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

ROLES = ("anonymous", "org", "cb_a", "cb_a_ro", "cb_b", "lab", "inspector", "regulator", "regulator_ro", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
REGULATORS = frozenset({"regulator", "admin"})
BODY_A = frozenset({"cb_a", "regulator", "admin"})
TODAY = date.today().isoformat()


@dataclass(frozen=True)
class Case:
    """One method of one route: the request to send and the roles it must succeed for."""

    method: str
    path: str
    allow: frozenset[str]
    params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] | Callable[[dict], dict] = field(default_factory=dict)
    json: dict | Callable[[dict], dict] | None = None
    files: Callable[[dict], dict] | None = None
    outcomes: dict[str, int] = field(default_factory=dict)
    prepare: Callable[..., dict] | None = None  # (client, role, v) -> extra request kwargs (web forms)

    @property
    def writes(self) -> bool:
        """Tell whether the route changes state."""
        return self.method not in ("GET", "HEAD")


@dataclass(frozen=True)
class Exempt:
    """A route outside the matrix on purpose, with the reason."""

    method: str
    path: str
    reason: str


def _cert(**extra):
    def build(v):
        return {"number": "00126Q26777R0M/4500", "scheme": "QMS", "standard_code": "GB/T 19001",
                "standard_version": "2016", "holder": {"name": "北海市海城区示例电子有限公司", "uscc": v["uscc_org1"]},
                "scope": "电子元器件的设计和生产", "issued_on": "2025-03-01", **extra}
    return build


def _csv(v):
    text = ("证书编号,认证项目,认证依据,标准版本,获证组织名称,统一社会信用代码,认证范围,颁证日期\n"
            f"00126Q26888R0M/4500,QMS,GB/T 19001,2016,北海市海城区示例电子有限公司,{v['uscc_org1']},软件开发,2025-03-01\n")
    return {"file": ("certs.csv", text.encode("gbk"), "text/csv")}


AUDIT = {"kind": "surveillance", "method": "FS01", "start_on": "2025-09-01", "end_on": "2025-09-02",
         "auditors": [{"registration_number": "2021-N1QMS-1000001", "role": "leader"}]}
CHANGE = {"reason": "矩阵测试"}

CORE: list[Case | Exempt] = [
    Exempt("GET", "/openapi.json", "the public API description"),
    Exempt("GET", "/docs", "interactive API documentation, static"),
    Exempt("GET", "/docs/oauth2-redirect", "part of the interactive documentation"),
    Exempt("GET", "/redoc", "API documentation, static"),
    Exempt("GET", "/static", "stylesheets and scripts, the same for everyone"),
    Exempt("GET", "/static-docs", "Swagger UI and ReDoc files (packaged), the same for everyone"),
    Exempt("POST", "/login", "signs in with a password, not a role's key: tests/security/test_sessions.py"),
    Exempt("POST", "/logout", "ends the caller's own session: tests/security/test_sessions.py"),
    # public pages
    Case("GET", "/", EVERYONE),
    Case("GET", "/verify", EVERYONE, query=lambda v: {"number": v["cert_a_number"]}),
    Case("GET", "/certificates/{certificate_id}", EVERYONE, params={"certificate_id": "cert_a"}),
    Case("GET", "/organizations/{organization_id}", EVERYONE, params={"organization_id": "org1"}),
    Case("GET", "/login", EVERYONE),
    Case("GET", "/lang/{code}", EVERYONE, params={"code": "en"}),
    # certificates: public reads
    Case("GET", "/api/v1/verify", EVERYONE, query=lambda v: {"number": v["cert_a_number"]}),
    Case("GET", "/api/v1/verify/holder/{uscc}", EVERYONE, params={"uscc": "uscc_org1"}),
    Case("GET", "/api/v1/certificates", EVERYONE, query={"q": "北海"}),
    Case("GET", "/api/v1/certificates/{certificate_id}", EVERYONE, params={"certificate_id": "cert_a"}),
    Case("GET", "/api/v1/certificates/{certificate_id}/history", EVERYONE, params={"certificate_id": "cert_a"}),
    # certificates: writes scoped to the issuing body
    Case("POST", "/api/v1/bodies/{body_id}/certificates", BODY_A, params={"body_id": "body_a"}, json=_cert()),
    Case("POST", "/api/v1/certificates/{certificate_id}/suspend", BODY_A, params={"certificate_id": "cert_a"},
         json=CHANGE),
    Case("POST", "/api/v1/certificates/{certificate_id}/restore", BODY_A,
         params={"certificate_id": "cert_suspended"}, json=CHANGE),
    Case("POST", "/api/v1/certificates/{certificate_id}/withdraw", BODY_A, params={"certificate_id": "cert_a"},
         json={**CHANGE, "cause": "other"}),
    Case("POST", "/api/v1/certificates/{certificate_id}/cancel", BODY_A, params={"certificate_id": "cert_a"},
         json=CHANGE),
    Case("POST", "/api/v1/certificates/{certificate_id}/expire", BODY_A, params={"certificate_id": "cert_a"},
         json={"reason": "renewed"}),
    Case("POST", "/api/v1/certificates/{certificate_id}/renew", BODY_A, params={"certificate_id": "cert_a"},
         json={"number": "00126Q26001R1M/4500", "issued_on": TODAY}),
    Case("POST", "/api/v1/bodies/{body_id}/transfers", BODY_A, params={"body_id": "body_a"},
         json=lambda v: {"certificate_id": v["cert_exited"], "number": "00126Q26900", "issued_on": TODAY,
                         "audits": [AUDIT]}),
    Case("POST", "/api/v1/certificates/{certificate_id}/scope", BODY_A, params={"certificate_id": "cert_a"},
         json={"scope": "电子元器件的设计", "reason": "缩小范围"}),
    Case("POST", "/api/v1/certificates/{certificate_id}/audits", BODY_A, params={"certificate_id": "cert_a"},
         json=AUDIT),
    Case("POST", "/api/v1/bodies/{body_id}/certificates/import", BODY_A, params={"body_id": "body_a"}, files=_csv),
    # registry: public reads
    Case("GET", "/api/v1/uscc/{code}", EVERYONE, params={"code": "uscc_org1"}),
    Case("GET", "/api/v1/organizations", EVERYONE, query={"q": "北海"}),
    Case("GET", "/api/v1/organizations/{organization_id}", EVERYONE, params={"organization_id": "org1"}),
    Case("GET", "/api/v1/bodies", EVERYONE),
    Case("GET", "/api/v1/bodies/{body_id}", EVERYONE, params={"body_id": "body_b"}),
    Case("GET", "/api/v1/labs", EVERYONE),
    Case("GET", "/api/v1/labs/{lab_id}", EVERYONE, params={"lab_id": "lab"}),
    Case("GET", "/api/v1/people", EVERYONE),
    # Inspectors are not public: everyone but a regulator is told there is no such person.
    Case("GET", "/api/v1/people/{person_id}", REGULATORS | {"regulator_ro"}, params={"person_id": "inspector"},
         outcomes={r: 404 for r in EVERYONE - REGULATORS - {"regulator_ro"}}),
    Case("GET", "/api/v1/schemes", EVERYONE),
    Case("GET", "/api/v1/standards", EVERYONE),
    Case("GET", "/api/v1/regions", EVERYONE),
    Case("GET", "/api/v1/restrictions", EVERYONE, query=lambda v: {"subject_type": "person", "subject_id": v["a3"]}),
    # registry: regulators' writes
    Case("POST", "/api/v1/organizations", REGULATORS, json=lambda v: {"name": "北海市新登记组织有限公司",
                                                                     "uscc": v["fresh_uscc"], "region_code": "450502"}),
    Case("PATCH", "/api/v1/organizations/{organization_id}", REGULATORS, params={"organization_id": "org1"},
         json={"address": "广西北海市海城区长青路 2 号"}),
    Case("POST", "/api/v1/organizations/{organization_id}/merge", REGULATORS, params={"organization_id": "org1"},
         json=lambda v: {"source_id": v["org2"], "reason": "重复登记"}),
    Case("POST", "/api/v1/bodies", REGULATORS,
         json={"code": "00999", "approval_number": "CNCA-R-2026-999", "name": "新批准认证有限公司",
               "fields": ["SYS-QMS"], "approved_on": "2026-01-05"}),
    Case("PATCH", "/api/v1/bodies/{body_id}", REGULATORS, params={"body_id": "body_a"},
         json={"address": "广西北海市银海区 9 号"}),
    Case("POST", "/api/v1/bodies/{body_id}/status", REGULATORS, params={"body_id": "body_b"},
         json={"status": "suspended", "reason": "年度报告逾期"}),
    Case("POST", "/api/v1/labs", REGULATORS,
         json={"cma_number": "241500349999", "name": "北海市新检验所", "qualified_on": "2025-01-02"}),
    # A lab's own operator keeps its record current; regulators may too.
    Case("PATCH", "/api/v1/labs/{lab_id}", REGULATORS | {"lab"}, params={"lab_id": "lab"},
         json={"address": "广西北海市海城区 3 号"}),
    Case("POST", "/api/v1/people", REGULATORS, json=lambda v: {"name": "刘洋", "kind": "auditor", "body_id": v["body_a"]}),
    Case("POST", "/api/v1/people/{person_id}/registrations", REGULATORS, params={"person_id": "a1"},
         json={"number": "2025-N1EMS-1000001", "field": "EMS"}),
    Case("PUT", "/api/v1/people/{person_id}/id-document", REGULATORS, params={"person_id": "a2"},
         json={"id_number": "11010519491231002X"}),
    Case("POST", "/api/v1/registrations/{number}/revoke", REGULATORS, params={"number": "extra_registration"},
         json={"reason": "出具虚假结论"}),
    Case("POST", "/api/v1/standards", REGULATORS,
         json={"scheme_code": "QMS", "code": "GB/T 19001", "version": "2026", "title": "质量管理体系 要求",
               "published_on": "2026-01-01"}),
    Case("POST", "/api/v1/restrictions", REGULATORS,
         json=lambda v: {"subject_type": "organization", "subject_id": v["org2"], "kind": "dishonesty_list",
                         "reason": "虚假宣传", "starts_on": "2026-01-01", "source": "北市监罚〔2026〕1号"}),
    Case("POST", "/api/v1/restrictions/{restriction_id}/lift", REGULATORS, params={"restriction_id": "restriction_a3"},
         json={"reason": "提前解除"}),
    # users and keys
    Case("GET", "/api/v1/me", SIGNED_IN),
    Case("GET", "/api/v1/users", frozenset({"admin"}), outcomes={"regulator_ro": 403}),
    Case("POST", "/api/v1/users", frozenset({"admin"}),
         json={"username": "new_user", "display_name": "新用户", "role": "regulator", "password": "long-enough-pass"}),
    # A user manages their own keys; an admin anyone's. A read-only key cannot mint keys.
    Case("GET", "/api/v1/users/{user_id}/keys", frozenset({"cb_a", "cb_a_ro", "admin"}), params={"user_id": "user_cb_a"}),
    Case("POST", "/api/v1/users/{user_id}/keys", frozenset({"cb_a", "admin"}), params={"user_id": "user_cb_a"},
         json={"name": "ci"}),
    Case("POST", "/api/v1/keys/{key_id}/revoke", frozenset({"cb_a", "admin"}), params={"key_id": "key_cb_a_ro"},
         json={}),
    # audit trail
    Case("GET", "/api/v1/audit", REGULATORS | {"regulator_ro"}),
    # background jobs: the user who started one, and regulators; to anyone else it is not there
    Case("GET", "/api/v1/jobs/{job_id}", frozenset({"cb_a", "cb_a_ro"}) | REGULATORS | {"regulator_ro"},
         params={"job_id": "web_job"}, outcomes={r: 404 for r in ("org", "cb_b", "lab", "inspector")}),
]
