"""Deterministic synthetic organizations and certificate histories, a chunk at a time.

Each organization gets a few certification "chains" (a scheme with one body, renewed cycle after cycle
until it ends or reaches today). The data set is cut into chunks of `CERTS_PER_CHUNK` certificates;
chunk n draws from a `random.Random` seeded by (seed, n) and belongs to lane n mod `LANES`. A lane is
one `Generator` that makes its chunks in order and alone holds what must stay unique across them:
USCCs and names it hands out are those whose CRC-32 falls in its lane, and certificate numbers it
counts are those congruent to its lane. Lanes can therefore run in separate processes and still give,
for the same seed, size and as-of date, the same rows byte for byte. The output is plain specs for
`certificates.bulk`.
"""

from __future__ import annotations

import bisect
import random
import zlib
from datetime import date, timedelta

from certbridge.certificates.bulk import AuditSpec, CertificateSpec, OrganizationSpec, StatusStep
from certbridge.demo import distributions as dist
from certbridge.demo import names
from certbridge.demo.draws import Weighted, between, pick
from certbridge.demo.registries import BodyInfo, RegistrySnapshot
from certbridge.kit.dates import add_months
from certbridge.kit.uscc import generate_uscc

AUTHORITIES = Weighted.of((("91", 0.86), ("92", 0.06), ("93", 0.03), ("12", 0.03), ("52", 0.02)))
CHAINS_PER_ORG = (1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8)
METHODS = Weighted.of((("FS01", 0.82), ("FS02", 0.08), ("FS03", 0.10)))
CURRENT = Weighted.of(dist.CURRENT_OUTCOMES)
ENDED = Weighted.of(dist.ENDED_OUTCOMES)
TEAMS = (1, 2, 2, 3)
MODES = {"CCC": "型式试验+初始工厂检查+获证后监督", "VOL": "型式试验+工厂检查+获证后监督"}
LANES = 2  # part of the data set's identity: changing it changes numbers, USCCs and names
CERTS_PER_CHUNK = 10_000


def chunk_count(size: int) -> int:
    """Return how many chunks a data set of `size` certificates is made of."""
    return -(-size // CERTS_PER_CHUNK)


_DAYS = tuple(timedelta(days=n) for n in range(1000))  # the spans drawn are short: reuse their timedeltas


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    n = low + int(rng.random() * (high - low + 1))  # `between`, inlined: ~4 draws per certificate
    return _DAYS[n] if 0 <= n < 1000 else timedelta(days=n)


class Generator:
    """Makes the chunks of one lane, in order: organizations with their certificates."""

    def __init__(self, snapshot: RegistrySnapshot, *, size: int, seed: int, as_of: date, lane: int = 0,
                 lanes: int = LANES):
        self.snap, self.size, self.seed, self.as_of = snapshot, size, seed, as_of
        self.lane, self.lanes = lane, lanes
        self.made = self.quota = 0
        self.last_chunk = lane - lanes
        self.usccs: set[str] = set()
        self.names: set[str] = set()
        self.sequence: dict[tuple, int] = {}
        self.standards: dict[tuple[str, date], int | None] = {}
        self.counties = Weighted(snapshot.counties, [c[3] for c in snapshot.counties])
        self.schemes = Weighted(list(dist.SCHEME_WEIGHTS), list(dist.SCHEME_WEIGHTS.values()))
        years = list(range(dist.FIRST_YEAR, as_of.year + 1))
        self.years = Weighted(years, [(y - dist.FIRST_YEAR + 3) ** 1.6 for y in years])
        # Per certification field: its bodies by approval date, so those approved by a day are a prefix.
        self.bodies: dict[str, tuple[list[date], Weighted[BodyInfo]]] = {}
        for field in {f for body in snapshot.bodies for f in body.fields}:
            able = sorted((b for b in snapshot.bodies if field in b.fields), key=lambda b: (b.approved_on, b.id))
            self.bodies[field] = ([b.approved_on for b in able], Weighted(able, [b.weight for b in able]))

    def chunk(self, number: int) -> tuple[list[OrganizationSpec], list[CertificateSpec]]:
        """Return chunk `number` (this lane's next one): organizations and their certificates."""
        if number != self.last_chunk + self.lanes:
            raise ValueError(f"lane {self.lane} of {self.lanes} makes chunk {self.last_chunk + self.lanes} next, "
                             f"not {number}")
        self.last_chunk = number
        rng = random.Random(f"{self.seed}:{number}")
        self.made, self.quota = 0, min(CERTS_PER_CHUNK, self.size - number * CERTS_PER_CHUNK)
        orgs: list[OrganizationSpec] = []
        certs: list[CertificateSpec] = []
        while self.made < self.quota:
            self._organization(rng, orgs, certs)
        return orgs, certs

    def _mine(self, text: str) -> bool:
        return zlib.crc32(text.encode()) % self.lanes == self.lane

    # --- organizations -----------------------------------------------------------------------------------

    def _organization(self, rng: random.Random, orgs: list, certs: list) -> None:
        code, full_region, place, _ = self.counties.draw(rng)
        industry = pick(rng, names.INDUSTRIES)
        authority = AUTHORITIES.draw(rng)
        while True:
            uscc = generate_uscc(rng, authority=authority, region=code)
            if uscc not in self.usccs and self._mine(uscc):
                break
        self.usccs.add(uscc)
        for _ in range(40):
            trade = names.brand(rng)
            name = names.organization_name(rng, place if rng.random() < 0.85 else full_region[:2] + place, industry, trade)
            if name not in self.names and self._mine(name):
                break
        self.names.add(name)
        org = OrganizationSpec(uscc=uscc, name=name, address=names.address(rng, full_region), region_code=code,
                               industry=industry[1])
        index = len(orgs)
        orgs.append(org)
        wanted = pick(rng, CHAINS_PER_ORG)
        taken: set[str] = set()
        for _ in range(wanted * 3):
            if len(taken) >= wanted or self.made >= self.quota:
                break
            scheme = self.schemes.draw(rng)
            rules = self.snap.schemes[scheme]
            if (rules["kind"] == "product") != (industry[3] is not None) and rng.random() < 0.9:
                continue
            if scheme in taken and rules["kind"] != "product":
                continue
            taken.add(scheme)
            self._chain(rng, index, org, industry, trade, scheme, rules, certs)

    # --- certificate chains ----------------------------------------------------------------------------

    def _body(self, rng: random.Random, scheme_field: str, start: date) -> BodyInfo | None:
        approved, bodies = self.bodies.get(scheme_field, ([], None))
        count = bisect.bisect(approved, start)
        return bodies.draw_among_first(rng, count) if count else None

    def _next(self, key: tuple) -> int:
        """Return the next sequence number of `key` that belongs to this lane."""
        count = self.sequence.get(key, 0)
        self.sequence[key] = count + 1
        return count * self.lanes + self.lane + 1

    def _number(self, rng: random.Random, body: BodyInfo, scheme: str, issued: date, cycle: int, base: str | None,
                category: str) -> tuple[str, str]:
        if scheme == "CCC":
            return f"{issued.year}{body.ccc_code}{category}{self._next((body.id, issued.year, category)):06d}", ""
        if base is None:
            sequence = self._next((body.id, scheme, issued.year))
            size_letter = pick(rng, "SMML")
            branch = f"/{between(rng, 11, 65)}{between(rng, 0, 99):02d}" if rng.random() < 0.3 else ""
            base = f"{body.code}{dist.SCHEME_LETTERS[scheme]}{issued.year % 100:02d}{sequence:04d}|{size_letter}{branch}"
        head, tail = base.split("|")
        return f"{head}R{cycle - 1}{tail}".upper(), base

    def _standard(self, scheme: str, on: date) -> int | None:
        key = (scheme, on)
        if key not in self.standards:
            usable = [s for s in self.snap.standards.get(scheme, ()) if s[2] is None or on <= s[2]]
            current = [s for s in usable if s[1] is None or s[1] <= on]
            chosen = (current or usable)
            self.standards[key] = chosen[-1][0] if chosen else None
        return self.standards[key]

    def _audit(self, rng: random.Random, body: BodyInfo, kind: str, end: date, team: int) -> AuditSpec:
        start = end - _days(rng, 0, 2)
        pool = body.auditors
        first = int(rng.random() * len(pool))
        chosen = [first]
        while len(chosen) < team and len(chosen) < len(pool):
            other = int(rng.random() * len(pool))
            if other not in chosen:
                chosen.append(other)
        auditors = [(pool[i][0], pool[i][1], "member" if n else "leader") for n, i in enumerate(chosen)]
        return AuditSpec(kind=kind, method=METHODS.draw(rng), start_on=start, end_on=end, auditors=auditors)

    def _chain(self, rng: random.Random, org_index: int, org: OrganizationSpec, industry: tuple, trade: str,
               scheme: str, rules: dict, certs: list) -> None:
        year = self.years.draw(rng)
        start = date(year, 1, 1) + _days(rng, 0, 364)
        if start > self.as_of - timedelta(days=20):
            start = self.as_of - _days(rng, 20, 200)
        body = self._body(rng, rules["field_code"], start)
        if body is None:
            return
        system = rules["kind"] == "system"
        category = dist.CCC_CATEGORIES.get(industry[1], "0907")
        prod = names.product(rng, industry, trade, org.name) if rules["kind"] == "product" else None
        mode = MODES.get(scheme)
        sites = []
        if rng.random() < 0.08:
            sites = [(f"{org.name}{n}分厂", org.address.rsplit("路", 1)[0] + f"路{between(rng, 1, 999)}号",
                      org.region_code, None) for n in ("第一", "第二")[: between(rng, 1, 2)]]
        renew_p = dist.RENEWAL[rules["kind"]]
        issued, cycle, previous = start, 1, None
        number, base = self._number(rng, body, scheme, issued, cycle, None, category)
        while self.made < self.quota:
            expires = add_months(issued, 12 * rules["validity_years"]) - timedelta(days=1)
            audits = [self._audit(rng, body, "initial" if cycle == 1 else "recertification",
                                  issued - _days(rng, 5, 40), pick(rng, TEAMS))]
            spec = CertificateSpec(
                number=number, body_id=body.id, organization=org_index, scheme_code=scheme,
                standard_id=self._standard(scheme, issued), issued_on=issued, expires_on=expires,
                holder_name=org.name, holder_address=org.address, region_code=org.region_code,
                scope=industry[2] if prod is None else f"{prod['name']}（{prod['model']}）", audits=audits,
                previous=previous, product=prod, certification_mode=mode, sites=list(sites))
            certs.append(spec)
            self.made += 1
            next_issue = expires - _days(rng, 0, 45)
            renewed = next_issue <= self.as_of and rng.random() < renew_p and self.made < self.quota
            current = expires >= self.as_of and not renewed
            self._history(rng, spec, rules, system, current, renewed, next_issue, body)
            if not renewed:
                return
            number, base = self._number(rng, body, scheme, next_issue, cycle + 1, base, category)
            last = spec.steps[-1].on if spec.steps else issued
            spec.steps.append(StatusStep("expired", max(next_issue, last), "renewed",
                                         extra={"renewed_by_number": number}))
            previous, issued, cycle = len(certs) - 1, next_issue, cycle + 1

    def _history(self, rng: random.Random, spec: CertificateSpec, rules: dict, system: bool, current: bool,
                 renewed: bool, next_issue: date, body: BodyInfo) -> None:
        end_of_life = self.as_of if current else (next_issue if renewed else spec.expires_on)
        outcome = CURRENT.draw(rng) if current else "renewed" if renewed else ENDED.draw(rng)
        span = max(1, (min(end_of_life, spec.expires_on) - spec.issued_on).days)
        final_on = None
        if outcome in ("withdrawn", "cancelled", "suspended"):
            if outcome == "suspended":
                months = rules["max_suspension_months"]
                final_on = max(spec.issued_on + timedelta(days=1),
                               self.as_of - _days(rng, 0, max(1, months * 30 - 40)))
            else:
                final_on = spec.issued_on + timedelta(days=max(1, int(span * rng.uniform(0.15, 0.98))))
            final_on = min(final_on, self.as_of)
        if system:
            limit = min(final_on or end_of_life, self.as_of, spec.expires_on - timedelta(days=15))
            on, count = spec.issued_on, 0
            while True:
                on = add_months(on, 11) + _days(rng, 0, 25)
                if on > limit or (not current and count >= 1):
                    break
                spec.audits.append(self._audit(rng, body, "surveillance", on, 1 if rng.random() < 0.6 else 2))
                count += 1
        if rng.random() < dist.EPISODE_SUSPENSION and outcome not in ("suspended",):
            first = spec.issued_on + timedelta(days=int(span * rng.uniform(0.1, 0.5)))
            latest = min(add_months(first, rules["max_suspension_months"]), spec.expires_on)
            back = first + _days(rng, 10, max(10, (latest - first).days - 1))
            if back < min(final_on or end_of_life, self.as_of) and back <= latest:
                spec.steps.append(StatusStep("suspended", first, pick(rng, dist.SUSPEND_REASONS), until=latest))
                spec.steps.append(StatusStep("valid", back, dist.RESTORE_REASON))
        if outcome == "suspended":
            latest = min(add_months(final_on, rules["max_suspension_months"]), spec.expires_on)
            if latest <= final_on:
                return
            spec.steps.append(StatusStep("suspended", final_on, pick(rng, dist.SUSPEND_REASONS), until=latest))
        elif outcome == "withdrawn":
            cause = "holder" if rng.random() < 0.7 else "other"
            spec.steps.append(StatusStep("withdrawn", final_on, pick(rng, dist.WITHDRAW_REASONS),
                                         extra={"cause": cause}))
        elif outcome == "cancelled":
            spec.steps.append(StatusStep("cancelled", final_on, pick(rng, dist.CANCEL_REASONS)))
        elif outcome == "expired":
            spec.steps.append(StatusStep("expired", spec.expires_on, "validity_ended"))
        spec.steps.sort(key=lambda s: s.on)
