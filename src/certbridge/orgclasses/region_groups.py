"""The four economic regions of the National Bureau of Statistics (东部、中部、西部、东北), by province code, as data.

中西部 (central and western) is the grouping of the policy texts (引导中西部企业获得认证).
"""

from __future__ import annotations

REGION_GROUPS = {
    "east": ("东部", "Eastern", ("11", "12", "13", "31", "32", "33", "35", "37", "44", "46")),
    "central": ("中部", "Central", ("14", "34", "36", "41", "42", "43")),
    "west": ("西部", "Western", ("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65")),
    "northeast": ("东北", "Northeast", ("21", "22", "23")),
}
CENTRAL_WESTERN = frozenset({"central", "west"})
_BY_PROVINCE = {p: group for group, (_zh, _en, provinces) in REGION_GROUPS.items() for p in provinces}


def region_group(region_code: str | None) -> str | None:
    """Return east|central|west|northeast for a GB/T 2260 code (None for HK, Macao, Taiwan or no code)."""
    return _BY_PROVINCE.get((region_code or "")[:2]) if region_code else None
