"""A draw weighted by risk: each object is drawn in the higher of its credit and risk class, the risk classes are
committed with the inputs before the seed, and the verification checks the weighting."""

from __future__ import annotations

import copy

from certbridge.complaints.filing import file_complaint
from certbridge.principal import ANONYMOUS, SYSTEM, Principal
from certbridge.registry.models import Organization
from certbridge.risk.compute import recompute_all
from certbridge.risk.parameters import set_parameter
from certbridge.supervision import draws
from certbridge.supervision.drawing import digest_of, verify_export

REGULATOR = Principal(role="regulator", user_id=2, username="regulator")


def _make_risky(run, orgs):
    def make(session):
        set_parameter(session, principal=REGULATOR, signal="complaints", weight=800, threshold=1, window_days=365,
                      warn=False)
        for org in orgs:
            file_complaint(session, principal=ANONYMOUS, subject_kind="company",
                           subject_text=session.get(Organization, org).name, kind="product_quality",
                           description="多次投诉", anonymous=True)
        recompute_all(session)
    run(make)


def test_risky_objects_are_drawn_in_their_risk_class_and_the_draw_verifies(run, certify, inspectors, batch):
    orgs = certify(6)
    inspectors(4)
    risky = orgs[1:3]
    _make_risky(run, risky)
    ids = batch(class_counts={"D": 2}, scope={"risk": "weight"})
    draw = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"], seed=b"\x22" * 32))
    inputs = draw.inputs
    assert inputs["risk"]["rule"] == "max(credit, risk)"
    assert {k for k, c in inputs["risk"]["risk"] if c == "D"} == {f"organization:{o}" for o in risky}
    assert {k for k, c in inputs["objects"] if c == "D"} == {f"organization:{o}" for o in risky}
    assert all(c != "D" for _, c in inputs["risk"]["credit"])  # credit alone would not have drawn them
    revealed = run(lambda s: draws.reveal_draw(s, principal=SYSTEM, draw_id=draw.id).outputs)
    assert {item["object"] for item in revealed["selected"] if item["class"] == "D"} == {f"organization:{o}"
                                                                                       for o in risky}
    export = run(lambda s: draws.draw_export(s, draws.get_draw(s, draw.id)))
    assert verify_export(export) == []
    # A forged export that moves an object out of its risk class fails even with a matching digest.
    forged = copy.deepcopy(export)
    forged["inputs"]["objects"] = [[k, "B" if c == "D" else c] for k, c in forged["inputs"]["objects"]]
    forged["commitment"]["inputs_sha256"] = digest_of(forged["inputs"])
    assert any("not the higher of its credit and risk classes" in p for p in verify_export(forged))


def test_an_unweighted_batch_keeps_its_inputs_as_before(run, certify, inspectors, batch):
    orgs = certify(3)
    inspectors(4)
    _make_risky(run, orgs[:1])
    ids = batch(class_counts={"B": 1})
    inputs = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"]).inputs)
    assert "risk" not in inputs and all(c != "D" for _, c in inputs["objects"])
