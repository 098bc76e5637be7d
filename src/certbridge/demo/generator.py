"""Deterministic synthetic organizations and certificate histories, a chunk at a time.

One `Generator` walks organizations in order; each gets a few certification "chains" (a scheme with one
body, renewed cycle after cycle until it ends or reaches today). Every random draw comes from a
`random.Random` seeded by (seed, chunk number), and chunks are produced in order, so the same seed, size and
as-of date give the same rows byte for byte. The output is plain specs for `certificates.bulk`.
"""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import date, timedelta

from certbridge.certificates.bulk import AuditSpec, CertificateSpec, OrganizationSpec, StatusStep
from certbridge.demo import distributions as dist
from certbridge.demo import names
from certbridge.demo.registries import BodyInfo, RegistrySnapshot
from certbridge.kit.dates import add_months
from certbridge.kit.uscc import generate_uscc

AUTHORITIES = (("91", 0.86), ("92", 0.06), ("93", 0.03), ("12", 0.03), ("52", 0.02))
CHAINS_PER_ORG = (1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8)


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


class Generator:
    """Produces chunks of organizations with their certificates until `size` certificates exist."""

    def __init__(self, snapshot: RegistrySnapshot, *, size: int, seed: int, as_of: date):
        self.snap, self.size, self.seed, self.as_of = snapshot, size, seed, as_of
        self.made = 0
        self.usccs: set[str] = set()
        self.names: set[str] = set()
        self.sequence: dict[tuple, int] = {}
        self.county_cum = list(itertools.accumulate(c[3] for c in snapshot.counties))
        self.scheme_codes = list(dist.SCHEME_WEIGHTS)
        self.scheme_cum = list(itertools.accumulate(dist.SCHEME_WEIGHTS.values()))
        years = list(range(dist.FIRST_YEAR, as_of.year + 1))
        self.years, self.year_cum = years, list(itertools.accumulate((y - dist.FIRST_YEAR + 3) ** 1.6 for y in years))
        self.bodies_by_field: dict[str, list[BodyInfo]] = {}
        for body in snapshot.bodies:
            for f in body.fields:
                self.bodies_by_field.setdefault(f, []).append(body)

    def chunks(self, orgs_per_chunk: int = 2000):
        """Yield (organizations, certificates) lists until the data set has `size` certificates."""
        for number in itertools.count():
            if self.made >= self.size:
                return
            rng = random.Random(f"{self.seed}:{number}")
            orgs: list[OrganizationSpec] = []
            certs: list[CertificateSpec] = []
            while len(orgs) < orgs_per_chunk and self.made < self.size:
                self._organization(rng, orgs, certs)
            yield orgs, certs

    # --- organizations -----------------------------------------------------------------------------------

    def _pick(self, rng: random.Random, cum: list[float]) -> int:
        return bisect.bisect(cum, rng.random() * cum[-1])

    def _organization(self, rng: random.Random, orgs: list, certs: list) -> None:
        code, full_region, place, _ = self.snap.counties[self._pick(rng, self.county_cum)]
        industry = rng.choice(names.INDUSTRIES)
        authority = rng.choices([a for a, _ in AUTHORITIES], [w for _, w in AUTHORITIES])[0]
        while True:
            uscc = generate_uscc(rng, authority=authority, region=code)
            if uscc not in self.usccs:
                break
        self.usccs.add(uscc)
        for _ in range(20):
            trade = names.brand(rng)
            name = names.organization_name(rng, place if rng.random() < 0.85 else full_region[:2] + place, industry, trade)
            if name not in self.names:
                break
        self.names.add(name)
        org = OrganizationSpec(uscc=uscc, name=name, address=names.address(rng, full_region), region_code=code,
                               industry=industry[1])
        index = len(orgs)
        orgs.append(org)
        wanted = rng.choice(CHAINS_PER_ORG)
        taken: set[str] = set()
        for _ in range(wanted * 3):
            if len(taken) >= wanted or self.made >= self.size:
                break
            scheme = self.scheme_codes[self._pick(rng, self.scheme_cum)]
            rules = self.snap.schemes[scheme]
            if (rules["kind"] == "product") != (industry[3] is not None) and rng.random() < 0.9:
                continue
            if scheme in taken and rules["kind"] != "product":
                continue
            taken.add(scheme)
            self._chain(rng, index, org, industry, trade, scheme, rules, certs)

    # --- certificate chains ----------------------------------------------------------------------------

    def _body(self, rng: random.Random, scheme_field: str, start: date) -> BodyInfo | None:
        candidates = [b for b in self.bodies_by_field.get(scheme_field, ()) if b.approved_on <= start]
        if not candidates:
            return None
        return rng.choices(candidates, [b.weight for b in candidates])[0]

    def _number(self, rng: random.Random, body: BodyInfo, scheme: str, issued: date, cycle: int, base: str | None,
                category: str) -> tuple[str, str]:
        if scheme == "CCC":
            key = (body.id, issued.year, category)
            self.sequence[key] = self.sequence.get(key, 0) + 1
            return f"{issued.year}{body.ccc_code}{category}{self.sequence[key]:06d}", ""
        if base is None:
            key = (body.id, scheme, issued.year)
            self.sequence[key] = self.sequence.get(key, 0) + 1
            size_letter = rng.choice("SMML")
            branch = f"/{rng.randint(11, 65)}{rng.randint(0, 99):02d}" if rng.random() < 0.3 else ""
            base = f"{body.code}{dist.SCHEME_LETTERS[scheme]}{issued.year % 100:02d}{self.sequence[key]:04d}|{size_letter}{branch}"
        head, tail = base.split("|")
        return f"{head}R{cycle - 1}{tail}".upper(), base

    def _standard(self, scheme: str, on: date) -> int | None:
        usable = [s for s in self.snap.standards.get(scheme, ()) if s[2] is None or on <= s[2]]
        current = [s for s in usable if s[1] is None or s[1] <= on]
        chosen = (current or usable)
        return chosen[-1][0] if chosen else None

    def _audit(self, rng: random.Random, body: BodyInfo, kind: str, end: date, team: int) -> AuditSpec:
        start = end - _days(rng, 0, 2)
        people = rng.sample(body.auditors, min(team, len(body.auditors)))
        auditors = [(pid, number, "leader" if i == 0 else "member") for i, (pid, number) in enumerate(people)]
        method = rng.choices(("FS01", "FS02", "FS03"), (0.82, 0.08, 0.10))[0]
        return AuditSpec(kind=kind, method=method, start_on=start, end_on=end, auditors=auditors)

    def _chain(self, rng: random.Random, org_index: int, org: OrganizationSpec, industry: tuple, trade: str,
               scheme: str, rules: dict, certs: list) -> None:
        year = self.years[self._pick(rng, self.year_cum)]
        start = date(year, 1, 1) + _days(rng, 0, 364)
        if start > self.as_of - timedelta(days=20):
            start = self.as_of - _days(rng, 20, 200)
        body = self._body(rng, rules["field_code"], start)
        if body is None:
            return
        system = rules["kind"] == "system"
        category = dist.CCC_CATEGORIES.get(industry[1], "0907")
        prod = names.product(rng, industry, trade, org.name) if rules["kind"] == "product" else None
        mode = {"CCC": "型式试验+初始工厂检查+获证后监督", "VOL": "型式试验+工厂检查+获证后监督"}.get(scheme)
        sites = []
        if rng.random() < 0.08:
            sites = [(f"{org.name}{n}分厂", org.address.rsplit("路", 1)[0] + f"路{rng.randint(1, 999)}号",
                      org.region_code, None) for n in ("第一", "第二")[: rng.randint(1, 2)]]
        renew_p = dist.RENEWAL[rules["kind"]]
        issued, cycle, previous = start, 1, None
        number, base = self._number(rng, body, scheme, issued, cycle, None, category)
        while self.made < self.size:
            expires = add_months(issued, 12 * rules["validity_years"]) - timedelta(days=1)
            team = rng.choice((1, 2, 2, 3))
            audits = [self._audit(rng, body, "initial" if cycle == 1 else "recertification",
                                  issued - _days(rng, 5, 40), team)]
            spec = CertificateSpec(
                number=number, body_id=body.id, organization=org_index, scheme_code=scheme,
                standard_id=self._standard(scheme, issued), issued_on=issued, expires_on=expires,
                holder_name=org.name, holder_address=org.address, region_code=org.region_code,
                scope=industry[2] if prod is None else f"{prod['name']}（{prod['model']}）", audits=audits,
                previous=previous, product=prod, certification_mode=mode, sites=list(sites))
            certs.append(spec)
            self.made += 1
            next_issue = expires - _days(rng, 0, 45)
            renewed = next_issue <= self.as_of and rng.random() < renew_p and self.made < self.size
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
        if current:
            outcome = rng.choices([o for o, _ in dist.CURRENT_OUTCOMES], [w for _, w in dist.CURRENT_OUTCOMES])[0]
        elif renewed:
            outcome = "renewed"
        else:
            outcome = rng.choices([o for o, _ in dist.ENDED_OUTCOMES], [w for _, w in dist.ENDED_OUTCOMES])[0]
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
                spec.steps.append(StatusStep("suspended", first, rng.choice(dist.SUSPEND_REASONS), until=latest))
                spec.steps.append(StatusStep("valid", back, dist.RESTORE_REASON))
        if outcome == "suspended":
            latest = min(add_months(final_on, rules["max_suspension_months"]), spec.expires_on)
            if latest <= final_on:
                return
            spec.steps.append(StatusStep("suspended", final_on, rng.choice(dist.SUSPEND_REASONS), until=latest))
        elif outcome == "withdrawn":
            cause = "holder" if rng.random() < 0.7 else "other"
            spec.steps.append(StatusStep("withdrawn", final_on, rng.choice(dist.WITHDRAW_REASONS),
                                         extra={"cause": cause}))
        elif outcome == "cancelled":
            spec.steps.append(StatusStep("cancelled", final_on, rng.choice(dist.CANCEL_REASONS)))
        elif outcome == "expired":
            spec.steps.append(StatusStep("expired", spec.expires_on, "validity_ended"))
        spec.steps.sort(key=lambda s: s.on)
