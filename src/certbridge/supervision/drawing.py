"""The verifiable draw, as a pure function of published inputs and a revealed seed.

Anyone can re-run it offline (`certbridge draw verify draw.json`) and must get the same list:

1. Commit: the seed's SHA-256 and the SHA-256 of the canonical JSON (RFC 8785) of the frozen inputs are
   written to the ledger before the draw. Optionally a beacon (a public value not yet known at commit
   time) is named; the key is then HMAC-SHA256(seed, "beacon" 0x00 beacon) so the seed holder cannot steer.
2. Objects: within each credit class, every eligible object is ranked by HMAC-SHA256(key, "object" 0x00
   object_key); the n lowest are drawn, n = ceil(ratio × eligible) or the fixed count for the class.
3. Inspectors: inspectors with a conflict against everyone (barred) leave the pool first. For each drawn
   object, in rank order, a keyed permutation of the pool is walked (lazy Fisher–Yates; indexes drawn
   from HMAC-SHA256(key, "inspector" 0x00 object_key 0x00 block) words by rejection sampling, so exactly
   uniform); an inspector with a conflict for the object (or over the per-batch task cap) is excluded
   with the reason and the walk continues — the replacement — until k inspectors are chosen.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections import Counter, defaultdict
from decimal import ROUND_CEILING, Decimal
from typing import Any

from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.paused_gc import paused_gc

FORMAT = "certbridge-draw/1"
ALL_OBJECTS = "*"
_WORD = 1 << 64
_FOUR_WORDS = struct.Struct(">4Q")  # a digest read as four big-endian 64-bit words, first word first


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of bytes as lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def digest_of(document: Any) -> str:
    """Return the SHA-256 of a document's canonical JSON (RFC 8785)."""
    return sha256_hex(canonical_json(document))


def canonical_json(document: Any) -> bytes:
    """Return the RFC 8785 bytes of a document (the kit's encoder, fast path for plain documents included)."""
    return canonical_bytes(document)


def seed_commitment(seed: bytes) -> str:
    """Return the commitment to a seed: its SHA-256."""
    return sha256_hex(seed)


def draw_key(seed: bytes, beacon: str | None) -> bytes:
    """Return the HMAC key of the draw: the seed, or the seed mixed with the beacon when one was named."""
    if beacon is None:
        return seed
    return hmac.digest(seed, b"beacon\x00" + beacon.encode("utf-8"), "sha256")


class KeyedHash:
    """HMAC-SHA256 with the key's pads hashed once (the same value as hmac.digest, 2–3× faster)."""

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def pads(self):
        """Return the copy functions of the hashed inner and outer pads (for tight loops)."""
        return self._inner.copy, self._outer.copy

    def prefixed(self, prefix: bytes):
        """Return the inner pad's hash with a message prefix already absorbed (copy it per message)."""
        inner = self._inner.copy()
        inner.update(prefix)
        return inner

    def __call__(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


class _Stream:
    """Uniform integers from a keyed counter-mode stream of 64-bit words."""

    __slots__ = ("mac", "label", "block", "words")

    def __init__(self, mac: KeyedHash, label: bytes) -> None:
        self.mac, self.label, self.block, self.words = mac, label, 0, []

    def below(self, bound: int) -> int:
        """Return an integer uniform in [0, bound) (rejection sampling: no modulo bias)."""
        limit = _WORD - _WORD % bound
        words = self.words
        while True:
            if not words:
                digest = self.mac(self.label + b"\x00" + self.block.to_bytes(4, "big"))
                self.block += 1
                words.extend(reversed(_FOUR_WORDS.unpack(digest)))
            word = words.pop()
            if word < limit:
                return word % bound


class InspectorWalk:
    """The keyed permutation of the inspector pool for one object, walked lazily (Fisher–Yates)."""

    __slots__ = ("stream", "pool", "position", "_swaps")

    def __init__(self, mac: KeyedHash, object_key: str, pool: list[str]) -> None:
        self.stream = _Stream(mac, b"inspector\x00" + object_key.encode("utf-8"))
        self.pool, self.position, self._swaps = pool, 0, {}

    def next(self) -> str | None:
        """Return the next inspector of the permutation, or None when the pool is exhausted."""
        size = len(self.pool)
        if self.position >= size:
            return None
        i = self.position
        j = i + self.stream.below(size - i)
        picked = self._swaps.get(j, j)
        self._swaps[j] = self._swaps.get(i, i)
        self.position += 1
        return self.pool[picked]

    def skip_to(self, position: int) -> None:
        """Replay the walk up to a position (to continue it for a later replacement)."""
        while self.position < position and self.next() is not None:
            pass


def quota(ratio: str, eligible: int, count: int | None = None) -> int:
    """Return how many of `eligible` objects to draw: the fixed count, else ceil(ratio × eligible)."""
    if count is not None:
        return min(int(count), eligible)
    return min(eligible, int((Decimal(ratio) * eligible).to_integral_value(rounding=ROUND_CEILING)))


def rank_objects(mac: KeyedHash, keys: list[str], n: int) -> list[tuple[str, str]]:
    """Return the n keys with the lowest keyed hash, as (rank hex, key), lowest first."""
    if n <= 0:
        return []
    # Only hashes below a generous threshold can be among the n lowest: keep those, sort them; in the
    # (vanishingly rare) case too few pass, sort everything. Same result either way, much less sorting.
    expected = n / len(keys)
    cut = min(1.0, expected * 1.1 + 8 * (expected / len(keys)) ** 0.5 + 64 / len(keys))
    threshold = b"\xff" * 32 if cut >= 1.0 else int(cut * _WORD).to_bytes(8, "big")
    _, outer_copy = mac.pads()
    inner_copy = mac.prefixed(b"object\x00").copy
    kept = []
    for key in keys:
        raw = key.encode("utf-8")
        inner = inner_copy()
        inner.update(raw)
        outer = outer_copy()
        outer.update(inner.digest())
        digest = outer.digest()
        if digest < threshold:
            kept.append(digest + raw)
    if len(kept) < n:
        return _rank_all(mac, keys, n)
    kept.sort()
    return [(item[:32].hex(), item[32:].decode("utf-8")) for item in kept[:n]]


def _rank_all(mac: KeyedHash, keys: list[str], n: int) -> list[tuple[str, str]]:
    ranked = sorted(mac(b"object\x00" + key.encode("utf-8")) + key.encode("utf-8") for key in keys)[:n]
    return [(item[:32].hex(), item[32:].decode("utf-8")) for item in ranked]


def pool_of(inputs: dict[str, Any]) -> tuple[list[str], list[list[str]], dict[tuple[str, str], str]]:
    """Split the inspectors into the pool and those excluded from every object, and index the conflicts."""
    global_reason: dict[str, str] = {}
    conflicts: dict[tuple[str, str], str] = {}
    for inspector, obj, reason in inputs["conflicts"]:
        if obj == ALL_OBJECTS:
            global_reason.setdefault(inspector, reason)
        else:
            conflicts.setdefault((inspector, obj), reason)
    pool = [i for i in inputs["inspectors"] if i not in global_reason]
    excluded = [[i, global_reason[i]] for i in inputs["inspectors"] if i in global_reason]
    return pool, excluded, conflicts


def run_draw(inputs: dict[str, Any], seed: bytes, beacon: str | None = None) -> dict[str, Any]:
    """Draw objects, then inspectors, from published inputs and the revealed seed (deterministic)."""
    if inputs.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document")
    # The cyclic GC is paused for the draw: it allocates a few objects per drawn object that all live until the
    # end, and each collection would rescan them and the inputs (a million small lists) for nothing.
    with paused_gc():
        return _run_draw(inputs, KeyedHash(draw_key(seed, beacon)))


def _run_draw(inputs: dict[str, Any], mac: KeyedHash) -> dict[str, Any]:
    by_class: dict[str, list[str]] = defaultdict(list)
    for key, cls in inputs["objects"]:
        by_class[cls].append(key)
    quotas, drawn = {}, []
    for cls in sorted(by_class):
        keys = by_class[cls]
        ratio = inputs["ratios"].get(cls, inputs["default_ratio"])
        n = quota(ratio, len(keys), inputs.get("counts", {}).get(cls))
        quotas[cls] = {"eligible": len(keys), "ratio": ratio, "drawn": n}
        drawn.extend((rank, key, cls) for rank, key in rank_objects(mac, keys, n))
    drawn.sort()
    pool, pool_excluded, conflicts = pool_of(inputs)
    # The conflicts by object: most drawn objects have none, so one lookup per object replaces one per inspector.
    by_object: dict[str, dict[str, str]] = defaultdict(dict)
    for (inspector, obj), reason in conflicts.items():
        by_object[obj][inspector] = reason
    per_object, cap = int(inputs["inspectors_per_object"]), inputs.get("max_tasks_per_inspector")
    load: Counter[str] = Counter()
    selected, shortfalls = [], []
    size, (_, outer_copy), unpack = len(pool), mac.pads(), _FOUR_WORDS.unpack
    inner_copy = mac.prefixed(b"inspector\x00").copy
    # The rejection limit for each early position of the walk (walks rarely go further than a few steps).
    limits = [_WORD - _WORD % (size - position) for position in range(min(size, 64))]
    early = len(limits)
    for rank, key, cls in drawn:
        # InspectorWalk inlined (same arithmetic, checked by the tests): this loop runs once per drawn object.
        # The stream's words are HMAC(key, "inspector" 0x00 object_key 0x00 block), read first word first.
        label, block, words, used, swaps, position = key.encode("utf-8") + b"\x00", 0, (), 4, {}, 0
        own = by_object.get(key)
        chosen, excluded = [], []
        while len(chosen) < per_object:
            if position >= size:
                shortfalls.append(key)
                break
            limit = limits[position] if position < early else _WORD - _WORD % (size - position)
            while True:
                if used == 4:
                    inner = inner_copy()
                    inner.update(label + block.to_bytes(4, "big"))
                    outer = outer_copy()
                    outer.update(inner.digest())
                    words, used = unpack(outer.digest()), 0
                    block += 1
                word = words[used]
                used += 1
                if word < limit:
                    break
            j = position + word % (size - position)
            picked = swaps.get(j, j)
            swaps[j] = swaps.get(position, position)
            position += 1
            inspector = pool[picked]
            reason = own.get(inspector) if own else None
            if reason is None and cap is not None and load[inspector] >= cap:
                reason = "capacity"
            if reason is not None:
                excluded.append([inspector, reason])
                continue
            chosen.append(inspector)
            if cap is not None:
                load[inspector] += 1
        selected.append({"object": key, "class": cls, "rank": rank, "inspectors": chosen, "excluded": excluded,
                         "walk": position})
    return {"format": FORMAT, "quotas": quotas, "selected": selected, "pool_excluded": pool_excluded,
            "shortfalls": shortfalls}


def continue_walk(inputs: dict[str, Any], seed: bytes, beacon: str | None, object_key: str, position: int,
                  refuse: dict[str, str]) -> tuple[str | None, int, list[list[str]]]:
    """Continue an object's inspector walk after a position, skipping refused inspectors (a replacement).

    Returns the inspector chosen (None if the pool is exhausted), the new position and the exclusions met.
    """
    mac = KeyedHash(draw_key(seed, beacon))
    pool, _, conflicts = pool_of(inputs)
    walk = InspectorWalk(mac, object_key, pool)
    walk.skip_to(position)
    excluded = []
    while True:
        inspector = walk.next()
        if inspector is None:
            return None, walk.position, excluded
        reason = refuse.get(inspector) or conflicts.get((inspector, object_key))
        if reason is None:
            return inspector, walk.position, excluded
        excluded.append([inspector, reason])


def verify_export(document: dict[str, Any]) -> list[str]:
    """Re-run a published draw from its export; return the problems found (empty: the draw checks out)."""
    problems = []
    try:
        inputs, seed_hex = document["inputs"], document["seed"]
        commitment = document["commitment"]
        seed = bytes.fromhex(seed_hex)
    except (KeyError, TypeError, ValueError) as exc:
        return [f"malformed export: {exc!r}"]
    if seed_commitment(seed) != commitment.get("seed_sha256"):
        problems.append("seed does not match its commitment (SHA-256 of the seed)")
    if digest_of(inputs) != commitment.get("inputs_sha256"):
        problems.append("inputs do not match the committed digest (SHA-256 of their canonical JSON)")
    try:
        outputs = run_draw(inputs, seed, document.get("beacon"))
    except (KeyError, TypeError, ValueError) as exc:
        return problems + [f"inputs cannot be run: {exc!r}"]
    problems.extend(_risk_weighting_problems(inputs))
    published = document.get("outputs") or {}
    if canonical_json(outputs) != canonical_json(published):
        problems.extend(_differences(outputs, published))
    if document.get("outputs_sha256") and digest_of(published) != document["outputs_sha256"]:
        problems.append("outputs do not match their published digest")
    for index, item in enumerate(document.get("replacements", [])):
        refuse = {i: "recorded" for i in item.get("refused", [])}
        picked, position, _ = continue_walk(inputs, seed, document.get("beacon"), item["object"], item["from"], refuse)
        if picked != item.get("replacement") or position != item.get("to"):
            problems.append(f"replacement {index + 1} for {item['object']}: re-run picks {picked} at step {position}, "
                            f"published {item.get('replacement')} at step {item.get('to')}")
    return problems


def _risk_weighting_problems(inputs: dict[str, Any]) -> list[str]:
    """A risk-weighted draw: every object's class must be the higher of its committed credit and risk classes."""
    risk = inputs.get("risk")
    if not risk:
        return []
    if risk.get("rule") != "max(credit, risk)":
        return [f"unknown risk weighting rule {risk.get('rule')!r}"]
    credit, by_risk = dict(map(tuple, risk.get("credit", []))), dict(map(tuple, risk.get("risk", [])))
    for key, cls in inputs["objects"]:
        if key not in credit or key not in by_risk or cls != max(credit[key], by_risk[key]):
            return [f"object {key} is drawn in class {cls}, not the higher of its credit and risk classes"]
    return []


def _differences(mine: dict[str, Any], published: dict[str, Any]) -> list[str]:
    out = []
    theirs = published.get("selected", [])
    for index, item in enumerate(mine["selected"]):
        other = theirs[index] if index < len(theirs) else None
        if other != item:
            out.append(f"selection {index + 1}: re-run gives {item['object']} with {item['inspectors']}, "
                       f"published {other['object'] + ' with ' + str(other['inspectors']) if other else 'nothing'}")
            break
    if len(theirs) != len(mine["selected"]):
        out.append(f"re-run draws {len(mine['selected'])} objects, published {len(theirs)}")
    for key in ("quotas", "pool_excluded", "shortfalls"):
        if mine.get(key) != published.get(key):
            out.append(f"{key} differ")
    return out or ["outputs differ"]
