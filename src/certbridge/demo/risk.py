"""Demo complaints, risk signals, early warnings and a consumer alert.

Complaints are filed and handled through the real services (`complaints.filing/handling`) on certificates of the
generated data set, in every state a regulator meets: waiting, accepted, under investigation, in mediation,
transferred, upheld, rejected. Then every risk signal is computed as of the demo date (`risk.compute`), which
finds what the generated audits hold (auditors booked at two companies on one day, short audits) and raises
the warnings; one is dismissed with its reason, one sent to inspection. A consumer alert names the certificate
with the most complaints. Deterministic from the demo seed and the as-of date, except the tracking numbers
(random, as in real use).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from certbridge.certificates.models import Certificate
from certbridge.complaints import handling
from certbridge.complaints.filing import KINDS, file_complaint
from certbridge.complaints.models import Complaint
from certbridge.db import write_session
from certbridge.principal import ANONYMOUS, SYSTEM
from certbridge.registry.models import CertificationBody
from certbridge.risk.alerts import publish_alert
from certbridge.risk.disclosures import file_annual_report, publish_commitment, set_report_rule
from certbridge.risk.compute import recompute_all
from certbridge.risk.models import EarlyWarning, RiskSignal
from certbridge.risk.warnings import decide_warning

DESCRIPTIONS = {
    "fake_certificate": "招标文件中提供的证书与本平台记录的持证企业不一致，疑似冒用他人证书。",
    "misused_mark": "产品包装上使用了认证标志，但企业的证书已暂停。",
    "product_quality": "购买的产品使用一个月后出现漏电，标称已获强制性产品认证。",
    "malpractice": "企业员工反映审核组当天并未到现场，审核记录由认证咨询公司代写。",
    "other": "认证机构的收费与公示的收费标准不符。",
}
# what happens to each complaint, in order: (steps, closing result or None)
PATHS = (("received",), ("accept",), ("accept", "investigate"), ("accept", "mediate"), ("accept", "close_upheld"),
         ("accept", "investigate", "close_not_upheld"), ("reject",), ("transfer",), ("accept", "close_upheld"),
         ("received",), ("accept", "investigate"), ("accept", "close_upheld"))


COMMITMENT = ("本机构郑重承诺：严格依据认证规则实施认证，审核人员均到现场实施审核，不出具虚假或者严重失实的认证结论；"
              "认证收费按公示标准执行；认证证书信息在颁发后及时报送并对外公开；接受监管部门和社会监督。")


def build_disclosures(session, rng: random.Random, as_of: date) -> None:
    """Every body's commitment and its annual reports on the last two years (the due rule starts then for the
    demo): one body files a report late, one has not filed its last one — the late_report signal."""
    rule = set_report_rule(session, principal=SYSTEM, due_month=3, due_day=31, first_year=as_of.year - 2)
    bodies = list(session.scalars(select(CertificationBody).where(CertificationBody.status == "approved")
                                  .order_by(CertificationBody.id)))
    for index, body in enumerate(bodies):
        publish_commitment(session, principal=SYSTEM, body_id=body.id, text=COMMITMENT,
                           on=max(body.approved_on, as_of - timedelta(days=400)))
        for year in (as_of.year - 2, as_of.year - 1):
            due = rule.due_on(year)
            if due >= as_of or (index == 1 and year == as_of.year - 1):
                continue  # not due yet; the second body has not filed its last report
            on = min(due + timedelta(days=rng.randint(10, 40)), as_of) if index == 0 and year == as_of.year - 1 \
                else due - timedelta(days=rng.randint(1, 60))
            file_annual_report(session, principal=SYSTEM, body_id=body.id, year=year, on=on,
                               text=f"{year} 年度，本机构认证活动总体平稳，未发生重大质量事故；内部审核和管理评审按计划完成。")


def build_risk(sessions, *, seed: int, as_of: date) -> dict[str, int]:
    """Create complaints in every state, compute every signal, decide two warnings, publish one alert."""
    rng = random.Random(f"{seed}:risk")
    with write_session(sessions) as session:
        ids = list(session.scalars(select(Certificate.id).where(Certificate.status == "valid")
                                   .order_by(Certificate.id).limit(400)))
        if not ids:
            return {"complaints": 0}
        targets = rng.sample(ids, min(len(PATHS) - 2, len(ids)))
        hot = targets[0]
        targets = [hot, hot, *targets]  # one certificate gathers three complaints
        for index, (cert_id, path) in enumerate(zip(targets, PATHS, strict=False)):
            cert = session.get(Certificate, cert_id)
            kind = KINDS[index % len(KINDS)] if cert_id != hot else "product_quality"
            filed_on = as_of - timedelta(days=rng.randint(3, 40))
            item = file_complaint(session, principal=ANONYMOUS, subject_kind="certificate", subject_text=cert.number,
                                  kind=kind, description=DESCRIPTIONS[kind], anonymous=index % 3 == 0,
                                  contact=None if index % 3 == 0 else f"1380000{index:04d}", certificate_id=cert.id,
                                  on=filed_on)
            day = filed_on + timedelta(days=2)
            for step in path:
                if step == "accept":
                    handling.accept(session, principal=SYSTEM, complaint_id=item.id, on=day)
                elif step == "investigate":
                    handling.investigate(session, principal=SYSTEM, complaint_id=item.id, note="调取审核记录和现场照片")
                elif step == "mediate":
                    handling.mediate(session, principal=SYSTEM, complaint_id=item.id, on=day + timedelta(days=3))
                elif step == "reject":
                    handling.reject(session, principal=SYSTEM, complaint_id=item.id, on=day,
                                    note="投诉事项不属于认证监管职责，已告知向消费者协会反映。")
                elif step == "transfer" and item.region_code != "440100":
                    handling.transfer(session, principal=SYSTEM, complaint_id=item.id, region_code="440100",
                                      note="企业实际经营地在广州市。")
                elif step.startswith("close_"):
                    handling.close(session, principal=SYSTEM, complaint_id=item.id, result=step[6:],
                                   on=day + timedelta(days=10),
                                   note="经核查情况属实，已责令认证机构暂停证书并整改。" if step == "close_upheld"
                                   else "经核查未发现违规。")
        build_disclosures(session, rng, as_of)
        recompute_all(session, today=as_of)
        warnings = list(session.scalars(select(EarlyWarning).where(EarlyWarning.status == "open")
                                        .order_by(EarlyWarning.id)))
        if len(warnings) > 2:
            decide_warning(session, principal=SYSTEM, warning_id=warnings[0].id, decision="dismissed",
                           reason="经核实为同一集团下两家企业在同一园区的联合审核，不属于虚假审核。", on=as_of)
            decide_warning(session, principal=SYSTEM, warning_id=warnings[1].id, decision="inspect",
                           reason="列入下一批认证机构专项检查。", on=as_of)
        cert = session.get(Certificate, hot)
        publish_alert(session, principal=SYSTEM, title=f"消费警示：{cert.holder_name}相关产品多次被投诉",
                      summary="近期收到多起关于该企业获证产品使用中出现漏电的投诉，监管部门正在核查。",
                      advice="已购买的消费者请暂停使用，保留购货凭证，可向销售者要求退换或拨打 12315 投诉。",
                      certificates=cert.number, authority="北海市市场监督管理局", on=as_of)
        return {"complaints": session.scalar(select(func.count()).select_from(Complaint)) or 0,
                "risk_signals": session.scalar(select(func.count()).select_from(RiskSignal)) or 0,
                "early_warnings": session.scalar(select(func.count()).select_from(EarlyWarning)) or 0}
