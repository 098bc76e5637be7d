"""Authorization matrix, part two: the API routes of the capabilities beyond the core (ledger, credentials,
supervision, credit, licensing, publicity) and the public log endpoints.

Same rules as tests/security/matrix.py. Objects these cases need beyond the security template (plans,
draws, tasks, penalties, licensing records …) are created by `seed`, called once when the template is built;
the ids it returns join `v`.

Who may do what (DOMAIN.md, docs/supervision.md §9): the log, credentials, matters, plans, draws and what is
published are public; regulators (and admins) run supervision, credit and licensing; an inspector sees and
records only the tasks they are drawn for and keeps their own directory entry current. A read-only key
reads what its user reads and writes nothing. Where existence is hidden (an unpublished penalty or licensing
record, a task someone is not on) the others get 404.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import event, func, select

from certbridge.credit import lists, penalties
from certbridge.credit.schemas import ListingIn, PenaltyIn
from certbridge.ledger.journal import LedgerEvent
from certbridge.kit.uscc import generate_uscc
from certbridge.licensing import service as licensing
from certbridge.licensing.schemas import DecisionIn
from certbridge.proficiency.service import define_pt_scheme, open_round
from certbridge.standards.service import find_by_number, save_standard
from certbridge.federation.peers import add_peer
from certbridge.kit.signed_note import generate_key
from certbridge.opendata.feeds import watches
from certbridge.settings import Settings
from certbridge.principal import SYSTEM, Principal
from certbridge.registry import people, service as registry
from certbridge.supervision import draws, plans, tasks
from certbridge.supervision.directory import declare_relationship
from certbridge.supervision.models import InspectionTask
from tests.licensing.cases_helpers import LAB_APPLICATION
from certbridge.zones.service import define_brand, define_zone
from tests.security.matrix import EVERYONE, REGULATORS, TODAY, Case, Exempt

READERS = REGULATORS | {"regulator_ro"}  # regulator-only data: a regulator's read-only key reads it too
INSPECTOR_OR_REGULATOR = REGULATORS | {"inspector"}
# Roles that are neither the task's inspector nor a regulator: the task does not exist for them.
NOT_ON_TASK = {r: 404 for r in ("org", "cb_a", "cb_a_ro", "cb_b", "lab")}
# Roles that neither filed the lab's case nor handle cases: the case does not exist for them.
NOT_THEIR_CASE = {r: 404 for r in ("org", "cb_a", "cb_a_ro", "cb_b", "inspector")}
HIDDEN = {r: 404 for r in EVERYONE - READERS}  # unpublished records: existence hidden, even from anonymous
SIGNED_IN_WRITERS = EVERYONE - {"anonymous", "cb_a_ro", "regulator_ro"}  # read-only keys add no watch
NOT_THE_WATCHER = {r: 404 for r in ("org", "cb_a", "cb_b", "lab", "inspector")}  # another user's watch
BUREAU = "北海市市场监督管理局"
BUREAU_USCC = "11450500398259791C"
CNCA, CNCA_USCC = "国家认证认可监督管理委员会", "11100000190748334U"


class CommittedLogSize:
    """The template's ledger size as last committed: the size of the one checkpoint an app signs at start.

    The web part seeds after this one (and commits on the way), so the size is read at every commit of the
    template's session, the last one winning — not when `seed` returns.
    """

    def __init__(self, session) -> None:
        self.size: int | None = None
        event.listen(session, "before_commit", self._read)

    def _read(self, session) -> None:
        self.size = session.scalar(select(func.count()).select_from(LedgerEvent))

    def __str__(self) -> str:
        assert self.size is not None, "the security template was not committed"
        return str(self.size)


def _decision(number: str, **extra) -> DecisionIn:
    return DecisionIn(document_number=number, decided_on=date.today() - timedelta(days=3), authority=CNCA,
                      authority_uscc=CNCA_USCC, **extra)


def _penalty(uscc: str, number: str, decided_on: date, **extra) -> PenaltyIn:
    return PenaltyIn(party_name="北海市海城区示例电子有限公司", party_uscc=uscc, legal_representative="张三",
                     decision_number=number, violation_type="冒用认证证书", facts="在产品包装上使用已撤销的认证证书编号",
                     legal_basis="《认证认可条例》第七十一条", categories=["警告", "罚款"], content="警告，罚款人民币五千元",
                     fine_wan="0.5", decided_on=decided_on, authority=BUREAU, authority_uscc=BUREAU_USCC, **extra)


def _revealed_draw(session, batch_id: int, seed: bytes) -> list[InspectionTask]:
    """Commit and reveal a draw with a fixed seed; return its tasks."""
    draw = draws.commit_draw(session, principal=SYSTEM, batch_id=batch_id, seed=seed)
    # The template is one transaction; the rule "reveal in a later transaction than the commit" is for live draws.
    session.info[draws._COMMITTED_HERE].discard(draw.id)
    draws.reveal_draw(session, principal=SYSTEM, draw_id=draw.id)
    return list(session.scalars(select(InspectionTask).where(InspectionTask.draw_id == draw.id)
                                .order_by(InspectionTask.id)))


def _seed_supervision(session, world) -> dict:
    year, today = date.today().year, date.today()
    # A second inspector of the bureau: with 周敏 the whole pool, so every drawn object gets both of them.
    people.register_person(session, principal=SYSTEM, name="黄磊", kind="inspector", employer=BUREAU,
                           region_code="450500")
    matter_kw = {"legal_basis": "《认证认可条例》第二十九条", "content": "证书和认证标志使用", "method": "现场检查"}
    on_orgs = plans.create_matter(session, principal=SYSTEM, code="RZ-ORG-01", name="获证组织证书使用检查", kind="key",
                                  subject_type="organization", **matter_kw)
    on_bodies = plans.create_matter(session, principal=SYSTEM, code="RZ-JG-01", name="认证机构从业规范检查", kind="key",
                                    subject_type="body", **matter_kw)
    to_draw = plans.create_matter(session, principal=SYSTEM, code="RZ-ORG-02", name="获证组织认证有效性检查",
                                  kind="key", subject_type="organization", **matter_kw)
    plan = plans.create_plan(session, principal=SYSTEM, year=year, name=f"{year}年度抽查计划", authority=BUREAU,
                             region_code="450500")

    def batch(name, matter):
        return plans.add_batch(session, principal=SYSTEM, plan_id=plan.id, name=name, matter_id=matter.id,
                               check_type="random", starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
                               class_counts={"B": 2}).id

    fresh_batch, open_batch = batch("待抽取批次", to_draw), batch("已承诺批次", to_draw)
    committed = draws.commit_draw(session, principal=SYSTEM, batch_id=open_batch, seed=b"matrix-open-draw-seed-0001")
    assigned, completed = _revealed_draw(session, batch("组织批次", on_orgs), b"matrix-org-draw-seed-00000001")
    published = _revealed_draw(session, batch("机构批次", on_bodies), b"matrix-body-draw-seed-0000001")
    for task in (completed, *published):
        tasks.record_result(session, principal=SYSTEM, task_id=task.id, result="no_problem", completed_on=today)
    for task in published:
        tasks.publish_result(session, principal=SYSTEM, task_id=task.id)
    assert world.ids["inspector"] in [i.person_id for i in assigned.inspectors], "周敏 must be on the seeded task"
    declared = declare_relationship(session, principal=SYSTEM, person_id=world.ids["inspector"], kind="other",
                                    declared_on=today, party_name="矩阵申请人有限公司")
    return {"relationship": declared.id, "matter": on_orgs.id, "plan": plan.id, "batch_fresh": fresh_batch, "draw_committed": committed.id,
            "draw_revealed": assigned.draw_id, "task_assigned": assigned.id, "task_completed": completed.id}


def _seed_credit_and_licensing(session, world) -> dict:
    today = date.today()
    uscc = world.uscc["org1"]
    unpublished = penalties.record_penalty(session, principal=SYSTEM,
                                           item=_penalty(uscc, "北市监处罚〔2026〕901号", today - timedelta(days=20)))
    published = penalties.record_penalty(session, principal=SYSTEM,
                                         item=_penalty(uscc, "北市监处罚〔2025〕902号", today - timedelta(days=400)))
    penalties.publish_penalty(session, principal=SYSTEM, penalty_id=published.id, on=today - timedelta(days=390))
    listed_org = registry.register_organization(session, principal=SYSTEM, name="北海市失信示例贸易有限公司",
                                                uscc=generate_uscc(random.Random(7), region="450502"),
                                                region_code="450502")
    to_list = registry.register_organization(session, principal=SYSTEM, name="北海市待列入示例商贸有限公司",
                                             uscc=generate_uscc(random.Random(8), region="450502"),
                                             region_code="450502")
    listing = lists.list_on_dishonesty_list(session, principal=SYSTEM, item=ListingIn(
        subject_type="organization", subject_id=listed_org.id, reason="提供虚假材料骗取认证",
        decision_number="北市监失信〔2024〕3号", authority=BUREAU, listed_on=today - timedelta(days=400)))
    lab_kw = {"region_code": "450500", "qualified_on": today - timedelta(days=3)}
    _, hidden = licensing.qualify_lab_with_record(session, principal=SYSTEM, decision=_decision("桂市监认〔2026〕31号"),
                                                  lab={"cma_number": "241500340201", "name": "北海市食品检验所", **lab_kw})
    licensing.qualify_lab_with_record(session, principal=SYSTEM, decision=_decision("桂市监认〔2026〕32号", publish=True),
                                      lab={"cma_number": "241500340202", "name": "北海市计量检测所", **lab_kw})
    return {"penalty_unpublished": unpublished.id, "penalty_published": published.id, "listing": listing.id,
            "org_to_list": to_list.id, "licensing_unpublished": hidden.id}


# A peer's log key for the federation cases: the matrix connects a peer no server answers for (sync finds it
# unreachable, a delay that changes no domain row).
MATRIX_PEER_LOG_KEY = generate_key("peer.matrix.test/log")[1]
NEW_PEER_LOG_KEY = generate_key("peer2.matrix.test/log")[1]


def _seed_federation(session) -> dict:
    peer = add_peer(session, principal=SYSTEM, settings=Settings(instance_name="certbridge.local"),
                    name="peer.matrix.test", base_url="http://127.0.0.1:9", log_key=MATRIX_PEER_LOG_KEY, witness=False)
    return {"peer": peer.id, **_seed_assistance(session, peer)}


def _seed_assistance(session, peer) -> dict:
    """An assistance request the peer sent us, as taken from its (verified) signed message."""
    from certbridge.federation.assistance import apply_message
    from certbridge.federation.assistance_notes import Message, new_message_id

    body = {"kind": "investigation", "subject": {"type": "organization", "key": "91350100M000100Y43", "name": ""},
            "text": "请协查", "attachments": [], "working_days": 10, "due_on": TODAY, "requested_by": "peer"}
    request = apply_message(session, peer=peer, message=Message(
        "peer.matrix.test", "certbridge.local", new_message_id(), "assistance.request", body))
    return {"assistance_in": request.id}


def _seed_feeds(session, world) -> dict:
    regulator = Principal(role="regulator", user_id=world.ids["user_regulator"], username="regulator")
    watch = watches.add_watch(session, principal=regulator, kind="body", target=str(world.ids["body_a"]))
    return {"watch_regulator": watch.id}


def _seed_ledger(session, v: dict) -> dict:
    size = session.scalar(select(func.count()).select_from(LedgerEvent))  # the web part only adds to it
    private = session.scalar(select(func.max(LedgerEvent.seq)).where(LedgerEvent.type == "api_key.created"))
    issued = session.scalar(select(func.min(LedgerEvent.seq)).where(
        LedgerEvent.subject_type == "certificate", LedgerEvent.subject_id == str(v["cert_a"]),
        LedgerEvent.public.is_(True)))
    width = "" if size >= 256 else f".p/{size}"
    return {"seq_private": private, "seq_cert_a": issued, "tile_entries": f"entries/000{width}"}


def _seed_qidata(session) -> dict:
    """A foreign standard to correspond to, and a proficiency scheme with one round."""
    iso, _ = save_standard(session, principal=SYSTEM, code="ISO 9001", version="2015", title="质量管理体系 要求",
                           scheme_code="QMS")
    qms = find_by_number(session, "GB/T 19001-2016")
    scheme = define_pt_scheme(session, principal=SYSTEM, code="SEED-PT", name="能力验证", provider="CNAS")
    rnd = open_round(session, principal=SYSTEM, scheme_id=scheme.id, code="S-01", parameter="铅的测定",
                     held_on=date.today())
    return {"iso_standard": iso.id, "qms_standard": qms.id, "pt_scheme": scheme.id, "pt_round": rnd.id}


def _seed_international(session) -> dict:
    """A demonstration zone and a regional brand over Beihai's quality-management certificates."""
    define_zone(session, principal=SYSTEM, code="MATRIX-ZONE", name="北海市质量认证示范区", kind="quality",
                regions=["450500"], schemes=["QMS"])
    define_brand(session, principal=SYSTEM, code="MATRIX-BRAND", name="北海品质", regions=["450500"], schemes=["QMS"])
    return {}


def _seed_risk(session, world) -> dict:
    """A complaint to follow and handle; annual reports due from last year (the warning is matrix_web's)."""
    from certbridge.complaints.filing import file_complaint
    from certbridge.risk.disclosures import set_report_rule

    complaint = file_complaint(session, principal=SYSTEM, subject_kind="product", subject_text="电热水壶",
                               kind="product_quality", description="使用一周后漏电", contact="13800000000")
    set_report_rule(session, principal=SYSTEM, due_month=3, due_day=31, first_year=date.today().year - 1)
    return {"api_complaint": complaint.id, "api_tracking": complaint.tracking_number}


def seed(session, world, out: dict) -> dict:
    """Create what these cases act on, in the template's write session; return ids to add to `v`."""
    seeded = {**_seed_supervision(session, world), **_seed_credit_and_licensing(session, world),
              **_seed_qidata(session), **_seed_feeds(session, world), **_seed_international(session),
              **_seed_risk(session, world), **_seed_federation(session)}
    seeded.update(_seed_ledger(session, out), log_size=CommittedLogSize(session))
    return seeded


def _token_of_cert_a(client, role, v) -> dict:
    """Ask for cert_a's token (it is signed with this test instance's key) and verify that.

    Asked once per test, not once per role: a token is costly work, limited per client address.
    """
    if "cert_a_token" not in v:
        r = client.get(f"/api/v1/certificates/{v['cert_a']}/token")
        assert r.status_code == 200, r.text
        v["cert_a_token"] = r.json()["token"]
    return {"params": {"token": v["cert_a_token"]}}


CERT_A = {"certificate_id": "cert_a"}
TASK = {"task_id": "task_assigned"}
DECISION = {"document_number": "国认监认字〔2026〕99号", "decided_on": TODAY, "authority": CNCA,
            "authority_uscc": CNCA_USCC}
WITHDRAWAL = {"decision_changed_on": TODAY, "reason": "复议撤销原决定"}

CASES: list = [
    # the log and its proofs: public; a non-public event shows only its leaf hash (assert_nothing_private)
    Case("GET", "/api/v1/ledger/checkpoint", EVERYONE),
    Case("GET", "/api/v1/ledger/checkpoints/{size}", EVERYONE, params={"size": "log_size"}),
    Case("GET", "/api/v1/ledger/keys", EVERYONE),
    Case("GET", "/api/v1/ledger/witnesses", EVERYONE),
    Case("GET", "/api/v1/ledger/events/{seq}", EVERYONE, params={"seq": "seq_private"}),
    Case("GET", "/api/v1/ledger/events/{seq}/proof", EVERYONE, params={"seq": "seq_private"}),
    Case("GET", "/api/v1/ledger/proof/inclusion", EVERYONE, query=lambda v: {"index": v["seq_private"]}),
    Case("GET", "/api/v1/ledger/proof/consistency", EVERYONE, query={"old": 1}),
    Case("GET", "/api/v1/certificates/{certificate_id}/history/{seq}/proof", EVERYONE,
         params={**CERT_A, "seq": "seq_cert_a"}),
    Case("GET", "/log/checkpoint", EVERYONE),
    Case("GET", "/log/tile/{path:path}", EVERYONE, params={"path:path": "tile_entries"}),
    Exempt("POST", "/witness/add-checkpoint", "another log's signed checkpoint, authenticated by its key, not a "
           "role: tests/ledger/test_witness.py::test_the_witness_refuses_forks_stale_sizes_and_strangers"),
    # credentials: a certificate's token, QR code and receipts are public, like the certificate
    # its `token` field is the public signed credential the QR code carries (PUBLIC_TOKENS in the test)
    Case("GET", "/api/v1/certificates/{certificate_id}/token", EVERYONE, params=CERT_A),
    Case("GET", "/api/v1/certificates/{certificate_id}/qr.svg", EVERYONE, params=CERT_A),
    Case("GET", "/api/v1/certificates/{certificate_id}/qr.png", EVERYONE, params=CERT_A),
    Case("GET", "/api/v1/certificates/{certificate_id}/receipt.json", EVERYONE, params=CERT_A),
    Case("GET", "/api/v1/certificates/{certificate_id}/receipt.pdf", EVERYONE, params=CERT_A),
    Case("GET", "/api/v1/certificates/{certificate_id}/stapled-status", EVERYONE, params=CERT_A),
    Case("GET", "/api/v1/certificates/{certificate_id}/stapled-status.png", EVERYONE, params=CERT_A),
    Case("GET", "/api/v1/tokens/verify", EVERYONE, prepare=_token_of_cert_a),
    Exempt("POST", "/api/v1/receipts/verify", "a read-only check of a receipt anyone may hold: no role, no state, "
           "no event; tests/credentials/test_receipt_fields.py checks it with genuine and forged receipts"),
    Case("GET", "/healthz", EVERYONE),
    # status and absence proofs of the state map: public (an absent number is a proof too)
    Case("GET", "/api/v1/ledger/status", EVERYONE, query={"certificate": "00126:MATRIX-NEVER-ISSUED"}),
    # open data: the directory and one's own quota are public; a body's IAF file is its operators' and regulators'
    Case("GET", "/api/v1/directory/labs", EVERYONE, query={"parameter": "铅"}),
    Case("GET", "/api/v1/directory/bodies", EVERYONE, query={"scheme": "QMS"}),
    Case("GET", "/api/v1/directory/labs/compare", EVERYONE, query=lambda v: {"lab": v["lab"]}),
    Case("GET", "/api/v1/quota", EVERYONE),
    Case("GET", "/api/v1/bodies/{body_id}/certificates/iaf.xlsx", frozenset({"cb_a", "cb_a_ro"}) | READERS,
         params={"body_id": "body_a"}),
    Exempt("POST", "/api/v1/bulk-verifications", "a read-only check of a supplier list anyone may run, counted "
           "against the caller's quota: tests/opendata/test_bulk_api.py and test_quotas.py"),
    Exempt("POST", "/api/v1/bulk-verifications/file", "the same check from a file: tests/opendata/test_bulk_api.py"),
    Exempt("POST", "/api/v1/bulk-verifications/jobs", "the same check as a background job: tests/opendata/test_bulk_api.py"),
    Exempt("GET", "/api/v1/bulk-verifications/{token}", "a job's result by its unguessable token (a capability URL, "
           "like a tracking number): tests/opendata/test_bulk_api.py"),
    Exempt("POST", "/api/v1/bulk-receipts/verify", "a read-only check of a bulk receipt anyone may hold, like "
           "/api/v1/receipts/verify: tests/opendata/test_bulk_verify.py and test_bulk_api.py"),
    Exempt("PUT", "/api/v1/keys/{key_id}/quota", "admins set a key's quota: tests/opendata/test_quotas.py checks "
           "admin, regulator, body operator and anonymous"),
    Exempt("POST", "/api/v1/bodies/{body_id}/certificates/import-iaf", "the certificate import of body operators "
           "under another file layout, through the same importer and its checks: tests/opendata/test_iaf.py"),
    # supervision: the matter list, plans and draws are public; regulators write them
    Case("GET", "/api/v1/supervision/matters", EVERYONE),
    Case("POST", "/api/v1/supervision/matters", REGULATORS,
         json={"code": "RZ-LAB-01", "name": "检验检测机构资质认定检查", "kind": "general", "subject_type": "lab",
               "legal_basis": "《检验检测机构资质认定管理办法》", "content": "资质认定条件", "method": "书面检查",
               "max_ratio": "0.2"}),
    Case("PATCH", "/api/v1/supervision/matters/{matter_id}", REGULATORS, params={"matter_id": "matter"},
         json={"method": "现场检查、书面检查"}),
    Case("GET", "/api/v1/supervision/plans", EVERYONE),
    Case("GET", "/api/v1/supervision/plans/{plan_id}", EVERYONE, params={"plan_id": "plan"}),
    Case("POST", "/api/v1/supervision/plans", REGULATORS,
         json={"year": date.today().year + 1, "name": "下年度抽查计划", "authority": BUREAU, "region_code": "450500"}),
    Case("POST", "/api/v1/supervision/plans/{plan_id}/batches", REGULATORS, params={"plan_id": "plan"},
         json=lambda v: {"name": "第二批", "matter_id": v["matter"], "starts_on": TODAY, "ends_on": TODAY}),
    Case("POST", "/api/v1/supervision/batches/{batch_id}/draws", REGULATORS, params={"batch_id": "batch_fresh"},
         json={}),
    Case("GET", "/api/v1/supervision/draws", EVERYONE),
    Case("GET", "/api/v1/supervision/draws/{draw_id}", EVERYONE, params={"draw_id": "draw_revealed"}),
    Case("GET", "/api/v1/supervision/draws/{draw_id}/export", EVERYONE, params={"draw_id": "draw_revealed"}),
    Case("GET", "/api/v1/supervision/draws/{draw_id}/verify", EVERYONE, params={"draw_id": "draw_revealed"}),
    Case("GET", "/api/v1/supervision/draws/{draw_id}/trail", EVERYONE, params={"draw_id": "draw_revealed"}),
    Case("POST", "/api/v1/supervision/draws/{draw_id}/reveal", REGULATORS, params={"draw_id": "draw_committed"},
         json={}),
    Case("POST", "/api/v1/supervision/draws/{draw_id}/cancel", REGULATORS, params={"draw_id": "draw_committed"},
         json={"reason": "抽查范围有误"}),
    # the directories are internal; an inspector reads and completes their own entry
    Case("GET", "/api/v1/supervision/objects", READERS),
    Case("GET", "/api/v1/supervision/inspectors", READERS),
    Case("GET", "/api/v1/supervision/inspectors/{person_id}", READERS | {"inspector"},
         params={"person_id": "inspector"}),
    Case("POST", "/api/v1/supervision/inspectors/{person_id}/relationships", INSPECTOR_OR_REGULATOR,
         params={"person_id": "inspector"},
         json=lambda v: {"object_type": "organization", "object_id": v["org2"], "kind": "relative",
                         "declared_on": TODAY}),
    Case("GET", "/api/v1/supervision/relationships", READERS),
    Case("POST", "/api/v1/supervision/relationships/{relationship_id}/withdraw", INSPECTOR_OR_REGULATOR,
         params={"relationship_id": "relationship"}, json={"reason": "申报有误"}),
    Case("POST", "/api/v1/supervision/inspectors/{person_id}/history", INSPECTOR_OR_REGULATOR,
         params={"person_id": "inspector"},
         json=lambda v: {"object_type": "organization", "object_id": v["org2"], "inspected_on": TODAY,
                         "source": "北市监抽〔2026〕5号"}),
    # tasks: the drawn inspector and regulators; for everyone else the task does not exist
    Case("GET", "/api/v1/supervision/tasks", READERS | {"inspector"}),
    Case("GET", "/api/v1/supervision/tasks/{task_id}", READERS | {"inspector"}, params=TASK, outcomes=NOT_ON_TASK),
    Case("POST", "/api/v1/supervision/tasks/{task_id}/findings", INSPECTOR_OR_REGULATOR, params=TASK,
         json={"text": "证书编号与平台记录一致"}, outcomes=NOT_ON_TASK),
    Case("POST", "/api/v1/supervision/tasks/{task_id}/result", INSPECTOR_OR_REGULATOR, params=TASK,
         json={"result": "no_problem", "completed_on": TODAY}, outcomes=NOT_ON_TASK),
    Case("POST", "/api/v1/supervision/tasks/{task_id}/publish", REGULATORS, params={"task_id": "task_completed"},
         json={}),
    Case("POST", "/api/v1/supervision/tasks/{task_id}/replace-inspector", REGULATORS, params=TASK,
         json=lambda v: {"person_id": v["inspector"], "reason": "检查前申报回避"}),
    Case("GET", "/api/v1/supervision/overdue", READERS),
    Case("GET", "/api/v1/public/spot-checks", EVERYONE),
    # credit: penalties, lists and bars are regulators' decisions; the public sees what is published
    Case("GET", "/api/v1/credit/penalties", READERS),
    Case("GET", "/api/v1/credit/penalties/{penalty_id}", READERS, params={"penalty_id": "penalty_unpublished"},
         outcomes=HIDDEN),
    Case("POST", "/api/v1/credit/penalties", REGULATORS,
         json=lambda v: _penalty(v["uscc_org1"], "北市监处罚〔2026〕903号", date.today()).model_dump(mode="json")),
    Case("POST", "/api/v1/credit/penalties/{penalty_id}/publish", REGULATORS,
         params={"penalty_id": "penalty_unpublished"}, json={}),
    Case("POST", "/api/v1/credit/penalties/{penalty_id}/withdraw", REGULATORS,
         params={"penalty_id": "penalty_unpublished"}, json=WITHDRAWAL),
    Case("POST", "/api/v1/credit/penalties/{penalty_id}/repair", REGULATORS,
         params={"penalty_id": "penalty_published"}, json={"reason": "已履行行政处罚决定并完成整改"}),
    Case("GET", "/api/v1/public/penalties", EVERYONE),
    Case("GET", "/api/v1/credit/dishonesty-list", READERS),
    Case("POST", "/api/v1/credit/dishonesty-list", REGULATORS,
         json=lambda v: {"subject_type": "organization", "subject_id": v["org_to_list"], "reason": "伪造认证证书",
                         "decision_number": "北市监失信〔2026〕7号", "authority": BUREAU}),
    Case("POST", "/api/v1/credit/dishonesty-list/{listing_id}/remove", REGULATORS, params={"listing_id": "listing"},
         json={"obligations_met": True, "reason": "已履行法定义务，申请提前移出"}),
    Case("GET", "/api/v1/public/dishonesty-list", EVERYONE),
    Case("POST", "/api/v1/credit/people/{person_id}/bar", REGULATORS, params={"person_id": "a1"},
         json={"kind": "false_conclusion", "reason": "出具虚假认证结论", "decision_number": "国市监认罚〔2026〕2号"}),
    Case("POST", "/api/v1/credit/bodies/{body_id}/revoke", REGULATORS, params={"body_id": "body_b"},
         json={"reason": "出具虚假认证结论情节严重", "decision_number": "国市监认罚〔2026〕3号"}),
    Case("GET", "/api/v1/credit/records/{subject_type}/{subject_id}", READERS,
         params={"subject_type": "organization", "subject_id": "org1"}),
    Case("POST", "/api/v1/credit/recompute", REGULATORS),
    Case("GET", "/api/v1/credit/settings", READERS),
    Case("PUT", "/api/v1/credit/settings/{key}", REGULATORS, params={"key": "person_bar_years"}, json={"value": 5}),
    # licensing (双公示): regulators decide and publish; the public sees published records
    Case("POST", "/api/v1/licensing/bodies", REGULATORS,
         json={"body": {"code": "00888", "approval_number": "CNCA-R-2026-888", "name": "北海新批准认证有限公司",
                        "fields": ["SYS-QMS"], "approved_on": TODAY, "region_code": "450500"}, "decision": DECISION}),
    Case("POST", "/api/v1/licensing/bodies/{body_id}/changes", REGULATORS, params={"body_id": "body_a"},
         json={"changes": {"address": "广西北海市银海区 9 号"}, "decision": DECISION}),
    Case("POST", "/api/v1/licensing/bodies/{body_id}/renewals", REGULATORS, params={"body_id": "body_a"},
         json={"valid_until": "2040-12-31", "decision": DECISION}),
    Case("POST", "/api/v1/licensing/labs", REGULATORS,
         json={"lab": {"cma_number": "241500340299", "name": "北海市建材检验所", "qualified_on": TODAY},
               "decision": DECISION}),
    Case("GET", "/api/v1/licensing/records", READERS),
    Case("GET", "/api/v1/licensing/records/{record_id}", READERS, params={"record_id": "licensing_unpublished"},
         outcomes=HIDDEN),
    Case("POST", "/api/v1/licensing/records/{record_id}/publish", REGULATORS,
         params={"record_id": "licensing_unpublished"}, json={}),
    Case("POST", "/api/v1/licensing/records/{record_id}/withdraw", REGULATORS,
         params={"record_id": "licensing_unpublished"}, json=WITHDRAWAL),
    Case("GET", "/api/v1/public/licensing-records", EVERYONE),
    # licensing cases: applicants (and operators) file and follow their own cases; another's is not there;
    # regulators see the queue and take the handlers' steps
    Case("POST", "/api/v1/licensing/cases", frozenset({"cb_a", "cb_b", "lab"}),
         json={"subject_type": "lab", "application": LAB_APPLICATION}),
    Case("GET", "/api/v1/licensing/cases", EVERYONE - {"anonymous"}),
    Case("GET", "/api/v1/licensing/cases/{case_id}", READERS | {"lab"}, params={"case_id": "web_case_draft"},
         outcomes=NOT_THEIR_CASE),
    Case("POST", "/api/v1/licensing/cases/{case_id}/attachments", frozenset({"lab"}),
         params={"case_id": "web_case_draft"}, outcomes=NOT_THEIR_CASE,
         files=lambda v: {"file": ("任命文件.pdf", b"%PDF-1.4\n% appointment\n", "application/pdf")}),
    Case("POST", "/api/v1/licensing/cases/{case_id}/steps", REGULATORS, params={"case_id": "web_case_submitted"},
         json={"action": "accept"}),
    Case("GET", "/api/v1/publicity/settings", EVERYONE),
    Case("PUT", "/api/v1/publicity/settings/{key}", REGULATORS, params={"key": "withdrawal_workdays"},
         json={"value": 3}),
    # The export of every record, published or not (scope=all), is for regulators; scope=public is anyone's.
    Case("GET", "/api/v1/publicity/export", READERS, query={"layout": "CF", "scope": "all"}),
    # quality-infrastructure data: anyone reads standards, proficiency records, coverage; regulators maintain them
    Case("POST", "/api/v1/schemes/{code}/grades", REGULATORS, params={"code": "QMS"},
         json={"code": "MATRIX", "kind": "sector", "name": "矩阵测试细分", "name_en": "Matrix sector"}),
    Case("GET", "/api/v1/standards/search", EVERYONE, query={"q": "19001"}),
    Case("GET", "/api/v1/standards/{standard_id}", EVERYONE, params={"standard_id": "qms_standard"}),
    Case("PUT", "/api/v1/standards/catalogue", REGULATORS,
         json={"code": "ISO 19011", "version": "2018", "title": "管理体系审核指南", "scheme_code": "QMS"}),
    Case("POST", "/api/v1/standards/{standard_id}/equivalences", REGULATORS, params={"standard_id": "qms_standard"},
         json=lambda v: {"foreign_id": v["iso_standard"], "degree": "IDT"}),
    Case("POST", "/api/v1/standards/import", REGULATORS, files=lambda v: {"file": (
        "catalogue.csv", "标准号,标准名称,认证项目\nISO 14001:2015,环境管理体系,EMS\n".encode(), "text/csv")}),
    Case("GET", "/api/v1/proficiency/schemes", EVERYONE),
    Case("POST", "/api/v1/proficiency/schemes", REGULATORS,
         json={"code": "MATRIX-PT", "name": "矩阵测试能力验证", "provider": "CNAS"}),
    Case("POST", "/api/v1/proficiency/schemes/{scheme_id}/rounds", REGULATORS, params={"scheme_id": "pt_scheme"},
         json={"code": "M-01", "parameter": "铅的测定", "held_on": TODAY}),
    Case("POST", "/api/v1/proficiency/rounds/{round_id}/results", REGULATORS, params={"round_id": "pt_round"},
         json=lambda v: {"lab_id": v["lab"], "outcome": "unsatisfactory", "z_score": 3.3}),
    Case("GET", "/api/v1/labs/{lab_id}/proficiency", EVERYONE, params={"lab_id": "lab"}),
    Case("GET", "/api/v1/proficiency/unsatisfactory", EVERYONE),
    Case("PUT", "/api/v1/organizations/{organization_id}/classes", REGULATORS, params={"organization_id": "org1"},
         json={"sector_code": "C39", "employees": 50, "revenue_10k": 800}),
    Case("GET", "/api/v1/coverage", EVERYONE, query={"by": "region_group"}),
    Case("GET", "/api/v1/reference/organization-classes", EVERYONE),
    # the change feed and the bulk files are public; watches belong to their user (others find nothing)
    Case("GET", "/api/v1/feed", EVERYONE, query={"after": -1, "limit": 5}),
    Case("GET", "/api/v1/feed/stream", EVERYONE, query={"after": -1, "until_caught_up": "true"}),
    Case("GET", "/api/v1/bulk", EVERYONE),
    Case("GET", "/bulk/{day}/{name}", frozenset(), params={"day": "2000-01-01", "name": "manifest.txt"},
         outcomes={r: 404 for r in EVERYONE}),
    Case("POST", "/api/v1/watches", SIGNED_IN_WRITERS, json=lambda v: {"kind": "body", "target": str(v["body_a"])}),
    Case("GET", "/api/v1/watches", EVERYONE - {"anonymous"}),
    Case("DELETE", "/api/v1/watches/{watch_id}", REGULATORS, params={"watch_id": "watch_regulator"},
         outcomes=NOT_THE_WATCHER),
    Case("POST", "/api/v1/watches/{watch_id}/replay", REGULATORS, params={"watch_id": "watch_regulator"},
         json={"from_seq": 0}, outcomes=NOT_THE_WATCHER),
    Case("GET", "/api/v1/watches/{watch_id}/deliveries", READERS, params={"watch_id": "watch_regulator"},
         outcomes={r: 404 for r in EVERYONE - READERS - {"anonymous"}}),
    # federation: our identity and the peers' certificates are public; peers are the regulators' (admins connect)
    Case("GET", "/api/v1/federation/identity", EVERYONE),
    Case("GET", "/api/v1/federation/peers", READERS),
    Case("POST", "/api/v1/federation/peers", frozenset({"admin"}),
         json={"name": "peer2.matrix.test", "base_url": "http://127.0.0.1:9", "log_key": NEW_PEER_LOG_KEY,
               "witness": False}),
    Case("POST", "/api/v1/federation/peers/{peer_id}/sync", REGULATORS, params={"peer_id": "peer"}),
    Case("POST", "/api/v1/federation/peers/{peer_id}/audit", REGULATORS, params={"peer_id": "peer"}),
    Case("GET", "/api/v1/federation/certificates", EVERYONE, query={"q": "00126"}),
    # 执法互助: regulators ask peers and decide what peers ask; peers deliver signed messages (no role)
    Case("GET", "/api/v1/federation/assistance", READERS),
    Case("POST", "/api/v1/federation/assistance", REGULATORS, json=lambda v: {
        "peer_id": v["peer"], "kind": "investigation", "subject_type": "organization", "subject_key": v["uscc_org1"],
        "text": "请协查该企业", "working_days": 10}),
    Case("GET", "/api/v1/federation/assistance/{assistance_id}", READERS, params={"assistance_id": "assistance_in"}),
    Case("POST", "/api/v1/federation/assistance/{assistance_id}/accept", REGULATORS,
         params={"assistance_id": "assistance_in"}, json={}),
    Case("POST", "/api/v1/federation/assistance/{assistance_id}/refuse", REGULATORS,
         params={"assistance_id": "assistance_in"}, json={"text": "不属本辖区"}),
    Case("POST", "/api/v1/federation/assistance/{assistance_id}/answer", REGULATORS,
         params={"assistance_id": "assistance_in"}, json={"text": "已核查"}),
    Exempt("POST", "/api/v1/federation/messages", "a peer's signed message, authenticated by the peer's log key, not a "
           "role: tests/federation/test_assistance.py::test_tampered_replayed_and_stranger_messages_are_refused"),
    Case("POST", "/api/v1/federation/peers/{peer_id}/recognition", REGULATORS, params={"peer_id": "peer"},
         json={"recognize": True}),
    Case("GET", "/api/v1/federation/recognized", READERS),
    # statistics (public)
    Case("GET", "/api/v1/stats", EVERYONE, query={"region": "450500"}),
    Case("GET", "/api/v1/stats/breakdown", EVERYONE, query={"by": "scheme"}),
    Case("GET", "/api/v1/stats/changes", EVERYONE),
    Case("GET", "/api/v1/stats/series", EVERYONE),
    Case("GET", "/api/v1/stats/targets", EVERYONE),
    # international recognition: accreditation bodies and zones are public; regulators keep them
    Case("GET", "/api/v1/accreditation-bodies", EVERYONE),
    Case("GET", "/api/v1/accreditation-bodies/{code}", EVERYONE, params={"code": "UKAS"}),
    Case("PUT", "/api/v1/accreditation-bodies/{code}", REGULATORS, params={"code": "MATRIX-AB"},
         json={"name": "矩阵测试认可机构", "name_en": "Matrix Accreditation", "country": "NZ",
               "scopes": [{"main_scope": "17021-1", "sub_scope": "QMS", "arrangement": "IAF MLA",
                           "signatory_since": "2020-01-01"}]}),
    Case("POST", "/api/v1/accreditation-bodies/import", REGULATORS, files=lambda v: {"file": (
        "ab.csv", "code,name,name_en,country,main_scope,sub_scope,arrangement,signatory_since\n"
                  "MATRIX-IMP,矩阵导入,Matrix Import,IE,17065,,IAF MLA,2015-05-01\n".encode(), "text/csv")}),
    Case("POST", "/api/v1/bodies/foreign", REGULATORS,
         json={"country": "DE", "foreign_id": "HRB 99999", "name": "Matrix Zertifizierung GmbH",
               "fields": ["SYS-QMS"], "registered_on": TODAY}),
    Case("GET", "/api/v1/zones", EVERYONE),
    Case("GET", "/api/v1/zones/{code}", EVERYONE, params={"code": "MATRIX-ZONE"}),
    Case("POST", "/api/v1/zones", REGULATORS,
         json={"code": "MATRIX-Z2", "name": "矩阵示范区", "kind": "organic", "regions": ["450500"],
               "schemes": ["ORGANIC"]}),
    Case("GET", "/api/v1/brands", EVERYONE),
    Case("POST", "/api/v1/brands", REGULATORS,
         json={"code": "MATRIX-B2", "name": "矩阵品牌", "regions": ["450500"], "schemes": ["QMS"]}),
    Case("POST", "/api/v1/brands/{code}/certificates", REGULATORS, params={"code": "MATRIX-BRAND"},
         json=lambda v: {"certificate_id": v["cert_a"]}),
    # complaints: anyone files and follows by number; regulators list and handle
    Case("POST", "/api/v1/complaints", EVERYONE - {"cb_a_ro", "regulator_ro"},
         json={"subject_kind": "product", "subject_text": "电热水壶", "kind": "product_quality",
               "description": "插头发热", "anonymous": True}),
    Case("GET", "/api/v1/complaints/track/{tracking_number}", EVERYONE, params={"tracking_number": "api_tracking"}),
    Case("GET", "/api/v1/complaints", READERS),
    Case("GET", "/api/v1/complaints/{complaint_id}", READERS, params={"complaint_id": "api_complaint"}),
    Case("POST", "/api/v1/complaints/{complaint_id}/{action}", REGULATORS,
         params={"complaint_id": "api_complaint", "action": "accept"}, json={}),
    # risk: regulators; a body's disclosures are public, filed by the body
    Case("GET", "/api/v1/risk/scores", READERS),
    Case("GET", "/api/v1/risk/subjects/{subject_type}/{subject_id}", READERS,
         params={"subject_type": "person", "subject_id": "a1"}),
    Case("GET", "/api/v1/risk/warnings", READERS),
    Case("POST", "/api/v1/risk/warnings/{warning_id}/decide", REGULATORS, params={"warning_id": "web_warning"},
         json={"decision": "inspect"}),
    Case("GET", "/api/v1/risk/parameters", READERS),
    Case("PUT", "/api/v1/risk/parameters/{signal}", REGULATORS, params={"signal": "late_report"},
         json={"weight": 200, "threshold": 1, "window_days": 730}),
    Case("PUT", "/api/v1/risk/disclosure-rule", REGULATORS, json={"due_month": 4, "due_day": 30, "first_year": 2026}),
    Case("GET", "/api/v1/bodies/{body_id}/disclosures", EVERYONE, params={"body_id": "body_a"}),
    Case("POST", "/api/v1/bodies/{body_id}/commitment", REGULATORS | {"cb_a"}, params={"body_id": "body_a"},
         json={"text": "本机构承诺：审核人员均到现场实施审核。"}),
    Case("POST", "/api/v1/bodies/{body_id}/annual-reports", REGULATORS | {"cb_a"}, params={"body_id": "body_a"},
         json={"year": date.today().year - 1, "text": "年度工作报告全文"}),
]
