"""Match the rows of a supplier list to organizations and certificates, many rows per query.

Exact keys are looked up set-wise: USCCs (`organization.uscc`), certificate numbers (`certificate.number`, which
may name certificates of several bodies) and whole normalized names (`organization.search_name`). A name with no
exact match is searched like the public search does (`registry.search`: FTS5 trigram / pg_trgm / bigrams) for
its distinctive core — the name without the legal-form suffix common to most companies — all such names
together, `SEARCH_BATCH` bounded searches per statement (`fuzzy_candidates`; `fuzzy_candidates_one` is the
same search one name at a time, which the tests compare it with); the candidates are scored by the Dice
coefficient of their name bigrams (0–100). A best candidate at or above `FUZZY_ACCEPT` with a clear lead over
the next is a match; close candidates make the row ambiguous, and the candidates are returned so a person can
choose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.kit.chinese_text import normalize_name
from certbridge.kit.uscc import normalize_uscc, uscc_malformed
from certbridge.registry.models import Organization
from certbridge.registry.search import name_bigrams, name_match, organization_ids_select

CHUNK = 500  # keys per IN (…) list: well under SQLite's and PostgreSQL's parameter limits
FUZZY_ACCEPT = 85  # a name scoring this much (of 100) may be taken as the organization meant
FUZZY_LEAD = 8  # … when the next candidate scores at least this much less; else the row is ambiguous
FUZZY_CONSIDER = 50  # candidates below this are not shown
CANDIDATES = 5
SEARCH_LIMIT = 40  # organizations a fuzzy row's search may return
SEARCH_BATCH = 100  # name searches per statement (UNION ALL; SQLite allows 500 arms)
# Legal-form endings most company names share; the search looks for what comes before them.
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "分公司", "公司", "厂", "co ltd", "co., ltd",
               "ltd", "inc", "limited", "company")


@dataclass
class Wanted:
    """One row of a list as typed: any of a name, a USCC and a certificate number."""

    row: int
    name: str = ""
    uscc: str = ""
    number: str = ""


@dataclass
class Match:
    """What a row matched: how, the organization (if one), the certificates named by number, and candidates."""

    kind: str  # uscc | number | name_exact | name_fuzzy | ambiguous | none
    organization_id: int | None = None
    score: int | None = None
    certificate_ids: list[int] = field(default_factory=list)  # certificates the row named by number
    candidates: list[tuple[int, int]] = field(default_factory=list)  # (organization id, score), best first
    notes: list[str] = field(default_factory=list)  # e.g. uscc_invalid, uscc_unknown, number_unknown


def _dice(a: str, b: str) -> int:
    if not a or not b:
        return 0
    if a == b:
        return 100
    ga, gb = name_bigrams(a) or {a}, name_bigrams(b) or {b}
    return round(200 * len(ga & gb) / (len(ga) + len(gb)))


def name_score(a: str, b: str) -> int:
    """Return how alike two normalized names are, 0–100: the Dice coefficient of their bigrams, whole or without
    the legal form ("…电子公司" and "…电子有限公司" are one company)."""
    return max(_dice(a, b), _dice(name_core(a), name_core(b)))


def name_core(search_name: str) -> str:
    """Return the distinctive part of a normalized name: without a common legal-form ending."""
    for form in LEGAL_FORMS:
        if search_name.endswith(form) and len(search_name) - len(form) >= 2:
            return search_name[: -len(form)].strip()
    return search_name


def _chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


def _orgs_by(session: Session, column, keys: set[str]) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {}
    for part in _chunks(sorted(keys)):
        stmt = select(column, Organization.id, Organization.search_name).where(
            column.in_(part), Organization.merged_into_id.is_(None)).order_by(Organization.id)
        for key, org_id, search_name in session.execute(stmt):
            out.setdefault(key, []).append((org_id, search_name))
    return out


def _certificates_by_number(session: Session, numbers: set[str]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for part in _chunks(sorted(numbers)):
        stmt = select(Certificate.number, Certificate.id, Certificate.organization_id).where(
            Certificate.number.in_(part)).order_by(Certificate.id)
        for number, cert_id, org_id in session.execute(stmt):
            out.setdefault(number, []).append((cert_id, org_id))
    return out


# One name's search as the public search runs it (`registry.search.matching_ids_select`, first `SEARCH_LIMIT`
# ids in id order), as an arm of a UNION ALL tagged with the name's index; written out so a statement of a
# hundred arms costs no compilation.
_ARMS = {
    "fts": "SELECT rowid AS id FROM organization_fts WHERE organization_fts MATCH :m{k} AND rowid > 0 "
           "ORDER BY rowid LIMIT {limit}",
    "bigram": "SELECT organization_id AS id FROM organization_name_gram WHERE gram = :m{k} AND organization_id > 0 "
              "ORDER BY organization_id LIMIT {limit}",
    "like": "SELECT id FROM organization WHERE search_name LIKE :m{k} ESCAPE '\\' AND id > 0 ORDER BY id LIMIT {limit}",
}


def _search_many(session: Session, cores: list[str]) -> dict[str, list[int]]:
    """Return the organization ids the public search finds for each name core (as `organization_ids_select`
    with `SEARCH_LIMIT` would, one by one), `SEARCH_BATCH` searches per statement."""
    arms: list[tuple[str, str]] = []
    params: dict[str, str] = {}
    for key, core in enumerate(cores):
        found = name_match(session, core) if len(core) >= 2 else None
        if found is not None:
            arms.append((f"SELECT {key} AS k, id FROM ({_ARMS[found[0]].format(k=key, limit=SEARCH_LIMIT)}) AS s{key}",
                         f"m{key}"))
            params[f"m{key}"] = found[1]
    out: dict[str, list[int]] = {core: [] for core in cores}
    for start in range(0, len(arms), SEARCH_BATCH):
        part = arms[start:start + SEARCH_BATCH]
        stmt = text(" UNION ALL ".join(sql for sql, _ in part))
        for key, org_id in session.execute(stmt, {name: params[name] for _, name in part}):
            out[cores[key]].append(org_id)
    return out


def fuzzy_candidates(session: Session, names: set[str]) -> dict[str, list[tuple[int, int]]]:
    """Return (organization id, score) candidates, best first, for normalized names with no exact match.

    Each name's distinctive core is searched like the public search; all cores in a few statements, and the
    names of every organization found in one set-wise read.
    """
    cores = {name: name_core(name) for name in names}
    found = _search_many(session, sorted(set(cores.values())))
    search_names: dict[int, str] = {}
    for part in _chunks(sorted({org_id for ids in found.values() for org_id in ids})):
        search_names.update(session.execute(select(Organization.id, Organization.search_name).where(
            Organization.id.in_(part), Organization.merged_into_id.is_(None))).all())
    out = {}
    for name, core in cores.items():
        scored = sorted(((org_id, name_score(name, search_names[org_id])) for org_id in found[core]
                         if org_id in search_names), key=lambda p: (-p[1], p[0]))
        out[name] = [c for c in scored if c[1] >= FUZZY_CONSIDER][:CANDIDATES]
    return out


def fuzzy_candidates_one(session: Session, name: str) -> list[tuple[int, int]]:
    """Return one name's candidates by the public search's own statement (the reference `fuzzy_candidates`
    agrees with; tests compare them)."""
    core = name_core(name)
    ids: list[int] = []
    stmt = organization_ids_select(session, core, limit=SEARCH_LIMIT)
    if stmt is not None and len(core) >= 2:
        ids = list(session.scalars(stmt))
    scored: list[tuple[int, int]] = []
    if ids:
        rows = session.execute(select(Organization.id, Organization.search_name).where(
            Organization.id.in_(ids), Organization.merged_into_id.is_(None)))
        scored = sorted(((org_id, name_score(name, other)) for org_id, other in rows), key=lambda p: (-p[1], p[0]))
    return [c for c in scored if c[1] >= FUZZY_CONSIDER][:CANDIDATES]


def match_rows(session: Session, wanted: list[Wanted]) -> list[Match]:
    """Return each row's match, in the order given (every kind of look-up set-wise, fuzzy names included)."""
    keys = [(normalize_uscc(w.uscc) if w.uscc.strip() else "", w.number.strip(),
             normalize_name(w.name) if w.name.strip() else "") for w in wanted]  # each row normalized once
    usccs = {k[0] for k in keys if k[0]}
    invalid = {uscc for uscc in usccs if uscc_malformed(uscc)}
    by_uscc = _orgs_by(session, Organization.uscc, usccs)
    by_number = _certificates_by_number(session, {k[1] for k in keys if k[1]})
    by_name = _orgs_by(session, Organization.search_name, {k[2] for k in keys if k[2]})
    exact = [_match_exact(*k, invalid, by_uscc, by_number, by_name) for k in keys]
    fuzzy = fuzzy_candidates(session, {m[0] for m in exact if isinstance(m, tuple)})
    return [m if isinstance(m, Match) else _match_fuzzy(fuzzy[m[0]], m[1]) for m in exact]


def _match_exact(uscc: str, number: str, name: str, invalid: set[str], by_uscc, by_number,
                 by_name) -> Match | tuple[str, list[str]]:
    """Return a row's match by its exact keys (normalized), or (its name, notes so far) for the fuzzy search."""
    notes: list[str] = []
    if uscc:
        if uscc in invalid:
            notes.append("uscc_invalid")
        elif uscc in by_uscc:
            return Match("uscc", by_uscc[uscc][0][0], 100, notes=notes)
        else:
            notes.append("uscc_unknown")
    if number:
        found = by_number.get(number, [])
        holders = sorted({org_id for _, org_id in found})
        if len(holders) == 1:
            return Match("number", holders[0], 100, [cert_id for cert_id, _ in found], notes=notes)
        if len(holders) > 1:
            return Match("ambiguous", None, None, [cert_id for cert_id, _ in found],
                         [(org_id, 100) for org_id in holders], notes + ["number_several_holders"])
        notes.append("number_unknown")
    if not name:
        return Match("none", notes=notes or ["nothing_to_match"])
    exact = by_name.get(name, [])
    if len(exact) == 1:
        return Match("name_exact", exact[0][0], 100, notes=notes)
    if len(exact) > 1:
        return Match("ambiguous", candidates=[(org_id, 100) for org_id, _ in exact][:CANDIDATES],
                     notes=notes + ["name_several"])
    return name, notes


def _match_fuzzy(candidates: list[tuple[int, int]], notes: list[str]) -> Match:
    """Return a row's match from its name's candidates."""
    if not candidates:
        return Match("none", notes=notes)
    best = candidates[0]
    runner_up = candidates[1][1] if len(candidates) > 1 else 0
    if best[1] >= FUZZY_ACCEPT and best[1] - runner_up >= FUZZY_LEAD:
        return Match("name_fuzzy", best[0], best[1], candidates=candidates, notes=notes)
    if best[1] >= FUZZY_ACCEPT or (runner_up and best[1] - runner_up < FUZZY_LEAD and best[1] >= 70):
        return Match("ambiguous", candidates=candidates, notes=notes)
    return Match("none", candidates=candidates, notes=notes)
