"""ISO standard names as IAF CertSearch and buyers write them, and the Chinese standards identical to them.

A CB abroad writes "ISO 9001:2015"; its Chinese counterpart is GB/T 19001-2016 (IDT). Both name the same
requirement, so a buyer asking for either finds certificates to the other, and an IAF file's standard is read
into the scheme and standard this registry knows. Only identical (IDT) adoptions are listed.
"""

from __future__ import annotations

import re
import unicodedata

# (ISO name, year) ↔ (GB name, year), scheme code. Sources: the GB standards' forewords (等同采用 / IDT).
EQUIVALENTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("ISO 9001", "2015", "GB/T 19001", "2016", "QMS"),
    ("ISO 14001", "2015", "GB/T 24001", "2016", "EMS"),
    ("ISO 45001", "2018", "GB/T 45001", "2020", "OHSMS"),
    ("ISO 22000", "2005", "GB/T 22000", "2006", "FSMS"),
    ("ISO/IEC 27001", "2013", "GB/T 22080", "2016", "ISMS"),
    ("ISO/IEC 27001", "2022", "GB/T 22080", "2025", "ISMS"),
    ("ISO/IEC 20000-1", "2005", "GB/T 24405.1", "2009", "ITSMS"),
    ("ISO 50001", "2018", "GB/T 23331", "2020", "ENMS"),
    ("ISO 10012", "2003", "GB/T 19022", "2003", "MMS"),
)
_SPLIT = re.compile(r"^(?P<code>.+?)\s*[:：\-—]\s*(?P<year>(19|20)\d{2})$")


def parse_standard(text: str) -> tuple[str, str | None]:
    """Return (code, year or None) of a standard as typed: "ISO 9001:2015", "GB/T19001-2016", "iso 9001"."""
    text = unicodedata.normalize("NFKC", text or "").strip().upper().replace("GB/T", "GB/T ")
    text = re.sub(r"\s+", " ", text).replace("GB/T  ", "GB/T ")
    text = re.sub(r"^(ISO|IEC|ISO/IEC|GB|GB/T)\s*(?=\d)", lambda m: m.group(1) + " ", text)
    found = _SPLIT.match(text)
    if found:
        return found.group("code").strip(), found.group("year")
    return text, None


def equivalent_names(text: str) -> set[tuple[str, str | None]]:
    """Return every (code, year) that names the same requirement as a standard as typed (year None: any)."""
    code, year = parse_standard(text)
    if not code:
        return set()
    names = {(code, year)}
    for iso, iso_year, gb, gb_year, _ in EQUIVALENTS:
        if (code == iso and year in (None, iso_year)) or (code == gb and year in (None, gb_year)):
            names |= {(iso, iso_year if year else None), (gb, gb_year if year else None)}
    return names


def standard_matches(required: str, certificate_standard: str | None) -> bool:
    """Tell whether a certificate's standard ("GB/T 19001-2016") meets a required one as typed (any edition if
    no year is given)."""
    if not required.strip():
        return True
    if not certificate_standard:
        return False
    have = equivalent_names(certificate_standard)
    for code, year in equivalent_names(required):
        if any(code == c and (year is None or year == y) for c, y in have):
            return True
    return False


def chinese_standard(text: str) -> tuple[str, str, str] | None:
    """Return (GB code, version, scheme) identical to an ISO standard as typed, or None if it is not listed."""
    code, year = parse_standard(text)
    for iso, iso_year, gb, gb_year, scheme in EQUIVALENTS:
        if code in (iso, gb) and year in (None, iso_year, gb_year):
            if year is None and code == iso and iso_year != max(y for i, y, *_ in EQUIVALENTS if i == iso):
                continue  # no year: the newest edition
            return gb, gb_year, scheme
    return None


def iso_standard(gb_code: str, version: str) -> str | None:
    """Return the ISO name ("ISO 9001:2015") identical to a Chinese standard, or None."""
    for iso, iso_year, gb, gb_year, _ in EQUIVALENTS:
        if gb == gb_code and gb_year == version:
            return f"{iso}:{iso_year}"
    return None
