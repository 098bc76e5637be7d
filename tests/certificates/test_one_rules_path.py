"""One rules path: the same rows give the same acceptances and refusals, with the same messages, whether
issued one by one (`service.issue_certificate`, behind the API, the web and the importer's row-by-row pass)
or in bulk (`bulk.issue_drafts`, the importer's fast path)."""

from __future__ import annotations

from datetime import date

import pytest

from certbridge.certificates.bulk import issue_drafts
from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.principal import SYSTEM
from certbridge.registry import bodies, people, restrictions
from certbridge.registry.identity import fingerprint
from tests.world import certificate_payload

TODAY = date(2025, 6, 1)
KEY = b"k" * 32
ID_NUMBER = "11010519491231002X"
PRODUCT = {"name": "电线电缆", "model": "BV 2.5mm²", "factory": "北海示例线缆厂"}
CCC = {"scheme": "CCC", "standard_code": "CNCA-C01-01", "standard_version": "2014", "number": "2025012001000123"}

CASES = [  # (name, overrides of certificate_payload, issuing body, expected code or None)
    ("accepted", {}, "body_a", None),
    ("field not approved", {"scheme": "ISMS", "standard_code": "GB/T 22080", "standard_version": "2025"}, "body_a",
     "body.field_not_approved"),
    ("lower-case number", {"number": "00126q26001"}, "body_a", "certificate.number_lowercase"),
    ("issued in the future", {"issued_on": "2025-07-01"}, "body_a", "certificate.issued_in_future"),
    ("ends before it starts", {"expires_on": "2025-01-01"}, "body_a", "date.order"),
    ("validity too long", {"expires_on": "2029-03-01"}, "body_a", "certificate.validity_too_long"),
    ("product particulars missing", CCC, "body_a", "certificate.product_required"),
    ("CCC accepted", {**CCC, "product": PRODUCT}, "body_a", None),
    ("barred auditor", {"auditors": ("2020-N1QMS-1000003",)}, "body_a", "auditor.barred"),
    ("auditor of another body", {"auditors": ("2019-N1QMS-2000001",)}, "body_a", "auditor.other_body"),
    ("unregistered auditor", {"auditors": ("2099-N1QMS-0000000",)}, "body_a", "auditor.unregistered"),
    ("same auditor twice", {"auditors": ("2021-N1QMS-1000001", "2021-N1QMS-1000001")}, "body_a",
     "audit.duplicate_auditor"),
    ("banned identity on another record", {"auditors": ("2024-N1QMS-4000002",)}, "body_a",
     "auditor.identity_banned"),
    ("listed holder", {"org": "org2"}, "body_a", "holder.dishonesty_list"),
    ("revoked body", {"auditors": ("2019-N1QMS-2000001",), "number": "00213Q26001"}, "body_b", "body.not_approved"),
]


def _setup(session, world) -> None:
    print_ = fingerprint(KEY, ID_NUMBER)
    banned = people.register_person(session, principal=SYSTEM, name="孙伟", kind="auditor", body_id=world.ids["body_b"],
                                    id_fingerprint=print_, registrations=[{"number": "2023-N1QMS-3000001"}])
    people.register_person(session, principal=SYSTEM, name="孙伟", kind="auditor", body_id=world.ids["body_a"],
                           id_fingerprint=print_, registrations=[{"number": "2024-N1QMS-4000002"}])
    restrictions.impose_restriction(session, principal=SYSTEM, subject_type="person", subject_id=banned.id,
                                    kind="lifetime_ban", reason="出具虚假认证结论，情节严重", starts_on=date(2025, 1, 1),
                                    ends_on=None, source="国市监认罚〔2025〕9号")
    restrictions.impose_restriction(session, principal=SYSTEM, subject_type="organization",
                                    subject_id=world.ids["org2"], kind="dishonesty_list", reason="虚假宣传",
                                    starts_on=date(2025, 1, 1), ends_on=date(2028, 1, 1), source="北市监罚〔2025〕1号")
    bodies.set_body_status(session, principal=SYSTEM, body_id=world.ids["body_b"], status="revoked",
                           reason="出具虚假认证证书")


def _outcome(session, issue) -> tuple:
    savepoint = session.begin_nested()
    try:
        issue()
        return ("accepted",)
    except DomainError as exc:
        return exc.code, exc.message("zh"), exc.message("en")
    finally:
        savepoint.rollback()


@pytest.mark.parametrize(("name", "overrides", "body", "code"), CASES, ids=[c[0] for c in CASES])
def test_single_issue_and_bulk_import_agree(sessions, world, name, overrides, body, code):
    with write_session(sessions) as session:
        _setup(session, world)
        overrides = dict(overrides)
        payload = certificate_payload(world, org=overrides.pop("org", "org1"), **overrides)
        draft = CertificateIn.model_validate(payload)
        body_id = world.ids[body]
        single = _outcome(session, lambda: issue_certificate(session, principal=SYSTEM, body_id=body_id, draft=draft,
                                                              today=TODAY))
        bulk = _outcome(session, lambda: issue_drafts(session, principal=SYSTEM, body_id=body_id, drafts=[draft],
                                                       today=TODAY))
        session.rollback()
    assert single == bulk
    assert single[0] == (code or "accepted"), single
