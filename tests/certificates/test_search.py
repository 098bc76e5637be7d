"""The search box by name: every matching holder's certificates, by holder then certificate, page after page."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select

from certbridge.certificates import workflow
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn, StatusChangeIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import write_session
from certbridge.kit.chinese_text import normalize_name
from certbridge.kit.uscc import generate_uscc
from certbridge.principal import SYSTEM
from certbridge.registry.models import Organization
from tests.world import certificate_payload

TRADES = ["华联", "鸿达", "金源", "恒信", "宏图", "瑞丰", "永泰", "富华", "嘉禾", "立信"]


@pytest.fixture
def holders(sessions, world):
    """Register holders whose names do and do not contain 电子科技, and interleave their certificates.

    Certificates are issued round-robin, so certificate ids jump between holders: an answer in id order
    and one in (holder, certificate) order differ on every page.
    """
    rng = random.Random(6)
    names = []
    for i, trade in enumerate(TRADES):
        names.append(f"北海市{trade}电子科技有限公司")
        if i % 3 == 0:
            names.append(f"北海市{trade}食品有限公司")
    names.append("北海00126Q26901R0M/4500科技有限公司")  # a name holding a certificate number's text
    codes = [generate_uscc(rng, region="450502") for _ in names]
    serial = iter(range(1000))
    with write_session(sessions) as db:
        for round_ in range(3):
            for name, code in zip(names, codes):
                if round_ == 2 and "食品" in name:
                    continue
                number = f"00126Q27{next(serial):03d}R0M/4500"
                payload = certificate_payload(world, number=number)
                payload["holder"].update(name=name, uscc=code)
                draft = CertificateIn.model_validate(payload)
                issue_certificate(db, principal=SYSTEM, body_id=world.ids["body_a"], draft=draft, today=date.today())
        suspended = db.scalars(select(Certificate.id).order_by(Certificate.id)).all()[1::4]
        for cert_id in suspended:
            workflow.suspend_certificate(db, principal=SYSTEM, certificate_id=cert_id,
                                         change=StatusChangeIn(reason="监督审核未按期实施"))
    return names


def _expected(sessions, term: str, status: str | None = None) -> list[tuple[int, int]]:
    """Return (holder, certificate) of every certificate whose holder's name contains a term, in that order."""
    wanted = normalize_name(term)
    with sessions() as db:
        rows = db.execute(select(Certificate.organization_id, Certificate.id, Certificate.status,
                                 Organization.search_name)
                          .join(Organization, Organization.id == Certificate.organization_id)).all()
    return sorted((org, cid) for org, cid, st, name in rows if wanted in name and (status is None or st == status))


def _all_pages(client, **params) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        r = client.get("/api/v1/certificates", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "the cursor never ends"


def _keys(pages) -> list[tuple[int, int]]:
    return [(i["holder"]["organization_id"], i["id"]) for page in pages for i in page]


@pytest.mark.parametrize("term", ["电子科技", "科技", "子科技有限"])
def test_a_name_pages_through_every_holders_certificates_once_in_holder_order(client, sessions, holders, term):
    expected = _expected(sessions, term)
    assert len({org for org, _ in expected}) >= 10 and len(expected) >= 30
    assert expected != sorted(expected, key=lambda k: k[1])  # id order would differ
    pages = _all_pages(client, q=term, limit=7)
    assert _keys(pages) == expected
    assert all(len(page) == 7 for page in pages[:-1])  # no short page before the last


def test_filters_apply_on_every_page(client, sessions, world, holders):
    valid = _expected(sessions, "电子科技", status="valid")
    suspended = _expected(sessions, "电子科技", status="suspended")
    assert valid and suspended
    assert _keys(_all_pages(client, q="电子科技", status="valid", limit=4)) == valid
    assert _keys(_all_pages(client, q="电子科技", status="suspended", limit=2)) == suspended
    assert _keys(_all_pages(client, q="电子科技", region="450000", scheme="qms", limit=5)) == _expected(
        sessions, "电子科技")
    assert _keys(_all_pages(client, q="电子科技", region="110000")) == []
    assert _keys(_all_pages(client, q="电子科技", scheme="EMS")) == []
    one = _expected(sessions, "电子科技")[5][0]
    assert _keys(_all_pages(client, q="电子科技", organization_id=one, limit=2)) == [
        k for k in _expected(sessions, "电子科技") if k[0] == one]
    assert _keys(_all_pages(client, q="电子科技", body_id=world.ids["body_b"])) == []


def test_traditional_characters_page_the_same_as_simplified(client, sessions, holders):
    assert _keys(_all_pages(client, q="電子科技", limit=6)) == _expected(sessions, "电子科技")


def test_a_name_matching_nothing_is_one_empty_page(client, holders):
    assert client.get("/api/v1/certificates", params={"q": "不存在的名字"}).json() == {
        "items": [], "next_cursor": None, "total": None, "total_capped": None,
        "peer_items": None}  # totals only with total=true, peers' certificates only with peers=true
    assert client.get("/api/v1/certificates", params={"q": "无此"}).json()["items"] == []


def test_a_number_query_also_finds_holders_named_with_it(client, sessions, world, holders):
    with write_session(sessions) as db:  # the number itself, held by a holder without it in its name
        draft = CertificateIn.model_validate(certificate_payload(world, number="00126Q26901R0M/4500", org="org2"))
        numbered = issue_certificate(db, principal=SYSTEM, body_id=world.ids["body_a"], draft=draft,
                                     today=date.today())
        numbered_key = (numbered.organization_id, numbered.id)
    expected = sorted([*_expected(sessions, "00126Q26901R0M/4500"), numbered_key])
    assert len(expected) == 4 and expected[0] == numbered_key  # org2 was registered before the named holder
    pages = _all_pages(client, q="00126Q26901R0M/4500", limit=1)
    assert _keys(pages) == expected


def test_cursors_of_another_list_or_garbage_are_refused_clearly(client, holders):
    by_id = client.get("/api/v1/certificates", params={"limit": 2}).json()["next_cursor"]
    by_holder = client.get("/api/v1/certificates", params={"q": "电子科技", "limit": 2}).json()["next_cursor"]
    for params in ({"q": "电子科技", "cursor": by_id}, {"cursor": by_holder}, {"q": "电子科技", "cursor": "garbage!"},
                   {"q": "科技", "cursor": "eyJhZnRlciI6IFsxLCAtMl19"}):  # {"after": [1, -2]}
        r = client.get("/api/v1/certificates", params=params)
        assert r.status_code == 422 and r.json()["code"] == "pagination.bad_cursor", params
