"""Authorization matrix, part three: every page and form of the web (portal, CB console, regulator console,
inspector pages, publicity pages).

Same rules as tests/security/matrix.py, with what a browser gets instead of what an API client gets:

- A role on the web is a signed-in session of that role's user (opened by `seed`, so signing in writes
  nothing during the test; POST /login itself is tested in tests/web/test_sessions.py). The read-only key
  roles (cb_a_ro, regulator_ro) have no password: pages accept an API key too (api.deps.current_principal),
  so they are sent as a script using that key would send them — the key as Bearer, no session, the
  anonymous CSRF cookie and token — and must read what their user reads and write nothing.
- A refused page or form answers anonymous with a 303 to /login?next=… and a signed-in wrong role with
  403 (web/errors.py), unless `outcomes` says otherwise (404 where another body's record is simply not there).
- A form that succeeds answers 303 to the page matching `lands` (a regular expression, or a callable of `v`
  returning one) and appends a ledger event carrying the actor; a form with `lands=None` answers 2xx (it
  shows its result in place, e.g. a new key's token). Forms always carry the CSRF token of the sender's
  session; every form is also sent once without it and must be refused (403) without a change.
- `setup(client, v)` runs once per test before the roles and returns more values (e.g. a QR token signed
  with this test instance's key).

Objects the cases need beyond the security template are created by `seed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.auth.models import User
from certbridge.auth.service import principal_for
from certbridge.auth.sessions import sign_in
from certbridge.certificates.uploads import stage_upload
from certbridge.complaints.filing import file_complaint
from certbridge.complaints.models import ComplaintEvidence
from certbridge.complaints.service import file_fake_report
from certbridge.credit import lists, penalties
from certbridge.credit.schemas import ListingIn, PenaltyIn
from certbridge.jobs.models import Job
from certbridge.licensing.schemas import DecisionIn
from certbridge.licensing.service import qualify_lab_with_record
from certbridge.principal import ANONYMOUS, SYSTEM
from certbridge.risk.accountability import open_review
from certbridge.risk.alerts import publish_alert
from certbridge.supervision import draws, plans, tasks
from certbridge.supervision.models import InspectionTask
from tests.security.matrix import EVERYONE, REGULATORS, TODAY, Case, Exempt
from tests.licensing.cases_helpers import LAB_APPLICATION
from tests.world import PASSWORD

SESSION_ROLES = ("org", "cb_a", "cb_b", "lab", "inspector", "regulator", "admin")
SIGNED_IN = EVERYONE - {"anonymous"}
REGULATOR_PAGES = REGULATORS | {"regulator_ro"}
CB_PAGES = frozenset({"cb_a", "cb_a_ro", "cb_b"})
OWN_CERT = frozenset({"cb_a", "cb_a_ro"})
INSPECTOR_PAGES = frozenset({"inspector"}) | REGULATOR_PAGES
# Another body's certificate, or a task one is not assigned to, is simply not there.
NOT_THEIRS = {"cb_b": 404}
# A staged import belongs to one sign-in session: another body's, and a key (no session at all), find nothing.
NOT_STAGED_HERE = {"cb_b": 404, "cb_a_ro": 404}
NOT_ASSIGNED = {r: 404 for r in ("org", "cb_a", "cb_a_ro", "cb_b", "lab")}
APPLICANT_PAGES = frozenset({"cb_a", "cb_a_ro", "cb_b", "lab"})
# Another applicant's case is simply not there.
NOT_THEIR_CASE = {r: 404 for r in ("org", "cb_a", "cb_a_ro", "cb_b", "inspector")}
# An applicant's own steps: other applying roles do not find the case; roles that never apply are refused.
NOT_THEIR_CASE_TO_ACT = {r: 404 for r in ("cb_a", "cb_a_ro", "cb_b")}
BUREAU = "北海市市场监督管理局"
AUTHORITY_USCC = "11450500398259791C"
YEAR = date.today().year


@dataclass(frozen=True)
class Page(Case):
    """A page or a form, sent the way a browser of the role sends it (see the module docstring)."""

    form: dict | Callable[[dict], dict] | None = None
    lands: str | Callable[[dict], str] | None = None
    setup: Callable[[Any, dict], dict] | None = None
    # A form that only starts a read as a background job (an export): it records the job and nothing else —
    # no ledger event, no other table changed.
    read_job: bool = False


def _import_csv(number: str, uscc: str) -> bytes:
    return ("证书编号,认证项目,认证依据,标准版本,获证组织名称,统一社会信用代码,认证范围,颁证日期\n"
            f"{number},QMS,GB/T 19001,2016,北海市海城区示例电子有限公司,{uscc},软件开发,2025-03-01\n").encode("gbk")


def _sessions(session: Session, out: dict) -> None:
    for role in SESSION_ROLES:
        signed = sign_in(session, username=role, password=PASSWORD, hours=24 * 7)
        out[f"web_cookie_{role}"] = signed.token
        out[f"web_session_{role}"] = signed.session.id


def _supervision(session: Session, world, out: dict) -> None:
    """A plan with three batches: one drawn and revealed (two tasks), one committed, one not drawn yet."""
    basis = {"kind": "key", "subject_type": "organization", "legal_basis": "《认证认可条例》第二十九条",
             "content": "证书和认证标志使用", "method": "现场检查"}
    matter = plans.create_matter(session, principal=SYSTEM, code="WEB-MATRIX-01", name="网页矩阵证书使用检查", **basis)
    # An object is drawn once a year per matter: the batch left to draw checks another matter.
    other = plans.create_matter(session, principal=SYSTEM, code="WEB-MATRIX-02", name="网页矩阵认证有效性检查", **basis)
    # No avoidance window: the API matrix's draws (same organizations, same inspectors) must not empty this one.
    plan = plans.create_plan(session, principal=SYSTEM, year=YEAR, name=f"{YEAR}年度网页矩阵抽查计划",
                             authority=BUREAU, region_code="450500", recent_inspection_months=0)
    batches = [plans.add_batch(session, principal=SYSTEM, plan_id=plan.id, name=name, matter_id=item.id,
                               check_type="random", starts_on=date(YEAR, 1, 2), ends_on=date(YEAR, 12, 31),
                               class_counts={"B": 2})
               for name, item in (("网页第一批", matter), ("网页第二批", matter), ("网页第三批", other))]
    revealed = draws.commit_draw(session, principal=SYSTEM, batch_id=batches[0].id, seed=b"web-matrix-draw-seed-0001")
    committed = draws.commit_draw(session, principal=SYSTEM, batch_id=batches[1].id, seed=b"web-matrix-draw-seed-0002")
    out.update(web_matter=matter.id, web_plan=plan.id, web_batch_free=batches[2].id, web_draw_revealed=revealed.id,
               web_draw_committed=committed.id)
    # A draw is revealed in a later transaction than its commitment, as in real use.
    session.commit()
    with Session(bind=session.get_bind()) as reveal:
        draws.reveal_draw(reveal, principal=SYSTEM, draw_id=revealed.id)
        reveal.commit()
    drawn = list(session.scalars(select(InspectionTask).where(InspectionTask.draw_id == revealed.id)
                                 .order_by(InspectionTask.id)))
    mine = [t for t in drawn if world.ids["inspector"] in [i.person_id for i in t.inspectors if i.active]]
    assert len(drawn) == 2 and mine, "the web matrix needs two drawn tasks, one of them 周敏's"
    assigned = mine[0]
    completed = next(t for t in drawn if t is not assigned)
    tasks.record_result(session, principal=SYSTEM, task_id=completed.id, result="no_problem", completed_on=date.today())
    out.update(web_task_assigned=assigned.id, web_task_completed=completed.id)


def _credit(session: Session, world, out: dict) -> None:
    """A penalty to publish, a published one, a listing to remove and a licensing record to publish."""
    base = {"party_name": "北海市海城区示例电子有限公司", "party_uscc": world.uscc["org1"],
            "violation_type": "冒用认证证书", "facts": "在产品包装上使用已撤销的认证证书编号",
            "legal_basis": "《认证认可条例》第七十一条", "categories": ["警告"], "content": "警告",
            "decided_on": TODAY, "authority": BUREAU, "authority_uscc": AUTHORITY_USCC}
    draft = penalties.record_penalty(session, principal=SYSTEM,
                                     item=PenaltyIn(**base, decision_number="网页矩阵〔2026〕1号"))
    shown = penalties.record_penalty(session, principal=SYSTEM,
                                     item=PenaltyIn(**base, decision_number="网页矩阵〔2026〕2号", publish=True))
    listing = lists.list_on_dishonesty_list(session, principal=SYSTEM, item=ListingIn(
        subject_type="organization", subject_id=world.ids["org2"], reason="伪造认证证书",
        decision_number="网页矩阵失信〔2024〕1号", authority=BUREAU, listed_on=date.today() - timedelta(days=400)))
    _, record = qualify_lab_with_record(
        session, principal=SYSTEM, lab={"cma_number": "241500347777", "name": "北海市网页矩阵检验所",
                                        "qualified_on": date(2025, 1, 2)},
        decision=DecisionIn(document_number="桂市监认字〔2025〕7号", decided_on=date(2025, 1, 2), authority=BUREAU,
                            authority_uscc=AUTHORITY_USCC))
    out.update(web_penalty_draft=draft.id, web_penalty_published=shown.id, web_listing=listing.id,
               web_licensing_record=record.id)


def seed(session, world, out: dict) -> dict:
    """Create what these cases act on, in the template's write session; return ids to add to `v`."""
    made: dict = {}
    _sessions(session, made)
    cb_a = principal_for(session.get(User, world.ids["user_cb_a"]))
    made["web_upload"] = stage_upload(session, principal=cb_a, session_id=made["web_session_cb_a"],
                                      body_id=world.ids["body_a"], filename="certs.csv",
                                      data=_import_csv("00126Q26555R0M/4500", world.uscc["org1"]), rows=1).id
    job = Job(kind="import.check", status="succeeded", title="certs.csv", actor=cb_a.actor, user_id=cb_a.user_id,
              body_id=world.ids["body_a"], runner="", stage="succeeded", done=1, total=1)
    session.add(job)
    session.flush()
    made["web_job"] = job.id
    made["web_report"] = file_fake_report(session, principal=ANONYMOUS, number="00126Q99999R0M/4500",
                                          where_seen="网店商品详情页").id
    _credit(session, world, made)
    _supervision(session, world, made)
    _licensing(session, world, made)
    _stats(session, made)
    _risk(session, world, made)
    return made


def _licensing(session: Session, world, out: dict) -> None:
    """Two cases of the lab operator: a draft with an attachment, and one submitted (awaiting acceptance)."""
    import tempfile

    from certbridge.licensing import cases
    from tests.licensing.cases_helpers import LAB_APPLICATION, PDF, as_filed
    lab = principal_for(session.get(User, world.ids["user_lab"]))
    ids = []
    for _ in range(2):
        case = cases.file_case(session, principal=lab, kind="application", subject_type="lab", procedure="general",
                               application=as_filed(LAB_APPLICATION))
        item = cases.attach_file(session, principal=lab, case_id=case.id, filename="质量手册.pdf", data=PDF,
                                 data_dir=tempfile.mkdtemp(), max_bytes=1024 * 1024)
        ids.append((case.id, item.id))
    cases.applicant_step(session, principal=lab, case_id=ids[1][0], action="submit")
    out.update(web_case_draft=ids[0][0], web_case_attachment=ids[0][1], web_case_submitted=ids[1][0])


def _licence_token(client, v: dict) -> dict:
    """Sign the world lab's licence token with this test instance's key, and put the draft's file in its data dir."""
    from certbridge.credentials.licence_tokens import licence_token
    from certbridge.licensing.attachments import store_attachment
    from certbridge.registry.models import Lab
    from tests.licensing.cases_helpers import PDF
    settings = client.app.state.settings
    store_attachment(settings.data_dir, PDF)
    with client.app.state.sessions() as s:
        return {"licence_token": licence_token(settings, s.get(Lab, v["lab"]))}


def _stats(session, out: dict) -> None:
    from certbridge.stats.models import StatsReport, StatsTarget
    from certbridge.stats.targets import load_reference_targets

    load_reference_targets(session)
    out["web_target"] = session.scalar(select(StatsTarget.id).order_by(StatsTarget.id).limit(1))
    report = StatsReport(region_code="450500", month="2026-10", as_of=date(2026, 10, 31), tree_size=0, root_hash=None,
                         html="<!doctype html><p>北海市 2026-10</p>", sha256="0" * 64, signature="matrix")
    session.add(report)
    session.flush()
    out["web_stats_report"] = report.id


def _risk(session: Session, world, out: dict) -> None:
    """A complaint with an evidence row, a review warning, a consumer alert, a signal's name."""
    complaint = file_complaint(session, principal=ANONYMOUS, subject_kind="body", subject_text="00126",
                               kind="malpractice", description="未到现场审核", anonymous=True)
    session.add(ComplaintEvidence(complaint_id=complaint.id, sha256="0" * 64, filename="a.png",
                                  content_type="image/png", size=1))
    session.flush()
    out["web_complaint"] = complaint.id
    out["web_evidence"] = session.scalar(select(ComplaintEvidence.id))
    out["web_warning"] = open_review(session, principal=SYSTEM, person_id=world.ids["a1"], finding="虚假审核").id
    out["web_alert"] = publish_alert(session, principal=SYSTEM, title="警示", summary="情况", advice="建议",
                                     bodies="00126", authority=BUREAU).id
    out["web_signal"], out["web_person_kind"], out["web_accept"] = "complaints", "person", "accept"


def _qr_token(client, v: dict) -> dict:
    r = client.get(f"/api/v1/certificates/{v['cert_a']}/token")
    assert r.status_code == 200, r.text
    return {"qr_token": r.json()["token"]}


def _export_job(client, v: dict) -> dict:
    """Record a finished export job of cb_a with its file, as the export would leave it."""
    from certbridge.db import write_session
    from certbridge.jobs.files import final_name, result_file

    app = client.app
    with write_session(app.state.sessions) as session:
        cb_a = principal_for(session.get(User, v["user_cb_a"]))
        job = Job(kind="export.certificates", status="running", title="certificates-00126.xlsx", actor=cb_a.actor,
                  user_id=cb_a.user_id, body_id=v["body_a"], runner="", stage="running", done=0, total=0)
        session.add(job)
        session.flush()
        with result_file(app.state.settings.data_dir, job.id, ".xlsx") as partial:
            partial.write_bytes(b"PK matrix export")
        job.status, job.stage = "succeeded", "succeeded"
        job.result = {"file": final_name(partial), "filename": "certificates-00126.xlsx", "rows": 0,
                      "media_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        return {"export_job": job.id}


def _issue_form(v: dict) -> dict:
    return {"number": "00126Q26444R0M/4500", "scheme": "QMS", "standard": "GB/T 19001|2016",
            "holder.name": "北海市海城区示例电子有限公司", "holder.uscc": v["uscc_org1"], "scope": "电子元器件的设计",
            "issued_on": "2025-03-01", "site_rows": "2"}


PENALTY_FORM = {"party_name": "北海市海城区示例电子有限公司", "decision_number": "网页矩阵〔2026〕9号",
                "violation_type": "冒用认证证书", "facts": "事实", "legal_basis": "《认证认可条例》第七十一条",
                "categories": "警告", "content": "警告", "decided_on": TODAY, "authority": BUREAU,
                "authority_uscc": AUTHORITY_USCC, "sector": "general"}


CASES: list = [
    # public directories, publicity and the report form: the same for everyone
    Page("GET", "/bodies", EVERYONE),
    Page("GET", "/bodies/{body_id}", EVERYONE, params={"body_id": "body_a"}),
    Page("GET", "/labs", EVERYONE),
    Page("GET", "/labs/{lab_id}", EVERYONE, params={"lab_id": "lab"}),
    Page("GET", "/standards", EVERYONE, query={"q": "19001"}),
    Page("GET", "/standards/{standard_id}", EVERYONE, params={"standard_id": "qms_standard"}),
    Page("GET", "/publicity", EVERYONE),
    Page("GET", "/publicity/dishonesty-list", EVERYONE),
    Page("GET", "/publicity/draws/{draw_id}", EVERYONE, params={"draw_id": "web_draw_revealed"}),
    Page("GET", "/publicity/licensing", EVERYONE),
    Page("GET", "/publicity/penalties", EVERYONE),
    Page("GET", "/publicity/penalties/{penalty_id}", EVERYONE, params={"penalty_id": "web_penalty_published"}),
    Page("GET", "/publicity/spot-checks", EVERYONE),
    Page("GET", "/report", EVERYONE),
    Page("GET", "/report/thanks", EVERYONE),
    Page("GET", "/v/{token}", EVERYONE, params={"token": "qr_token"}, setup=_qr_token),
    # complaints and consumer alerts: public
    Page("GET", "/complaints/new", EVERYONE),
    Page("GET", "/complaints/track", EVERYONE),
    Page("POST", "/complaints/new", EVERYONE, form={"subject_kind": "product", "subject_text": "电热水壶",
                                                    "kind": "product_quality", "description": "漏电", "anonymous": "1"},
         lands=None),  # answers the progress page with the secret shown once
    Page("GET", "/alerts", EVERYONE),
    Page("GET", "/alerts.atom", EVERYONE),
    Page("GET", "/alerts.json", EVERYONE),
    Page("GET", "/alerts/{alert_id}", EVERYONE, params={"alert_id": "web_alert"}),
    # Anyone may report a suspected fake; the report is filed under whoever sent it.
    Page("POST", "/report", EVERYONE, form={"number": "00126Q26001R0M/4500", "where_seen": "展会宣传册"},
         lands="/report/thanks"),
    # one's own API keys; a read-only key can list its user's keys but neither mint nor revoke one
    Page("GET", "/account/keys", SIGNED_IN),
    # one's own watches (the seeded one is the regulator's: another user finds nothing); open data is public
    Page("GET", "/account/watches", SIGNED_IN),
    Page("POST", "/account/watches", frozenset(SESSION_ROLES),
         form=lambda v: {"kind": "body", "target": str(v["body_a"]), "label": "网页矩阵"}, lands="/account/watches"),
    Page("POST", "/account/watches/{watch_id}/stop", REGULATORS, params={"watch_id": "watch_regulator"}, form={},
         lands="/account/watches", outcomes={r: 404 for r in ("org", "cb_a", "cb_b", "lab", "inspector")}),
    Page("GET", "/open-data", EVERYONE),
    Page("GET", "/feed.atom", EVERYONE),
    Page("POST", "/account/keys", frozenset(SESSION_ROLES), form={"name": "web"}),
    Page("POST", "/account/keys/{key_id}/revoke", frozenset({"cb_a", "admin"}), params={"key_id": "key_cb_a_ro"},
         form={}, lands="/account/keys"),
    # the lab operator's console: their own lab only (a regulator changes labs in the regulator console)
    Page("GET", "/lab", frozenset({"lab"})),
    Page("POST", "/lab", frozenset({"lab"}), form={"name": "北海市产品质量检验所", "address": "北海市 1 号",
                                                 "capabilities": "食品 | 铅的测定 | GB 5009.12-2023"}, lands="/lab"),
    # online licensing: anyone opens an applicant account; applicants (and a body's or lab's operator) apply and
    # follow their own cases; another's case is not there; regulators handle the queue; the licence page and
    # its QR check are public
    Page("GET", "/register", EVERYONE),
    Page("POST", "/register", EVERYONE, form={"username": "matrix_applicant", "display_name": "矩阵申请人",
                                              "password": "correct-horse-9"}, lands=r"/login\?next=/licensing"),
    Page("GET", "/licensing", APPLICANT_PAGES),
    Page("GET", "/licensing/apply", APPLICANT_PAGES),
    Page("POST", "/licensing/apply", frozenset({"cb_a", "cb_b", "lab"}), form=lambda v: {
        **LAB_APPLICATION, "kind": "application", "subject_type": "lab", "procedure": "general"},
         lands=r"/licensing/cases/\d+"),
    Page("GET", "/licensing/cases/{case_id}", frozenset({"lab"}) | REGULATOR_PAGES,
         params={"case_id": "web_case_draft"}, outcomes=NOT_THEIR_CASE),
    Page("GET", "/licensing/cases/{case_id}/attachments/{attachment_id}", frozenset({"lab"}) | REGULATOR_PAGES,
         params={"case_id": "web_case_draft", "attachment_id": "web_case_attachment"}, outcomes=NOT_THEIR_CASE,
         setup=_licence_token),
    Page("POST", "/licensing/cases/{case_id}/attachments", frozenset({"lab"}), params={"case_id": "web_case_draft"},
         files=lambda v: {"attachment": ("任命文件.pdf", b"%PDF-1.4\n% appointment\n", "application/pdf")},
         form={}, lands=lambda v: f"/licensing/cases/{v['web_case_draft']}", outcomes=NOT_THEIR_CASE_TO_ACT),
    Page("POST", "/licensing/cases/{case_id}/applicant-step", frozenset({"lab"}),
         params={"case_id": "web_case_draft"}, form={"action": "withdraw"},
         lands=lambda v: f"/licensing/cases/{v['web_case_draft']}", outcomes=NOT_THEIR_CASE_TO_ACT),
    Page("GET", "/licensing/queue", REGULATOR_PAGES),
    Page("POST", "/licensing/cases/{case_id}/step", REGULATORS, params={"case_id": "web_case_submitted"},
         form={"action": "accept"}, lands=lambda v: f"/licensing/cases/{v['web_case_submitted']}"),
    Page("GET", "/licences/{number}", EVERYONE, params={"number": "241500340123"}),
    Page("GET", "/v/l/{token}", EVERYONE, params={"token": "licence_token"}, setup=_licence_token),
    # certification-body console: operators of a body; regulators act through the API, not this console
    Page("GET", "/cb", CB_PAGES),
    Page("GET", "/cb/certificates/new", CB_PAGES),
    Page("GET", "/cb/certificates/{certificate_id}", OWN_CERT, params={"certificate_id": "cert_a"},
         outcomes=NOT_THEIRS),
    Page("GET", "/cb/certificates/{certificate_id}/{action}", OWN_CERT,
         params={"certificate_id": "cert_a", "action": "suspend"}, outcomes=NOT_THEIRS),
    # The export is a read run as a background job: every operator of a body, a read-only key too.
    Page("POST", "/cb/export", CB_PAGES, form={}, lands=r"/jobs/\d+", read_job=True),
    # A job's page and its file are its starter's (the read-only key is the same user) and regulators'.
    Page("GET", "/jobs/{job_id}", OWN_CERT | REGULATOR_PAGES, params={"job_id": "web_job"},
         outcomes={r: 404 for r in ("org", "cb_b", "lab", "inspector")}),
    Page("GET", "/jobs/{job_id}/file", OWN_CERT | REGULATOR_PAGES, params={"job_id": "export_job"},
         setup=_export_job, outcomes={r: 404 for r in ("org", "cb_b", "lab", "inspector")}),
    Page("GET", "/cb/import", CB_PAGES),
    Page("GET", "/cb/disclosures", CB_PAGES),
    Page("POST", "/cb/disclosures/commitment", frozenset({"cb_a", "cb_b"}), form={"text": "本机构承诺：现场审核。"},
         lands="/cb/disclosures"),
    Page("POST", "/cb/disclosures/annual-report", frozenset({"cb_a", "cb_b"}),
         form={"year": str(YEAR - 1), "text": "年度工作报告"}, lands="/cb/disclosures"),
    Page("GET", "/cb/import/sample.csv", CB_PAGES),
    # An upload's job is its starter's (the read-only key is the same user): another body finds nothing.
    Page("GET", "/cb/import/jobs/{job_id}", OWN_CERT, params={"job_id": "web_job"}, outcomes=NOT_THEIRS),
    # Each operator issues for their own body: the form names no body.
    Page("POST", "/cb/certificates/new", frozenset({"cb_a", "cb_b"}), form=_issue_form,
         lands=r"/cb/certificates/\d+"),
    Page("POST", "/cb/certificates/{certificate_id}/{action}", frozenset({"cb_a"}),
         params={"certificate_id": "cert_a", "action": "suspend"}, outcomes=NOT_THEIRS,
         form={"reason": "监督审核未按期实施", "on": TODAY, "step": "confirm"},
         lands=lambda v: f"/cb/certificates/{v['cert_a']}"),
    # The preview starts a job that checks the file and stages it for the sender's session (an event, no
    # certificate yet); the confirmation starts the import's job. Both land on the job's page (jobs drained).
    Page("POST", "/cb/import", frozenset({"cb_a", "cb_b"}), lands=r"/cb/import/jobs/\d+",
         files=lambda v: {"file": ("certs.csv", _import_csv("00126Q26666R0M/4500", v["uscc_org1"]), "text/csv")}),
    Page("POST", "/cb/import/{upload_id}", frozenset({"cb_a"}), params={"upload_id": "web_upload"}, form={},
         outcomes=NOT_STAGED_HERE, lands=r"/cb/import/jobs/\d+"),
    # inspector pages: an inspector their own tasks, a regulator every task
    Page("GET", "/inspector/tasks", INSPECTOR_PAGES),
    Page("GET", "/inspector/tasks/{task_id}", INSPECTOR_PAGES, params={"task_id": "web_task_assigned"},
         outcomes=NOT_ASSIGNED),
    Page("POST", "/inspector/tasks/{task_id}/{action}", frozenset({"inspector"}) | REGULATORS,
         params={"task_id": "web_task_assigned", "action": "findings"}, outcomes=NOT_ASSIGNED,
         form={"text": "现场核查证书使用情况，未发现问题"}, lands=lambda v: f"/inspector/tasks/{v['web_task_assigned']}"),
    # regulator console: regulators read (a read-only key too), only writers write
    Page("GET", "/regulator", REGULATOR_PAGES),
    Page("GET", "/regulator/bodies", REGULATOR_PAGES),
    Page("GET", "/regulator/bodies/new", REGULATOR_PAGES),
    Page("GET", "/regulator/bodies/{body_id}", REGULATOR_PAGES, params={"body_id": "body_b"}),
    Page("GET", "/regulator/credit", REGULATOR_PAGES),
    Page("GET", "/regulator/labs", REGULATOR_PAGES),
    Page("GET", "/regulator/labs/new", REGULATOR_PAGES),
    Page("GET", "/regulator/labs/{lab_id}", REGULATOR_PAGES, params={"lab_id": "lab"}),
    Page("GET", "/regulator/people", REGULATOR_PAGES),
    Page("GET", "/regulator/people/new", REGULATOR_PAGES),
    Page("GET", "/regulator/people/{person_id}", REGULATOR_PAGES, params={"person_id": "a1"}),
    Page("GET", "/regulator/reports", REGULATOR_PAGES),
    Page("GET", "/regulator/standards", REGULATOR_PAGES),
    Page("GET", "/regulator/accreditation", REGULATOR_PAGES),
    Page("GET", "/regulator/zones", REGULATOR_PAGES),
    Page("GET", "/regulator/complaints", REGULATOR_PAGES),
    Page("GET", "/regulator/complaints/{complaint_id}", REGULATOR_PAGES, params={"complaint_id": "web_complaint"}),
    # the evidence row's file is not in this instance's data directory: regulators find nothing, others are refused
    Page("GET", "/regulator/complaints/{complaint_id}/evidence/{evidence_id}", REGULATOR_PAGES,
         params={"complaint_id": "web_complaint", "evidence_id": "web_evidence"},
         outcomes={r: 404 for r in REGULATOR_PAGES}),
    Page("GET", "/regulator/risk", REGULATOR_PAGES),
    Page("GET", "/regulator/risk/parameters", REGULATOR_PAGES),
    Page("GET", "/regulator/risk/{subject_type}/{subject_id}", REGULATOR_PAGES,
         params={"subject_type": "web_person_kind", "subject_id": "a1"}),
    Page("GET", "/regulator/warnings", REGULATOR_PAGES),
    Page("GET", "/regulator/alerts", REGULATOR_PAGES),
    Page("GET", "/regulator/restrictions", REGULATOR_PAGES),
    Page("GET", "/regulator/schemes", REGULATOR_PAGES),
    Page("GET", "/regulator/supervision", REGULATOR_PAGES),
    Page("GET", "/regulator/federation", REGULATOR_PAGES),
    Page("GET", "/federation/search", EVERYONE, query={"q": "00126"}),
    Page("GET", "/regulator/federation/assistance", REGULATOR_PAGES),
    Page("GET", "/regulator/federation/assistance/{assistance_id}", REGULATOR_PAGES,
         params={"assistance_id": "assistance_in"}),
    Page("POST", "/regulator/federation/assistance", REGULATORS, form=lambda v: {
        "peer_id": str(v["peer"]), "kind": "evidence", "subject_type": "certificate", "subject_key": "00126Q26777R0M",
        "text": "请调取该证书的审核记录", "working_days": "5"}, lands="/regulator/federation/assistance"),
    Page("POST", "/regulator/federation/assistance/{assistance_id}/{action}", REGULATORS,
         params={"assistance_id": "assistance_in", "action": "answer"}, form={"text": "已核查，情况属实"},
         lands=r"/regulator/federation/assistance/\d+"),
    Page("POST", "/regulator/federation/peers/{peer_id}/recognition", REGULATORS, params={"peer_id": "peer"},
         form={"recognize": "on"}, lands="/regulator/federation"),
    Page("GET", "/regulator/supervision/draws/{draw_id}", REGULATOR_PAGES, params={"draw_id": "web_draw_revealed"}),
    Page("GET", "/regulator/supervision/plans/{plan_id}", REGULATOR_PAGES, params={"plan_id": "web_plan"}),
    Page("GET", "/regulator/supervision/tasks", REGULATOR_PAGES),
    Page("GET", "/regulator/workdays", REGULATOR_PAGES),
    Page("GET", "/regulator/relationships", REGULATOR_PAGES),
    Page("POST", "/regulator/bodies/new", REGULATORS,
         form={"code": "00998", "approval_number": "CNCA-R-2026-998", "name": "网页批准认证有限公司",
               "fields": "SYS-QMS", "approved_on": "2026-01-05"}, lands=r"/regulator/bodies/\d+"),
    Page("POST", "/regulator/bodies/{body_id}", REGULATORS, params={"body_id": "body_b"},
         form={"name": "南方检验认证有限公司", "address": "广州市天河区 8 号", "fields": "SYS-QMS"},
         lands=lambda v: f"/regulator/bodies/{v['body_b']}"),
    Page("POST", "/regulator/bodies/{body_id}/status", REGULATORS, params={"body_id": "body_b"},
         form={"status": "suspended", "reason": "年度报告逾期", "step": "confirm"},
         lands=lambda v: f"/regulator/bodies/{v['body_b']}"),
    Page("POST", "/regulator/labs/new", REGULATORS,
         form={"cma_number": "241500346666", "name": "北海市网页新检验所", "qualified_on": "2025-01-02"},
         lands=r"/regulator/labs/\d+"),
    Page("POST", "/regulator/labs/{lab_id}", REGULATORS, params={"lab_id": "lab"},
         form={"name": "北海市产品质量检验所", "status": "valid", "valid_until": "2030-03-01",
               "capabilities": "食品 | 铅的测定 | GB 5009.12-2023"}, lands=lambda v: f"/regulator/labs/{v['lab']}"),
    Page("POST", "/regulator/people/new", REGULATORS, form=lambda v: {
        "name": "刘洋", "kind": "auditor", "body_id": str(v["body_a"]), "number": "2026-N1QMS-1000077",
        "field": "QMS"}, lands=r"/regulator/people/\d+"),
    Page("POST", "/regulator/people/{person_id}/registrations", REGULATORS, params={"person_id": "a1"},
         form={"number": "2025-N1EMS-1000002", "field": "EMS"}, lands=lambda v: f"/regulator/people/{v['a1']}"),
    Page("POST", "/regulator/registrations/revoke", REGULATORS,
         form=lambda v: {"number": v["extra_registration"], "reason": "出具虚假结论",
                         "person_id": str(v["person_extra"])},
         lands=lambda v: f"/regulator/people/{v['person_extra']}"),
    # The catalogue import shows its report in place (all rows or none; one event for the file).
    Page("POST", "/regulator/standards/import", REGULATORS, lands=None, files=lambda v: {"file": (
        "catalogue.csv", "标准号,标准名称,认证项目\nISO 14001:2015,环境管理体系,EMS\n".encode(), "text/csv")}),
    # zones, brands and foreign bodies on the console: a redirect back to the page, or the page in place
    Page("POST", "/regulator/zones", REGULATORS, form={"code": "WEB-ZONE", "name": "网页示范区", "kind": "quality",
                                                        "regions": "450500", "schemes": "QMS"}, lands="/regulator/zones"),
    Page("POST", "/regulator/brands", REGULATORS, form={"code": "WEB-BRAND", "name": "网页品牌", "regions": "450500",
                                                         "schemes": "QMS"}, lands="/regulator/zones"),
    Page("POST", "/regulator/brands/certificates", REGULATORS,
         form=lambda v: {"brand_code": "MATRIX-BRAND", "body_code": "00126", "number": v["cert_a_number"]},
         lands="/regulator/zones"),
    Page("POST", "/regulator/accreditation/foreign-bodies", REGULATORS, lands=None,
         form={"country": "DE", "foreign_id": "HRB 12345", "name": "Web Zertifizierung GmbH",
               "registered_on": "2026-01-05", "fields": "SYS-QMS"}),
    Page("POST", "/regulator/accreditation/import", REGULATORS, lands=None, files=lambda v: {"file": (
        "ab.csv", "code,name,name_en,country,main_scope\nWEB-AB,网页认可,Web AB,NO,17065\n".encode(), "text/csv")}),
    Page("POST", "/regulator/reports/{report_id}/review", REGULATORS, params={"report_id": "web_report"},
         form={"note": "已转交稽查"}, lands=r"/regulator/reports\?status=new"),
    Page("POST", "/regulator/complaints/{complaint_id}/{action}", REGULATORS,
         params={"complaint_id": "web_complaint", "action": "web_accept"}, form={},
         lands=r"/regulator/complaints/\d+"),
    Page("POST", "/regulator/risk/recompute", REGULATORS, form={}, lands="/regulator/risk"),
    Page("POST", "/regulator/risk/person/{person_id}/review", REGULATORS, params={"person_id": "a2"},
         form={"finding": "出具虚假审核报告"}, lands=r"/regulator/risk/person/\d+"),
    Page("POST", "/regulator/risk/parameters/{signal}", REGULATORS, params={"signal": "web_signal"},
         form={"weight": "150", "threshold": "2", "window_days": "365"}, lands="/regulator/risk/parameters"),
    Page("POST", "/regulator/warnings/{warning_id}/decide", REGULATORS, params={"warning_id": "web_warning"},
         form={"decision": "inspect", "reason": "安排检查"}, lands="/regulator/warnings"),
    Page("POST", "/regulator/alerts", REGULATORS, form={"title": "警示", "summary": "情况", "advice": "建议",
                                                       "bodies": "00126", "authority": BUREAU},
         lands=r"/alerts/\d+"),
    Page("POST", "/regulator/restrictions", REGULATORS, form=lambda v: {
        "subject_type": "organization", "subject_ref": v["uscc_org2"], "kind": "dishonesty_list",
        "reason": "虚假宣传", "starts_on": TODAY, "source": "北市监罚〔2026〕3号"}, lands="/regulator/restrictions"),
    Page("POST", "/regulator/restrictions/{restriction_id}/lift", REGULATORS,
         params={"restriction_id": "restriction_a3"}, form={"reason": "提前解除"}, lands="/regulator/restrictions"),
    Page("POST", "/regulator/credit/recompute", REGULATORS, form={}, lands=r"/jobs/\d+"),
    Page("POST", "/regulator/credit/penalties", REGULATORS,
         form=lambda v: {**PENALTY_FORM, "party_uscc": v["uscc_org1"]}, lands="/regulator/credit"),
    Page("POST", "/regulator/credit/penalties/{penalty_id}/{action}", REGULATORS,
         params={"penalty_id": "web_penalty_draft", "action": "publish"}, form={}, lands="/regulator/credit"),
    Page("POST", "/regulator/credit/listings", REGULATORS, form=lambda v: {
        "subject_type": "organization", "subject_id": str(v["org1"]), "reason": "伪造认证证书",
        "decision_number": "网页矩阵失信〔2026〕2号", "authority": BUREAU}, lands="/regulator/credit"),
    Page("POST", "/regulator/credit/listings/{listing_id}/remove", REGULATORS, params={"listing_id": "web_listing"},
         form={"obligations_met": "1", "reason": "已履行义务"}, lands="/regulator/credit"),
    Page("POST", "/regulator/credit/bars", REGULATORS, form=lambda v: {
        "target": "person", "subject_id": str(v["a2"]), "kind": "false_conclusion", "reason": "出具虚假认证结论",
        "decision_number": "国市监〔2026〕5号"}, lands="/regulator/credit"),
    Page("POST", "/regulator/credit/licensing/{record_id}/{action}", REGULATORS,
         params={"record_id": "web_licensing_record", "action": "publish"}, form={},
         lands="/regulator/credit#licensing"),
    Page("POST", "/regulator/supervision/matters", REGULATORS,
         form={"code": "WEB-MATRIX-09", "name": "网页新增检查事项", "kind": "key", "subject_type": "organization",
               "legal_basis": "《认证认可条例》", "content": "证书和标志", "method": "现场检查"},
         lands="/regulator/supervision"),
    Page("POST", "/regulator/supervision/plans", REGULATORS,
         form={"year": str(YEAR), "name": "网页新增年度计划", "authority": BUREAU, "region_code": "450500"},
         lands=r"/regulator/supervision/plans/\d+"),
    Page("POST", "/regulator/supervision/plans/{plan_id}/batches", REGULATORS, params={"plan_id": "web_plan"},
         form=lambda v: {"name": "网页第四批", "matter_id": str(v["web_matter"]), "check_type": "random",
                         "starts_on": f"{YEAR}-01-02", "ends_on": f"{YEAR}-12-31", "count_B": "1"},
         lands=lambda v: f"/regulator/supervision/plans/{v['web_plan']}"),
    Page("POST", "/regulator/supervision/batches/{batch_id}/draw", REGULATORS, params={"batch_id": "web_batch_free"},
         form={"beacon_source": ""}, lands=r"/regulator/supervision/draws/\d+"),
    Page("POST", "/regulator/supervision/draws/{draw_id}/{action}", REGULATORS,
         params={"draw_id": "web_draw_committed", "action": "cancel"}, form={"reason": "抽取范围有误"},
         lands=lambda v: f"/regulator/supervision/draws/{v['web_draw_committed']}"),
    Page("POST", "/regulator/supervision/tasks/{task_id}/publish", REGULATORS,
         params={"task_id": "web_task_completed"}, form={}, lands=r"/regulator/supervision/tasks\?status=completed"),
    Page("POST", "/regulator/relationships", REGULATORS,
         form=lambda v: {"person_id": str(v["inspector"]), "kind": "relative", "party_by": "party",
                         "party_name": "网页矩阵申请人有限公司"}, lands="/regulator/relationships"),
    Page("POST", "/regulator/relationships/{relationship_id}/withdraw", REGULATORS,
         params={"relationship_id": "relationship"}, form={"reason": "申报有误"}, lands="/regulator/relationships"),
    Page("POST", "/regulator/workdays", REGULATORS,
         form={"year": "2099", "holidays": "2099-01-01", "workdays": "", "source": "网页矩阵测试"},
         lands="/regulator/workdays"),
    # statistics: public figures, downloads, targets and reports; regulators enter targets
    Page("GET", "/stats", EVERYONE),
    Page("GET", "/directory", EVERYONE, query={"parameter": "铅"}),
    Page("GET", "/directory/compare", EVERYONE, query=lambda v: {"lab": v["lab"]}),
    Page("GET", "/verify-list", EVERYONE),
    Exempt("POST", "/verify-list", "an anonymous upload form (CSRF double-submit) starting a read-only check of a "
           "list: tests/browser/test_opendata.py and tests/opendata/test_bulk_api.py"),
    Exempt("GET", "/verify-list/{token}", "a list check's page by its unguessable token (a capability URL): "
           "tests/browser/test_opendata.py"),
    Exempt("GET", "/verify-list/{token}/receipt.json", "the receipt of that check, same token"),
    Exempt("GET", "/verify-list/{token}/receipt.xlsx", "the receipt of that check, same token"),
    Exempt("GET", "/verify-list/{token}/receipt.pdf", "the receipt of that check, same token"),
    Page("GET", "/stats/table.csv", EVERYONE),
    Page("GET", "/stats/table.xlsx", EVERYONE),
    Page("GET", "/stats/targets", EVERYONE),
    Page("GET", "/zones", EVERYONE),
    Page("GET", "/zones/{code}", EVERYONE, params={"code": "MATRIX-ZONE"}),
    Page("GET", "/stats/targets/{target_id}", EVERYONE, params={"target_id": "web_target"}),
    Page("GET", "/stats/reports", EVERYONE),
    Page("GET", "/stats/reports/{report_id}", EVERYONE, params={"report_id": "web_stats_report"}),
    Page("GET", "/stats/reports/{report_id}.pdf", EVERYONE, params={"report_id": "web_stats_report"}),
    Page("GET", "/regulator/stats/targets", REGULATOR_PAGES),
    Page("POST", "/regulator/stats/targets", REGULATORS,
         form={"region_code": "450502", "measure": "certificates", "threshold": "50", "deadline": "2030-12-31",
               "source": "网页矩阵测试目标", "published": "1"}, lands=r"/regulator/stats/targets#target-\d+"),
]
