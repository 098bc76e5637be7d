"""The credit feed reads a batch's certificate holders ahead: the entries are the ones one-by-one reads give."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.certificates import workflow
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import StatusChangeIn
from certbridge.credit.feed import sync_credit_entries
from certbridge.credit.models import CreditEntry
from certbridge.db import read_session, write_session
from certbridge.principal import SYSTEM
from tests.world import certificate_payload


def test_a_batch_of_suspensions_and_withdrawals_weighs_on_each_certificates_own_holder(client, world, sessions):
    ids = []
    for i, org in enumerate(("org1", "org2", "org1", "org2", "org2")):
        made = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                           json=certificate_payload(world, number=f"00126Q2600{i}R0M/4500", org=org))
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    with write_session(sessions) as session:  # outside a request: nothing syncs the feed in between
        for cid in ids:
            workflow.suspend_certificate(session, principal=SYSTEM, certificate_id=cid,
                                         change=StatusChangeIn(reason="监督审核未按期"))
        for cid in ids[1:3]:
            workflow.withdraw_certificate(session, principal=SYSTEM, certificate_id=cid,
                                          change=StatusChangeIn(reason="暂停期满未整改", cause="holder"))
    with write_session(sessions) as session:
        touched = sync_credit_entries(session, batch=3)  # batches that split the events
    with read_session(sessions) as session:
        holder = dict(session.execute(select(Certificate.id, Certificate.organization_id)
                                      .where(Certificate.id.in_(ids))).all())
        got = sorted(session.execute(select(CreditEntry.kind, CreditEntry.source_id, CreditEntry.subject_id)
                                     .where(CreditEntry.source_type == "certificate")).all())
    want = sorted([("certificate_suspended", str(cid), holder[cid]) for cid in ids]
                  + [("certificate_withdrawn", str(cid), holder[cid]) for cid in ids[1:3]])
    assert got == want
    assert {world.ids["org1"], world.ids["org2"]} == set(holder.values())
    assert {("organization", world.ids["org1"]), ("organization", world.ids["org2"])} <= touched
