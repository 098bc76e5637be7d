"""The draw benchmark runs at a tiny size and reports consistent figures (timings are for bench/, not here)."""

from __future__ import annotations

from bench.draw_bench import measure, synthetic_inputs
from certbridge.supervision.drawing import quota


def test_draw_bench_smoke():
    figures = measure(objects=2_000, inspectors=40, repeat=1)
    assert figures["objects"] == 2_000 and figures["inspectors"] == 40
    inputs = synthetic_inputs(2_000, 40)
    counts = {}
    for _, cls in inputs["objects"]:
        counts[cls] = counts.get(cls, 0) + 1
    flat = figures["scenarios"]["five_percent"]
    assert flat["drawn"] == sum(quota("0.05", n) for n in counts.values())
    assert flat["inspector_assignments"] == 2 * flat["drawn"] and flat["shortfalls"] == 0
    plan = figures["scenarios"]["plan_ratios"]
    assert plan["drawn"] > flat["drawn"] and plan["exclusions"] >= 1  # the barred inspectors at least
    assert {"baseline_hash_sort_seconds", "inputs_digest_seconds"} <= set(figures)
