"""#17 completeness: the signed monthly report carries the month's spot-check results and penalties (published ones
by decision number, never an unpublished one), and the statistics page shows certified organizations by class."""

from __future__ import annotations

from datetime import date

from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import write_session
from certbridge.ledger.journal import record_event
from certbridge.orgclasses.service import classify_organization
from certbridge.principal import SYSTEM
from certbridge.stats.reports import make_report
from tests.world import certificate_payload

TODAY = date.today()


def _penalty(world, number: str, publish: bool) -> dict:
    return {"subject_type": "organization", "subject_id": world.ids["org1"], "party_name": "北海市海城区示例电子有限公司",
            "party_uscc": world.uscc["org1"], "legal_representative": "张三", "decision_number": number,
            "violation_type": "冒用认证证书", "facts": "在产品包装上使用已撤销的认证证书编号",
            "legal_basis": "《认证认可条例》第七十一条", "categories": ["警告"], "content": "警告",
            "decided_on": TODAY.isoformat(), "authority": "北海市市场监督管理局",
            "authority_uscc": "11450500398259791C", "publish": publish}


def test_the_monthly_report_has_the_months_spot_checks_and_penalties(client, sessions, settings, world):
    reg = world.auth("regulator")
    for number, publish in (("北市监处罚〔2026〕101号", True), ("北市监处罚〔2026〕102号", False)):
        r = client.post("/api/v1/credit/penalties", json=_penalty(world, number, publish), headers=reg)
        assert r.status_code == 201, r.text
    with write_session(sessions) as db:  # the event supervision records (supervision/tasks.py record_result)
        for obj, result in ((("organization", world.ids["org1"]), "corrected"),
                            (("organization", world.ids["org2"]), "no_problem"),
                            (("body", world.ids["body_b"]), "refused_serious")):  # body B is in Guangzhou
            record_event(db, type="inspection.result_recorded", subject_type="inspection_task", subject_id=1,
                         actor="system", public=False, data={"object_type": obj[0], "object_id": obj[1],
                                                             "result": result, "completed_on": TODAY})
        html = make_report(db, settings=settings, region="450500", month=TODAY.strftime("%Y-%m")).html
        nation = make_report(db, settings=settings, region="000000", month=TODAY.strftime("%Y-%m")).html
    assert "监督抽查结果" in html and "发现问题已整改" in html and "未发现问题" in html
    assert "拒绝检查或问题严重" not in html and "拒绝检查或问题严重" in nation
    assert "本月作出行政处罚决定 2 件，已公示 1 件" in html
    assert "北市监处罚〔2026〕101号" in html and "北市监处罚〔2026〕102号" not in html


def test_the_statistics_page_shows_certified_organizations_by_class(client, sessions, world):
    draft = CertificateIn.model_validate(certificate_payload(world, number="00126Q26801R0M/4500", org="org1"))
    with write_session(sessions) as db:
        issue_certificate(db, principal=SYSTEM, body_id=world.ids["body_a"], draft=draft, today=TODAY)
        classify_organization(db, principal=SYSTEM, organization_id=world.ids["org1"], sector_code="C38",
                              employees=120, revenue_10k=8000)
    page = client.get("/stats", params={"region": "450500"}).text
    table = page.split('id="classes-size_class"')[1].split("</table>")[0]
    assert "小型" in table or "中型" in table
    sector = page.split('id="classes-sector"')[1].split("</table>")[0]
    assert "制造业" in sector and ">1<" in sector
    elsewhere = client.get("/stats", params={"region": "440100"}).text.split('id="classes-sector"')[1]
    assert "制造业" not in elsewhere.split("</table>")[0]
