"""The draw as a pure function: determinism, commitments, fairness over many seeds, avoidance, verification."""

from __future__ import annotations

import copy
import hashlib
import hmac
import random
from collections import Counter

import pytest

from certbridge.supervision.drawing import (
    FORMAT,
    InspectorWalk,
    KeyedHash,
    canonical_json,
    continue_walk,
    digest_of,
    draw_key,
    pool_of,
    quota,
    run_draw,
    seed_commitment,
    verify_export,
)


def make_inputs(n_objects=40, n_inspectors=12, classes="ABCD", conflicts=(), per_object=2, ratios=None, counts=None,
                cap=None):
    objects = [[f"organization:{i}", classes[i % len(classes)]] for i in range(1, n_objects + 1)]
    return {
        "format": FORMAT, "draw": {"batch_id": 1, "matter": "RZ-ORG-01"},
        "ratios": ratios or {"A": "0.05", "B": "0.10", "C": "0.30", "D": "0.70"}, "default_ratio": "0.05",
        "counts": counts or {}, "inspectors_per_object": per_object, "max_tasks_per_inspector": cap,
        "objects": objects, "excluded_objects": [],
        "inspectors": [f"person:{i}" for i in range(1, n_inspectors + 1)], "conflicts": [list(c) for c in conflicts],
    }


SEED = bytes(range(32))


def test_same_inputs_and_seed_give_the_same_list():
    inputs = make_inputs()
    first, second = run_draw(inputs, SEED), run_draw(copy.deepcopy(inputs), SEED)
    assert first == second
    assert [s["object"] for s in first["selected"]]  # something was drawn


def test_a_different_seed_gives_a_different_list():
    inputs = make_inputs(n_objects=200)
    other = run_draw(inputs, bytes(32))
    assert [s["object"] for s in run_draw(inputs, SEED)["selected"]] != [s["object"] for s in other["selected"]]


@pytest.mark.parametrize("change", ["class", "object", "inspector", "conflict", "ratio", "count", "per_object"])
def test_any_input_change_changes_the_committed_digest(change):
    inputs = make_inputs()
    changed = copy.deepcopy(inputs)
    if change == "class":
        changed["objects"][3][1] = "D" if changed["objects"][3][1] != "D" else "A"
    elif change == "object":
        changed["objects"].pop()
    elif change == "inspector":
        changed["inspectors"].append("person:999")
    elif change == "conflict":
        changed["conflicts"].append(["person:1", "organization:1", "declared_relationship"])
    elif change == "ratio":
        changed["ratios"]["B"] = "0.11"
    elif change == "count":
        changed["counts"] = {"A": 1}
    else:
        changed["inspectors_per_object"] = 3
    assert digest_of(changed) != digest_of(inputs)


def test_the_fast_canonical_json_is_byte_identical_to_rfc8785():
    from certbridge.kit.canonical_json import canonical_bytes
    from certbridge.supervision.drawing import canonical_json

    document = {"z": [1, -2, True, None, "北海\u0001\n\"\\/\u2028😀"], "a": {"b": [], "é": 1}, "B": {"x": [["k", "A"]]}}
    assert canonical_json(document) == canonical_bytes(document)  # non-ASCII key: reference path
    plain = {"z": [1, -2, True, None, "北海\u0001\n\"\\/\u2028😀\u007f"], "a": {"b": [], "c": 9007199254740991},
             "B": {"x": [["k", "A"]]}}
    assert canonical_json(plain) == canonical_bytes(plain)
    assert canonical_json(make_inputs()) == canonical_bytes(make_inputs())
    assert canonical_json({"f": 1.5, "e": 1e21}) == canonical_bytes({"f": 1.5, "e": 1e21})


def test_seed_commitment_is_sha256_and_differs_per_seed():
    assert seed_commitment(SEED) == hashlib.sha256(SEED).hexdigest()
    assert seed_commitment(SEED) != seed_commitment(bytes(32))


def test_objects_are_ranked_by_hmac_sha256_of_their_key():
    inputs = make_inputs(n_objects=60, classes="B", ratios={"B": "0.10"})
    out = run_draw(inputs, SEED)
    expected = sorted(hmac.new(SEED, b"object\x00" + k.encode(), "sha256").hexdigest() + "|" + k
                      for k, _ in inputs["objects"])[:6]
    assert [f"{s['rank']}|{s['object']}" for s in out["selected"]] == expected


def test_quota_is_ceiling_of_ratio_or_the_fixed_count():
    assert quota("0.05", 100) == 5 and quota("0.05", 101) == 6 and quota("0.05", 1) == 1
    assert quota("0.70", 10) == 7 and quota("1", 3) == 3 and quota("0", 50) == 0
    assert quota("0.05", 100, count=12) == 12 and quota("0.05", 10, count=99) == 10


def test_per_class_quotas_and_default_ratio_for_unset_classes():
    inputs = make_inputs(n_objects=400, ratios={"A": "0.05", "D": "0.70"})  # B and C fall back to 5 %
    out = run_draw(inputs, SEED)
    assert out["quotas"] == {"A": {"eligible": 100, "ratio": "0.05", "drawn": 5},
                             "B": {"eligible": 100, "ratio": "0.05", "drawn": 5},
                             "C": {"eligible": 100, "ratio": "0.05", "drawn": 5},
                             "D": {"eligible": 100, "ratio": "0.70", "drawn": 70}}
    drawn = Counter(s["class"] for s in out["selected"])
    assert drawn == {"A": 5, "B": 5, "C": 5, "D": 70}


def test_selection_frequency_matches_the_ratios_over_many_seeds():
    # 2,000 draws with fixed seeds over 80 objects per class: each object's selection count must lie within
    # binomial bounds around its class ratio, and per class a chi-square test must not reject uniformity.
    ratios = {"A": "0.05", "B": "0.10", "C": "0.30", "D": "0.70"}
    inputs = make_inputs(n_objects=320, n_inspectors=4, ratios=ratios, per_object=2)
    rng = random.Random(20261121)
    runs = 2000
    hits: Counter[str] = Counter()
    for _ in range(runs):
        out = run_draw(inputs, rng.randbytes(32))
        hits.update(s["object"] for s in out["selected"])
    by_class: dict[str, list[int]] = {c: [] for c in "ABCD"}
    for key, cls in inputs["objects"]:
        by_class[cls].append(hits[key])
    for cls, counts in by_class.items():
        p = quota(ratios[cls], 80) / 80
        mean, sd = runs * p, (runs * p * (1 - p)) ** 0.5
        observed = sum(counts) / (80 * runs)
        assert abs(observed - p) < 1e-12, (cls, observed, p)  # exact per draw: the quota
        assert all(abs(c - mean) < 5 * sd for c in counts), (cls, min(counts), max(counts), mean)
        # Exactly n of 80 are drawn each time, so each count is Binomial(runs, p) and the sum of squared
        # deviations over mean·(1-p) follows chi-square with 79 degrees of freedom; 99.9th percentile ≈ 123.7.
        statistic = sum((c - mean) ** 2 for c in counts) / (mean * (1 - p))
        assert statistic < 123.7, (cls, statistic)


def test_inspector_selection_is_uniform_over_the_pool():
    inputs = make_inputs(n_objects=1, n_inspectors=10, classes="D", ratios={"D": "1"}, per_object=2)
    rng = random.Random(5)
    seen: Counter[str] = Counter()
    runs = 3000
    for _ in range(runs):
        seen.update(run_draw(inputs, rng.randbytes(32))["selected"][0]["inspectors"])
    expected = runs * 2 / 10
    chi2 = sum((seen[f"person:{i}"] - expected) ** 2 / expected for i in range(1, 11))
    assert chi2 < 27.9  # 99.9th percentile of chi-square(9)


def test_at_least_the_required_inspectors_each_and_never_twice_on_one_object():
    out = run_draw(make_inputs(n_objects=80, n_inspectors=6, per_object=3), SEED)
    for item in out["selected"]:
        assert len(item["inspectors"]) == 3 == len(set(item["inspectors"]))


def test_conflicted_inspectors_are_excluded_with_reason_and_replaced():
    base = run_draw(make_inputs(n_objects=4, classes="D", ratios={"D": "1"}), SEED)
    target = base["selected"][0]
    first = target["inspectors"][0]
    conflicts = [(first, target["object"], "declared_relationship")]
    out = run_draw(make_inputs(n_objects=4, classes="D", ratios={"D": "1"}, conflicts=conflicts), SEED)
    item = next(s for s in out["selected"] if s["object"] == target["object"])
    assert first not in item["inspectors"] and len(item["inspectors"]) == 2
    assert item["excluded"] == [[first, "declared_relationship"]]
    # the replacement is the next inspector of the same keyed permutation
    assert item["inspectors"] == [target["inspectors"][1], _third(target["object"])]


def _third(object_key):
    walk = InspectorWalk(KeyedHash(SEED), object_key, [f"person:{i}" for i in range(1, 13)])
    return [walk.next() for _ in range(3)][2]


def test_barred_inspectors_leave_the_pool_with_their_reason():
    out = run_draw(make_inputs(n_objects=30, classes="D", ratios={"D": "1"},
                               conflicts=[("person:12", "*", "barred"), ("person:3", "*", "barred")]), SEED)
    assert out["pool_excluded"] == [["person:3", "barred"], ["person:12", "barred"]]
    assert all(i not in ("person:3", "person:12") for s in out["selected"] for i in s["inspectors"])


def test_capacity_limits_tasks_per_inspector():
    out = run_draw(make_inputs(n_objects=20, n_inspectors=8, classes="D", ratios={"D": "1"}, cap=6), SEED)
    load = Counter(i for s in out["selected"] for i in s["inspectors"])
    assert max(load.values()) <= 6 and sum(load.values()) == 40  # 8 × 6 slots always staff 20 × 2
    assert any(r == "capacity" for s in out["selected"] for _, r in s["excluded"])


def test_shortfall_when_the_pool_cannot_staff_an_object():
    conflicts = [(f"person:{i}", "organization:1", "same_employer") for i in range(1, 12)]
    out = run_draw(make_inputs(n_objects=1, classes="D", ratios={"D": "1"}, conflicts=conflicts), SEED)
    assert out["shortfalls"] == ["organization:1"]
    assert out["selected"][0]["inspectors"] == ["person:12"]


def test_inlined_walk_equals_the_reference_walk_and_continues_for_replacements():
    inputs = make_inputs(n_objects=50, n_inspectors=30, classes="D", ratios={"D": "1"})
    out = run_draw(inputs, SEED)
    pool, _, _ = pool_of(inputs)
    mac = KeyedHash(SEED)
    for item in out["selected"]:
        walk = InspectorWalk(mac, item["object"], pool)
        assert [walk.next() for _ in range(item["walk"])] == item["inspectors"]
        nxt = walk.next()
        picked, position, _ = continue_walk(inputs, SEED, None, item["object"], item["walk"], {})
        assert picked == nxt and position == item["walk"] + 1


def test_keyed_hash_equals_hmac():
    mac = KeyedHash(b"k" * 100)
    assert mac(b"abc") == hmac.digest(b"k" * 100, b"abc", "sha256")


def test_a_beacon_changes_the_key():
    inputs = make_inputs(n_objects=200)
    with_beacon = run_draw(inputs, SEED, beacon="双色球 2026130 03 07 12 19 25 31+09")
    assert draw_key(SEED, "x") != SEED
    assert [s["object"] for s in with_beacon["selected"]] != [s["object"] for s in run_draw(inputs, SEED)["selected"]]


def _export(inputs, seed=SEED):
    outputs = run_draw(inputs, seed)
    return {"inputs": inputs, "seed": seed.hex(), "outputs": outputs, "outputs_sha256": digest_of(outputs),
            "commitment": {"seed_sha256": seed_commitment(seed), "inputs_sha256": digest_of(inputs)}}


def test_verify_export_accepts_an_honest_draw_and_names_each_tampering():
    document = _export(make_inputs())
    assert verify_export(document) == []
    swapped = copy.deepcopy(document)
    swapped["outputs"]["selected"][0]["object"] = "organization:999"
    assert any("selection 1" in p for p in verify_export(swapped))
    moved = copy.deepcopy(document)
    moved["inputs"]["objects"][0][1] = "A" if moved["inputs"]["objects"][0][1] != "A" else "B"
    assert any("committed digest" in p for p in verify_export(moved))
    other_seed = copy.deepcopy(document)
    other_seed["seed"] = bytes(32).hex()
    assert any("commitment" in p for p in verify_export(other_seed))


def _reference_draw(inputs, seed, beacon=None):
    """The draw as its module docstring defines it, written plainly: HMAC of every key and a full sort per class,
    then the InspectorWalk class per drawn object with conflicts looked up by (inspector, object)."""
    key = draw_key(seed, beacon)
    by_class = {}
    for obj, cls in inputs["objects"]:
        by_class.setdefault(cls, []).append(obj)
    quotas, drawn = {}, []
    for cls in sorted(by_class):
        keys = by_class[cls]
        ratio = inputs["ratios"].get(cls, inputs["default_ratio"])
        n = quota(ratio, len(keys), inputs.get("counts", {}).get(cls))
        quotas[cls] = {"eligible": len(keys), "ratio": ratio, "drawn": n}
        ranked = sorted((hmac.digest(key, b"object\x00" + k.encode(), "sha256"), k) for k in keys)[:n]
        drawn.extend((digest.hex(), k, cls) for digest, k in ranked)
    drawn.sort()
    pool, pool_excluded, conflicts = pool_of(inputs)
    cap, load, selected, shortfalls = inputs.get("max_tasks_per_inspector"), Counter(), [], []
    for rank, obj, cls in drawn:
        walk, chosen, excluded = InspectorWalk(KeyedHash(key), obj, pool), [], []
        while len(chosen) < int(inputs["inspectors_per_object"]):
            inspector = walk.next()
            if inspector is None:
                shortfalls.append(obj)
                break
            reason = conflicts.get((inspector, obj))
            if reason is None and cap is not None and load[inspector] >= cap:
                reason = "capacity"
            if reason is not None:
                excluded.append([inspector, reason])
                continue
            chosen.append(inspector)
            load[inspector] += 1
        selected.append({"object": obj, "class": cls, "rank": rank, "inspectors": chosen, "excluded": excluded,
                         "walk": walk.position})
    return {"format": FORMAT, "quotas": quotas, "selected": selected, "pool_excluded": pool_excluded,
            "shortfalls": shortfalls}


def test_the_fast_draw_equals_the_plain_reference_on_random_inputs():
    """The optimised draw (threshold ranking, inlined walk, conflicts by object, paused GC) gives byte-identical
    outputs to the plain definition, over random sizes, ratios, counts, conflicts, bars, caps and beacons."""
    rng, seen = random.Random(23), Counter()
    for round_ in range(60):
        n_objects, n_inspectors = rng.randrange(1, 400), rng.randrange(1, 90)
        objects = [f"organization:{rng.randrange(10**6)}:{i}" for i in range(n_objects)]
        inspectors = [f"person:{i}" for i in range(1, n_inspectors + 1)]
        conflicts = {(rng.choice(inspectors), rng.choice(objects), rng.choice(["declared_relationship", "kin"]))
                     for _ in range(rng.randrange(0, 4 * n_objects))}
        conflicts |= {(rng.choice(inspectors), "*", "barred") for _ in range(rng.randrange(0, 3))}
        inputs = {
            "format": FORMAT, "draw": {"round": round_},
            "ratios": {c: rng.choice(["0.01", "0.05", "0.3", "0.7", "1"]) for c in "ABC" if rng.random() < 0.8},
            "default_ratio": rng.choice(["0.05", "0.5"]),
            "counts": {c: rng.randrange(0, 50) for c in "AD" if rng.random() < 0.3},
            "inspectors_per_object": rng.randrange(1, 5),
            "max_tasks_per_inspector": rng.choice([None, None, 1, 3, 10]),
            "objects": [[o, rng.choice("ABCD")] for o in objects], "excluded_objects": [],
            "inspectors": inspectors, "conflicts": sorted([list(c) for c in conflicts]),
        }
        seed, beacon = rng.randbytes(32), rng.choice([None, f"beacon {round_}"])
        fast, plain = run_draw(inputs, seed, beacon), _reference_draw(inputs, seed, beacon)
        assert canonical_json(fast) == canonical_json(plain), f"round {round_}"
        seen.update(drawn=len(fast["selected"]), shortfalls=len(fast["shortfalls"]), barred=len(fast["pool_excluded"]),
                    excluded=sum(len(s["excluded"]) for s in fast["selected"]))
    # The random inputs exercised every branch of the walk: draws, replacements, bars and pools run dry.
    assert all(seen[k] > 0 for k in ("drawn", "shortfalls", "barred", "excluded")), seen
