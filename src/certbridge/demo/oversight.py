"""Demo supervision and credit data: check matters, annual plans, batches with committed and revealed draws,
inspection results (some published), penalties, serious-dishonesty listings and the credit scores they lead to.

Everything goes through the real services (``supervision.plans/draws/tasks``, ``credit.penalties/lists/scoring``)
in ordinary write transactions, so every row has its ledger event and `certbridge ledger verify` holds. It is
deterministic from the demo seed and as-of date: the draws' seeds come from the seed (never ``secrets``), and
every date is counted back from the as-of date. It runs after the certificates, so their output is untouched.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from certbridge.credit import lists, penalties, scoring
from certbridge.credit.models import DishonestyListing, Penalty
from certbridge.credit.schemas import ListingIn, PenaltyIn
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.kit.uscc import generate_uscc
from certbridge.principal import SYSTEM
from certbridge.registry.models import Organization
from certbridge.supervision import draws, plans, tasks
from certbridge.supervision.models import InspectionTask, SpotCheckDraw

BEIHAI_BUREAU = "北海市市场监督管理局"
CNCA = ("国家认证认可监督管理委员会", "11100000190748334U")
MATTERS = (
    ("RZ-ORG-01", "获证组织认证证书和认证标志使用情况检查", "key", "organization",
     "《认证认可条例》第二十九条、《认证证书和认证标志管理办法》", "认证证书、认证标志的使用是否符合规定", "现场检查", None),
    ("JC-LAB-01", "检验检测机构资质认定条件和要求符合性检查", "key", "lab",
     "《检验检测机构资质认定管理办法》第三十六条", "人员、设备、环境和管理体系是否持续符合资质认定条件", "现场检查", None),
    ("RZ-CB-01", "认证机构从业活动检查", "general", "body", "《认证认可条例》第六十二条",
     "认证活动是否符合认证规则，认证结论是否真实", "书面检查", "0.2"),
)
# Mostly clean, as real results are; every value of tasks.RESULTS appears in a large enough data set.
RESULTS = ("no_problem", "no_problem", "corrected", "no_problem", "pending_follow_up", "no_problem",
           "refused_serious", "no_activity", "unreachable")
VIOLATIONS = (
    ("冒用认证证书", "在产品包装上标注已撤销的认证证书编号", "《认证认可条例》第七十一条", ["警告", "罚款"], "0.5"),
    ("伪造认证标志", "在宣传材料中使用伪造的中国强制性产品认证标志", "《认证证书和认证标志管理办法》第二十六条",
     ["罚款", "没收违法所得"], "3"),
    ("未经认证擅自出厂", "列入目录的产品未经认证即出厂销售", "《认证认可条例》第六十六条", ["罚款"], "10"),
    ("转让认证证书", "将认证证书转让给关联企业使用", "《认证证书和认证标志管理办法》第二十五条", ["警告"], None),
    ("认证证书超范围使用", "将管理体系认证证书用于未覆盖的产品宣传", "《认证证书和认证标志管理办法》第二十五条",
     ["警告", "罚款"], "0.8"),
)


def build_oversight(sessions, *, seed: int, as_of: date) -> dict[str, int]:
    """Create the supervision and credit demo data; return how many of each were made."""
    rng = random.Random(f"{seed}:oversight")
    year = as_of.year
    drawn_on = min(as_of, max(date(year, 1, 2), as_of - timedelta(days=75)))
    with write_session(sessions) as session:
        matters = {code: plans.create_matter(session, principal=SYSTEM, code=code, name=name, kind=kind,
                                             subject_type=subject, legal_basis=basis, content=content, method=method,
                                             max_ratio=cap).id
                   for code, name, kind, subject, basis, content, method, cap in MATTERS}
        local = plans.create_plan(session, principal=SYSTEM, year=year, name=f"{year}年度双随机、一公开抽查工作计划",
                                  authority=BEIHAI_BUREAU, region_code="450500")
        national = plans.create_plan(session, principal=SYSTEM, year=year, name=f"{year}年度认证机构监督检查计划",
                                     authority=CNCA[0])
        window = {"starts_on": drawn_on, "ends_on": date(year, 12, 31)}
        batches = [
            plans.add_batch(session, principal=SYSTEM, plan_id=local.id, name="第一批：获证组织", check_type="random",
                            matter_id=matters["RZ-ORG-01"], class_counts={"A": 1, "B": 8, "C": 3, "D": 2},
                            **window).id,
            plans.add_batch(session, principal=SYSTEM, plan_id=local.id, name="第二批：检验检测机构",
                            check_type="joint", joint_departments="北海市卫生健康委员会",
                            matter_id=matters["JC-LAB-01"], class_counts={"B": 2}, **window).id,
            plans.add_batch(session, principal=SYSTEM, plan_id=national.id, name="认证机构专项检查",
                            check_type="special", matter_id=matters["RZ-CB-01"], **window).id,
        ]
    revealed = []
    for index, batch_id in enumerate(batches):
        try:
            with write_session(sessions) as session:
                draw_id = draws.commit_draw(session, principal=SYSTEM, batch_id=batch_id, on=drawn_on,
                                            seed=rng.randbytes(32)).id
        except DomainError:
            continue  # a tiny data set may have nothing to draw for a matter; the others still show
        if index == len(batches) - 1:
            continue  # the last draw stays committed, so the console shows the reveal step too
        with write_session(sessions) as session:
            draws.reveal_draw(session, principal=SYSTEM, draw_id=draw_id, on=drawn_on)
        revealed.append(draw_id)
    _results(sessions, rng, revealed, as_of)
    _penalties_and_listings(sessions, rng, as_of)
    with write_session(sessions) as session:
        # The first draw's refresh already scored every subject with a credit fact; this adds the penalties and
        # listings made since (a full recompute_credit would score them all a second time).
        scoring.refresh_credit(session, principal=SYSTEM, today=as_of)
    with write_session(sessions) as session:
        counts = {"spot_check_draws": session.scalar(select(func.count()).select_from(SpotCheckDraw)) or 0,
                  "inspection_tasks": session.scalar(select(func.count()).select_from(InspectionTask)) or 0,
                  "penalties": session.scalar(select(func.count()).select_from(Penalty)) or 0,
                  "dishonesty_listings": session.scalar(select(func.count()).select_from(DishonestyListing)) or 0}
    return counts


def _results(sessions, rng: random.Random, draw_ids: list[int], as_of: date) -> None:
    """Record results on most tasks (a few stay open) and publish most of those."""
    with write_session(sessions) as session:
        items = list(session.scalars(select(InspectionTask).where(InspectionTask.draw_id.in_(draw_ids))
                                     .order_by(InspectionTask.id)))
        plan = [(t.id, t.drawn_on) for t in items]
    for position, (task_id, drawn_on) in enumerate(plan):
        if position % 5 == 4:
            continue  # still being inspected
        span = max(0, (as_of - drawn_on).days)
        completed = drawn_on + timedelta(days=rng.randint(0, span))
        with write_session(sessions) as session:
            tasks.record_result(session, principal=SYSTEM, task_id=task_id, result=rng.choice(RESULTS),
                                completed_on=completed, note=None, today=as_of)
            if position % 5 != 3 and (as_of - completed).days >= 2:
                tasks.publish_result(session, principal=SYSTEM, task_id=task_id,
                                     on=completed + timedelta(days=rng.randint(1, min(20, (as_of - completed).days))))


def _penalties_and_listings(sessions, rng: random.Random, as_of: date) -> None:
    """Penalties on a few certified organizations (most published), two of them on the dishonesty list."""
    bureau_uscc = generate_uscc(rng, authority="11", region="450500")
    with write_session(sessions) as session:
        last = session.scalar(select(func.max(Organization.id))) or 0
        found: dict[int, tuple[int, str, str]] = {}
        for _ in range(24):  # six organizations spread over the id range (an index seek each, at any size)
            if len(found) == 6 or not last:
                break
            org = session.scalars(select(Organization).where(Organization.id >= rng.randint(1, last))
                                  .order_by(Organization.id).limit(1)).first()
            if org is not None:
                found.setdefault(org.id, (org.id, org.name, org.uscc))
        people = list(found.values())
    for index, (org_id, name, uscc) in enumerate(people):
        kind, facts, basis, categories, fine = VIOLATIONS[index % len(VIOLATIONS)]
        samr = index == 0
        decided = as_of - timedelta(days=3 if samr else rng.randint(20, 300))
        authority = ("国家市场监督管理总局", "11100000MB0143028R") if samr else (BEIHAI_BUREAU, bureau_uscc)
        number = f"{'国市监处罚' if samr else '北市监处罚'}〔{decided.year}〕{12 + 17 * index + rng.randint(0, 16)}号"
        item = PenaltyIn(party_name=name, party_uscc=uscc, decision_number=number, violation_type=kind, facts=facts,
                         legal_basis=basis, categories=categories, content=f"{'、'.join(categories)}",
                         fine_wan=Decimal(fine) if fine else None, decided_on=decided,
                         confiscation_wan=Decimal("1.26") if "没收违法所得" in categories else None, authority=authority[0],
                         authority_uscc=authority[1], samr=samr, publish=index % 3 != 2)
        with write_session(sessions) as session:
            penalty = penalties.record_penalty(session, principal=SYSTEM, item=item, today=as_of)
            if index in (1, 2):  # the serious cases also go on the serious-dishonesty list
                lists.list_on_dishonesty_list(session, principal=SYSTEM, today=as_of, item=ListingIn(
                    subject_type="organization", subject_id=org_id, penalty_id=penalty.id, listed_on=decided,
                    reason=f"{kind}，情节严重", decision_number=number, authority=authority[0]))
