"""The delta rows one holder contributes (pure): its certificates' runs, placed where it was registered.

A holder is an organization identity (merged records followed to the one they merged into). Its registered
region is dated: the region its events gave it from the day of each event. Each valid run of each of its
certificates is cut at the holder's region changes and counted +1 on its first day and -1 on the day after,
in the region and every region above it (up to the nation, "000000"), under every dimension. The holder itself
counts once per region, dimension and value while at least one of its certificates there is valid: the
union of those runs. Status changes (suspended, withdrawn, expired, cancelled) and issues count on their day.
A change to some certificates of a holder is applied as `change_rows`: their own rows and the organization
figures they touch, never the holder's whole contribution (`holder_rows`, for a holder that moved or merged).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

from certbridge.stats.timeline import STATUS_FLOWS

NATION = "000000"
UNKNOWN_REGION = "unknown"  # a holder with no (or no longer known) region: a child of the nation
FOREVER = "9999-12-31"
ORIGIN = "0001-01-01"
# Dimensions every figure is kept under; "all" is the plain total. A new dimension (size class, sector …)
# adds its name here and its value in timeline.certificate_dimensions (or HOLDER_DIMENSIONS for holder facts).
DIMENSIONS = ("all", "scheme", "type", "standard", "body", "industry")
HOLDER_DIMENSIONS = ("industry",)
MEASURES = ("certificates", "organizations", "issued") + STATUS_FLOWS

Row = tuple[str, str, str, str, str]  # measure, region, dim, value, day
STOCKS = ("certificates", "organizations")  # figures held on a day (the others are counted over a period)
# Which figures are kept as daily delta rows (`stats_delta`), by the depth of the region in its chain (0 the nation,
# 1 a province, 2 a city, 3 a county): every figure's total (dimension "all") down to the cities — the valid
# certificates' and certified organizations' down to the counties (a city's drill-down and a county's key figures
# are then range sums, not a count of the region's whole register: 0019statsyear) — and the valid certificates and
# certified organizations by scheme, type, standard, body and industry down to the provinces.
# Every other figure — a county's, a city's tables, a period count by dimension — is counted on the date from the
# places' rows (`place_rows`, `stats_span`), bounded by the region's own certificates or the period's events.
ALL_DELTA_DEPTHS = 3  # depths whose totals are kept as deltas
STOCK_ALL_DELTA_DEPTHS = 4  # depths whose valid certificates and organizations (totals) are: down to the counties
STOCK_DELTA_DEPTHS = 2  # depths whose valid certificates and organizations by dimension are kept as deltas
# A dimension's column in `stats_span` ("type" is a word SQL keeps for itself).
SPAN_COLUMNS = {"scheme": "scheme", "type": "cert_type", "standard": "standard", "body": "body",
                "industry": "industry"}
Span = tuple[str, str, str | None, str, tuple[str, ...]]  # measure, start, until (valid runs), chain, dim values


def kept_as_delta(depth: int, dim: str, measure: str) -> bool:
    """Tell whether a figure of a region at this depth (0 the nation) under this dimension is a stored delta sum."""
    if dim == "all":
        return depth < (STOCK_ALL_DELTA_DEPTHS if measure in STOCKS else ALL_DELTA_DEPTHS)
    return depth < STOCK_DELTA_DEPTHS and measure in STOCKS


def place_rows(cert: dict[str, Any], places: list[tuple[str, str | None]], holder_dims: dict[str, str],
               chain_of: Callable[[str | None], str]) -> list[Span]:
    """Return what one certificate counts at its holder's places: each valid run cut at the holder's moves, its issue
    and each status change, with the place's region chain and the value of every dimension (SPAN_COLUMNS' order)."""
    places = places or [(ORIGIN, None)]
    facts = {**cert["dims"], **holder_dims}
    values = tuple(facts.get(dim, "") for dim in SPAN_COLUMNS)
    out: list[Span] = []
    for span in valid_spans(cert["runs"]):
        out.extend(("valid", lo, hi, chain_of(region), values) for lo, hi, region in cut_by_region(span, places))
    flows = [(cert["issued_on"], "issued")] if cert.get("issued_on") else []
    flows += [(start, label) for start, label in cert["runs"] if label in STATUS_FLOWS and start]
    out.extend((measure, day, None, chain_of(region_at(places, day)), values) for day, measure in flows)
    return out


def valid_spans(runs: list[list]) -> list[tuple[str, str]]:
    """Return the [first, after-last) day spans of the valid runs, ISO text (open ends as ORIGIN / FOREVER)."""
    spans = []
    for i, (start, label) in enumerate(runs):
        if label == "valid":
            end = runs[i + 1][0] if i + 1 < len(runs) else FOREVER
            spans.append((start or ORIGIN, end))
    return spans


def cut_by_region(span: tuple[str, str], places: list[tuple[str, str | None]]) -> list[tuple[str, str, str | None]]:
    """Return the parts of a span in each dated region [(from, region), ...] (first from is ORIGIN)."""
    out = []
    for i, (since, region) in enumerate(places):
        until = places[i + 1][0] if i + 1 < len(places) else FOREVER
        lo, hi = max(span[0], since), min(span[1], until)
        if lo < hi:
            out.append((lo, hi, region))
    return out


def region_at(places: list[tuple[str, str | None]], day: str) -> str | None:
    """Return the holder's region on a day."""
    found = places[0][1] if places else None
    for since, region in places:
        if since <= day:
            found = region
    return found


def certificate_rows(cert: dict[str, Any], places: list[tuple[str, str | None]], holder_dims: dict[str, str],
                     ancestors: Callable[[str | None], list[str]], flow_dims: bool = True) -> dict[Row, int]:
    """Return the rows one certificate adds on its own: its valid runs, its issue and status changes (those under
    the total only, without `flow_dims`: the fold stores no period count by dimension as deltas)."""
    rows: dict[Row, int] = defaultdict(int)
    places = places or [(ORIGIN, None)]
    values = [("all", ""), *cert["dims"].items(), *holder_dims.items()]
    for span in valid_spans(cert["runs"]):
        for lo, hi, region in cut_by_region(span, places):
            for key in ancestors(region):
                for dim, value in values:
                    rows["certificates", key, dim, value, lo] += 1
                    if hi != FOREVER:
                        rows["certificates", key, dim, value, hi] -= 1
    flows = [(cert["issued_on"], "issued")] if cert.get("issued_on") else []
    flows += [(start, label) for start, label in cert["runs"] if label in STATUS_FLOWS and start]
    for day, measure in flows:
        for key in ancestors(region_at(places, day)):
            for dim, value in values if flow_dims else values[:1]:
                rows[measure, key, dim, value, day] += 1
    return rows


def organization_keys(cert: dict[str, Any], places: list[tuple[str, str | None]], holder_dims: dict[str, str],
                      ancestors: Callable[[str | None], list[str]]) -> set[tuple[str, str, str]]:
    """Return the (region, dim, value) figures of organizations a certificate's valid runs count its holder in."""
    places = places or [(ORIGIN, None)]
    values = [("all", ""), *cert["dims"].items(), *holder_dims.items()]
    return {(key, dim, value) for span in valid_spans(cert["runs"]) for _lo, _hi, region in cut_by_region(span, places)
            for key in ancestors(region) for dim, value in values}


def organization_rows(certificates: list[dict[str, Any]], places: list[tuple[str, str | None]],
                      holder_dims: dict[str, str], ancestors: Callable[[str | None], list[str]],
                      keys: set[tuple[str, str, str]] | None = None) -> dict[Row, int]:
    """Return the holder's rows of organizations (only for the figures in `keys` when given): it counts once per
    region, dimension and value while at least one of its certificates there is valid — the union of their runs."""
    rows: dict[Row, int] = defaultdict(int)
    places = places or [(ORIGIN, None)]
    org_edges: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cert in certificates:
        values = [("all", ""), *cert["dims"].items(), *holder_dims.items()]
        for span in valid_spans(cert["runs"]):
            for lo, hi, region in cut_by_region(span, places):
                for key in ancestors(region):
                    for dim, value in values:
                        if keys is not None and (key, dim, value) not in keys:
                            continue
                        org_edges[key, dim, value][lo] += 1
                        if hi != FOREVER:
                            org_edges[key, dim, value][hi] -= 1
    for (key, dim, value), edges in org_edges.items():
        running = 0
        for day in sorted(edges):
            after = running + edges[day]
            if running == 0 and after > 0:
                rows["organizations", key, dim, value, day] += 1
            elif running > 0 and after == 0:
                rows["organizations", key, dim, value, day] -= 1
            running = after
    return rows


def holder_rows(certificates: list[dict[str, Any]], places: list[tuple[str, str | None]],
                holder_dims: dict[str, str], ancestors: Callable[[str | None], list[str]],
                flow_dims: bool = True) -> dict[Row, int]:
    """Return the delta rows a holder contributes: {(measure, region, dim, value, day): delta}."""
    rows: dict[Row, int] = defaultdict(int)
    for cert in certificates:
        for key, n in certificate_rows(cert, places, holder_dims, ancestors, flow_dims).items():
            rows[key] += n
    for key, n in organization_rows(certificates, places, holder_dims, ancestors).items():
        rows[key] += n
    return {k: v for k, v in rows.items() if v}


def change_rows(before: list[dict[str, Any]], after: list[dict[str, Any]], others: list[dict[str, Any]],
                places: list[tuple[str, str | None]], holder_dims: dict[str, str],
                ancestors: Callable[[str | None], list[str]], flow_dims: bool = True) -> dict[Row, int]:
    """Return what to add to a holder's rows when some of its certificates fold `before` → `after` (its places and
    holder facts unchanged): their own rows' difference, and the organization figures they touch, recounted with
    the holder's `others` — work in proportion to the change, not to what the holder contributes."""
    out: dict[Row, int] = defaultdict(int)
    keys: set[tuple[str, str, str]] = set()
    for sign, certs in ((-1, before), (1, after)):
        for cert in certs:
            for key, n in certificate_rows(cert, places, holder_dims, ancestors, flow_dims).items():
                out[key] += sign * n
            keys |= organization_keys(cert, places, holder_dims, ancestors)
    if keys:
        for sign, certs in ((-1, before), (1, after)):
            for key, n in organization_rows(others + certs, places, holder_dims, ancestors, keys).items():
                out[key] += sign * n
    return {k: v for k, v in out.items() if v}


def difference(old: dict[Row, int], new: dict[Row, int]) -> dict[Row, int]:
    """Return what to add to the stored deltas to replace `old` contributions with `new` ones."""
    out = dict(new)
    for key, value in old.items():
        out[key] = out.get(key, 0) - value
    return {k: v for k, v in out.items() if v}
