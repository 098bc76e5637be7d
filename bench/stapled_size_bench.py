"""Stapled status proof sizes at large maps: `python -m bench.stapled_size_bench --keys 1000000 10000000`.

A stapled proof's size depends on the map only through the two map paths it carries (the certificate's and its
body's): how many non-empty siblings a key's path has among N keys. This benchmark builds that honestly without a
database: N random keys (the map keys are SHA-256 outputs, so uniformly random), sorted; for a sample of them the
path is walked exactly as the sparse Merkle tree has it (Jellyfish semantics, kit/state_map.py): a key's leaf sits
one level below the longest prefix it shares with another key, and the sibling at depth d is non-empty when some key
shares the first d bits and differs at bit d (64-bit prefixes: at 10 M keys paths are ~24 levels, far from 64).

Cross-check (`--check 100000`): the same walk against real proofs of `kit.state_map.prove` on an in-memory map of
the same keys, which must agree sibling for sibling.

Map v2 keys put the certification bodies in one half of the tree and every other subject in the other
(kit/state_map.subject_key), and a v2 stapled proof leaves out each path's top sibling (the other path gives it):
so the certificate's path carried is its path among the N other subjects, and the body's its path among the B
bodies (`--bodies`, 2,000 unless told: about 1,000 bodies are approved in China, so this is on the safe side).

Then it assembles real stapled proofs (ledger/stapled.py `encode`) from event bodies of the shape the app writes
(bench/state_map_bench.py), a checkpoint note with one witness cosignature, and path hashes of the measured lengths
(random bytes: hashes do not compress), for the median and the 99th-percentile path, and reports bytes (compressed,
what the QR code carries) for v2 (`CBS2:`) and, built from the same inputs, v1 (`CBS1:`: both paths of ~log2(N+B)
levels with their leaf, an inclusion proof for every event but the latest, the body's whole history).
"""

from __future__ import annotations

import argparse
import base64
import bisect
import json
import os
import random
import statistics
import time

from bench.state_map_bench import _BODY_STATE, _ISSUE_STATE

_BITS = 64


def _paths(keys: list[int], sample: list[int]) -> list[tuple[int, int]]:
    """Return (depth, non-empty siblings) of each sampled key's map path among the sorted `keys`."""
    out = []
    n = len(keys)
    for k in sample:
        i = bisect.bisect_left(keys, k)
        lcp = 0
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                lcp = max(lcp, _BITS - (k ^ keys[j]).bit_length())
        depth = lcp + 1  # the leaf is lifted to just below where it parts from its nearest key
        nonempty = 0
        for d in range(depth):
            bit = 1 << (_BITS - 1 - d)
            prefix = (k >> (_BITS - d)) << (_BITS - d) if d else 0
            lo = prefix | ((k & bit) ^ bit)  # the sibling subtree: the same first d bits, bit d flipped
            hi = lo | (bit - 1)
            a = bisect.bisect_left(keys, lo)
            if a < n and keys[a] <= hi:
                nonempty += 1
        out.append((depth, nonempty))
    return out


def _check(count: int, rng: random.Random) -> int:
    """Compare the walk with real proofs on an in-memory map of `count` keys; return how many were compared."""
    from certbridge.kit import state_map as sm

    class Store(dict):
        def get_many(self, paths):
            return {p: self[p] for p in paths if p in self}

        def put(self, path, chunk):
            self[path] = chunk

    raw = [os.urandom(32) for _ in range(count)]
    store = Store()
    sm.apply(store, {k: bytes(32 - 1) + b"\x01" for k in raw})
    keys = sorted(int.from_bytes(k[:8], "big") for k in raw)
    sample = rng.sample(raw, 300)
    walked = _paths(keys, [int.from_bytes(k[:8], "big") for k in sample])
    for key, (depth, nonempty) in zip(sample, walked, strict=True):
        proof = sm.prove(store, key)
        real = sum(1 for s in proof.siblings if s != sm.PLACEHOLDER)
        assert (len(proof.siblings), real) == (depth, nonempty), (len(proof.siblings), real, depth, nonempty)
    return len(sample)


def _path_bytes(depth: int, nonempty: int) -> bytes:
    """A v2 map path of that shape: depth, bitmap, the non-empty siblings (random), no leaf."""
    from certbridge.kit import state_map as sm

    siblings = [os.urandom(32) for _ in range(nonempty)] + [sm.PLACEHOLDER] * (depth - nonempty)
    return sm.encode_proof(sm.Proof(tuple(siblings), None))[:-1]


def _events(size: int) -> dict[str, list[str]]:
    from certbridge.kit.canonical_json import canonical_bytes
    from certbridge.kit.merkle import leaf_hash

    def event(seq, kind, subject, state, before=None, extra=None):
        return canonical_bytes({"actor": "user:3:cb_a/key:4857bb87de9f", "at": "2026-12-07T03:02:36.530433Z",
                                "data": {"state": state, **(extra or {})}, "prev": before[0] if before else None,
                                "prev_hash": base64.b64encode(leaf_hash(before[1].encode())).decode() if before
                                else None, "seq": seq, "subject": {"id": str(subject[1]), "type": subject[0]},
                                "type": kind, "v": 1}).decode()

    issue = event(size - 500, "certificate.issued", ("certificate", 1), _ISSUE_STATE)
    suspend = event(size - 10, "certificate.suspended", ("certificate", 1),
                    {"status": "suspended", "status_reason": "监督审核发现严重不符合", "status_changed_on": "2026-12-07",
                     "suspended_until": "2027-06-07"}, (size - 500, issue))
    audits, before, done = [issue], (size - 500, issue), list(_ISSUE_STATE["audits"])
    for n in range(3):
        new = {"auditors": [[2, "2022-N1QMS-1000777", "leader"]], "end_on": f"202{6 + n}-02-21",
               "kind": "surveillance", "method": "FS01", "start_on": f"202{6 + n}-02-20"}
        done.append(new)
        # as certificates/service.py writes it: the audit, and the whole list of audits as the state
        audit = event(size - 400 + n * 100, "certificate.audited", ("certificate", 1),
                      {"audits": list(done), "last_surveillance_on": f"202{6 + n}-02-21"}, before, {"audit": new})
        audits.append(audit)
        before = (size - 400 + n * 100, audit)
    body = event(3, "body.approved", ("body", 1), _BODY_STATE)
    revoked = event(size - 5, "body.revoked", ("body", 1), {"status": "revoked", "status_reason": "不再符合审批条件"},
                    (3, body), {"on": "2026-12-07"})
    return {"issued": [issue], "suspended": [issue, suspend], "audited": audits, "body": [body],
            "body_revoked": [revoked]}


def _note(size: int) -> str:
    b64 = lambda n: base64.b64encode(os.urandom(n)).decode()  # noqa: E731
    return (f"certs.beihai.example/log\n{size}\n{b64(32)}\ncertbridge-state-map/v2 {b64(32)}\n"
            f"certbridge-time 1796000000\n\n\u2014 certs.beihai.example/log {b64(68)}\n"
            f"\u2014 witness.example/witness {b64(76)}\n")


def staple_sizes(size: int, cert_path: tuple[int, int], body_path: tuple[int, int], inclusion: int,
                 v1_path: tuple[int, int]) -> dict:
    """Bytes of v2 and v1 stapled proofs (compressed: what the QR code carries) for the event cases."""
    from certbridge.ledger import stapled

    events, note = _events(size), _note(size)
    leaf_v1 = 1 + 64  # v1 carried the map's leaf (key and value hash)
    out = {}
    for case, cert_events, body_events in (("just issued", "issued", "body"), ("suspended", "suspended", "body"),
                                           ("3 surveillance audits", "audited", "body"),
                                           ("body revoked", "issued", "body_revoked")):
        certs, bodies = events[cert_events], events[body_events]
        cert_map, body_map = _path_bytes(*cert_path), _path_bytes(*body_path)
        v2 = {"format": stapled.FORMAT, "valid_days": 7, "checkpoint": note,
              "name": "certificate:00126:00126Q26001R0M/4500", "map_proof": base64.b64encode(cert_map).decode(),
              "events": certs, "inclusion_proofs": [[] for _ in certs],
              "body_proof": {"name": "body:00126", "map_proof": base64.b64encode(body_map).decode(),
                             "events": bodies, "inclusion_proofs": [[] for _ in bodies]}}
        text = stapled.encode(v2)
        assert stapled.decode(text) == v2

        def v1_part(name, path, evs):
            hashes = [base64.b64encode(os.urandom(32)).decode() for _ in range(inclusion)]
            return {"format": "certbridge-status-proof/v1", "name": name, "present": True, "checkpoint": note,
                    "tree_size": size, "map_proof": base64.b64encode(path + b"\x01" + os.urandom(leaf_v1 - 1)).decode(),
                    "events": evs, "inclusion_proofs": [hashes for _ in evs[:-1]] + [[]]}

        old_path = _path_bytes(*v1_path)
        v1 = {**v1_part(v2["name"], old_path, certs), "format": stapled.FORMAT_V1, "valid_days": 7,
              "body_proof": v1_part("body:00126", _path_bytes(*v1_path), bodies)}
        if body_events == "body_revoked":  # v1 carried the body's whole history
            v1["body_proof"] = v1_part("body:00126", _path_bytes(*v1_path),
                                       [events["body"][0], events["body_revoked"][0]])
        out[case] = {"v2_bytes": stapled.packed_size(text), "v2_qr_chars": len(text),
                     "v1_bytes": stapled.packed_size(stapled.encode(v1))}
    return out


def run(sizes: list[int], *, samples: int, seed: int, check: int, bodies: int = 2000) -> dict:
    rng = random.Random(seed)
    result = {"load_average": round(os.getloadavg()[0], 2), "bodies": bodies, "sizes": {}}
    body_keys = sorted(rng.getrandbits(_BITS) for _ in range(bodies))
    body_paths = sorted(_paths(body_keys, [body_keys[rng.randrange(bodies)] for _ in range(samples)]),
                        key=lambda p: p[1])
    body_median, body_p99 = body_paths[len(body_paths) // 2], body_paths[int(len(body_paths) * 0.99)]
    result["body_path_siblings_median_p99"] = [body_median[1], body_p99[1]]
    if check:
        c0 = time.process_time()
        result["cross_check"] = {"keys": check, "paths_compared": _check(check, rng),
                                 "cpu_seconds": round(time.process_time() - c0, 1)}
    for n in sizes:
        c0 = time.process_time()
        keys = sorted(rng.getrandbits(_BITS) for _ in range(n))
        sample = [keys[rng.randrange(n)] for _ in range(samples)]
        paths = _paths(keys, sample)
        del keys
        # v1: one tree of all N + B subjects, the top sibling and the leaf sent: about one level more
        nonempty = sorted(p[1] for p in paths)
        by_nonempty = {p[1]: p for p in paths}
        median = by_nonempty[nonempty[len(nonempty) // 2]]
        p99 = by_nonempty[nonempty[int(len(nonempty) * 0.99)]]
        inclusion = (n - 1).bit_length()
        result["sizes"][n] = {
            "path_siblings_median": statistics.median(nonempty), "path_siblings_p99": p99[1],
            "path_siblings_max": nonempty[-1], "path_bytes_median": len(_path_bytes(*median)),
            "median": staple_sizes(n, median, body_median, inclusion, (median[0] + 1, median[1] + 1)),
            "p99": staple_sizes(n, p99, body_p99, inclusion, (p99[0] + 1, p99[1] + 1)),
            "cpu_seconds": round(time.process_time() - c0, 1)}
    return result


def table(result: dict) -> str:
    lines = ["| subjects in the map | certificate path carried: non-empty siblings, median / p99 / max | case | "
             "v2 bytes, median paths (QR chars) | v2 bytes, p99 paths | v1 bytes, median paths | v2 / v1 |",
             "|---|---|---|---:|---:|---:|---|"]
    for n, r in result["sizes"].items():
        for case, m in r["median"].items():
            p = r["p99"][case]
            lines.append(f"| {int(n):,} | {r['path_siblings_median']} / {r['path_siblings_p99']} / "
                         f"{r['path_siblings_max']} | {case} | {m['v2_bytes']:,} ({m['v2_qr_chars']:,}) | "
                         f"{p['v2_bytes']:,} | {m['v1_bytes']:,} | {m['v2_bytes'] / m['v1_bytes']:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--check", type=int, default=100_000, help="Cross-check the walk on a real map this big")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bodies", type=int, default=2000, help="Certification bodies in the map")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.keys, samples=args.samples, seed=args.seed, check=args.check, bodies=args.bodies)
    print(table(result))
    if args.json:
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
