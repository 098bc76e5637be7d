"""Turn console forms into the service inputs (CertificateIn, AuditIn, SiteIn), and back into form values."""

from __future__ import annotations

import re
from typing import Any

from certbridge.web.forms import text
from certbridge.web.i18n import N_, gettext

SITE_ROWS = 2
MAX_SITE_ROWS = 50
PRODUCT_FIELDS = ("name", "model", "specification", "trademark", "manufacturer", "factory")
LABELS = {
    "number": N_("Certificate number"), "scheme": N_("Scheme"), "standard": N_("Standard"),
    "issued_on": N_("Issued on"), "expires_on": N_("Valid until"), "certification_mode": N_("Certification mode"),
    "grade": N_("Grade or sector variant"), "holder.name": N_("Holder name"), "holder.uscc": N_("Unified social credit code"),
    "holder.address": N_("Holder address"), "holder.region_code": N_("Region code"),
    "scope": N_("Scope"), "scope_en": N_("Scope (English)"), "product": N_("Product"),
    "product.name": N_("Product name"), "product.model": N_("Model"), "product.specification": N_("Specification"),
    "product.trademark": N_("Trademark"), "product.manufacturer": N_("Manufacturer"), "product.factory": N_("Factory"),
    "audits[0].kind": N_("Audit type"), "audits[0].method": N_("Audit method"),
    "audits[0].start_on": N_("Audit start date"), "audits[0].end_on": N_("Audit end date"),
    "audits[0].auditors": N_("Auditor registration numbers"), "reason": N_("Reason"), "on": N_("Effective date"),
    "until": N_("Suspended until"), "cause": N_("Cause"),
}
SITE_LABELS = {"name": N_("Site name"), "address": N_("Site address"), "region_code": N_("Region code"),
               "scope": N_("Site scope")}
# Where a problem raised without a field belongs on the form, by its code's prefix.
CODE_FIELDS = {"auditor.": "audits[0].auditors", "person.registration": "audits[0].auditors",
               "audit.": "audits[0].auditors", "standard.": "standard", "certificate.number": "number",
               "holder.": "holder.uscc", "certificate.suspension": "until", "certificate.past_expiry": "on",
               "certificate.not_yet_expired": "on"}
# Where the services name a field differently from the form.
ALIASES = {"auditors": "audits[0].auditors", "audits[0].auditors": "audits[0].auditors", "standard_code": "standard",
           "standard_version": "standard", "certificate_id": "", "audits": "audits[0].auditors"}


def labels(lang: str, site_rows: int = SITE_ROWS) -> dict[str, str]:
    """Return form field name → label in a language (site rows numbered)."""
    out = {name: gettext(lang, label) for name, label in LABELS.items()}
    for i in range(site_rows):
        for key, label in SITE_LABELS.items():
            out[f"sites[{i}].{key}"] = f"{gettext(lang, label)} {i + 1}"
    return out


def site_rows(form: Any) -> int:
    """Return how many site rows the form had (one more when the user asked for another row)."""
    try:
        rows = int(text(form, "site_rows") or SITE_ROWS)
    except ValueError:
        rows = SITE_ROWS
    if form.get("add_site"):
        rows += 1
    return max(1, min(rows, MAX_SITE_ROWS))


def split_numbers(value: str) -> list[str]:
    """Split auditor registration numbers typed one per line or separated by commas or semicolons."""
    return [n.strip().upper() for n in re.split(r"[\s,;，；、]+", value or "") if n.strip()]


def sites_from_form(form: Any, rows: int) -> list[dict[str, Any]]:
    """Return the non-blank site rows."""
    sites = []
    for i in range(rows):
        site = {key: text(form, f"sites[{i}].{key}") or None for key in SITE_LABELS}
        if any(site.values()):
            sites.append({"name": site["name"] or "", "address": site["address"] or "",
                          "region_code": site["region_code"], "scope": site["scope"]})
    return sites


def audit_from_form(form: Any, prefix: str = "audits[0].") -> dict[str, Any] | None:
    """Return the audit typed on a form, or None when its fields were left blank."""
    start, end, numbers = text(form, prefix + "start_on"), text(form, prefix + "end_on"), \
        split_numbers(text(form, prefix + "auditors"))
    if not (start or end or numbers):
        return None
    return {"kind": text(form, prefix + "kind") or "initial", "method": text(form, prefix + "method") or "FS01",
            "start_on": start or None, "end_on": end or start or None,
            "auditors": [{"registration_number": n, "role": "leader" if i == 0 else "member"}
                         for i, n in enumerate(numbers)]}


def draft_from_form(form: Any, rows: int) -> dict[str, Any]:
    """Return the issue form as a CertificateIn-shaped dict (validated by the caller)."""
    standard_code, _, standard_version = text(form, "standard").partition("|")
    draft: dict[str, Any] = {
        "number": text(form, "number").upper(), "scheme": text(form, "scheme"),
        "standard_code": standard_code or None, "standard_version": standard_version or None,
        "holder": {"name": text(form, "holder.name"), "uscc": text(form, "holder.uscc").upper() or None,
                   "address": text(form, "holder.address") or None,
                   "region_code": text(form, "holder.region_code") or None},
        "scope": text(form, "scope"), "scope_en": text(form, "scope_en") or None,
        "certification_mode": text(form, "certification_mode") or None,
        "grade": text(form, "grade") or None,
        "issued_on": text(form, "issued_on") or None, "expires_on": text(form, "expires_on") or None,
        "sites": sites_from_form(form, rows),
    }
    product = {key: text(form, f"product.{key}") or None for key in PRODUCT_FIELDS}
    if any(product.values()):
        product["name"] = product["name"] or ""
        draft["product"] = product
    audit = audit_from_form(form)
    draft["audits"] = [audit] if audit else []
    return drop_blank_required(draft)


def drop_blank_required(draft: dict[str, Any]) -> dict[str, Any]:
    """Leave out blank dates so validation says "required" rather than "not a date"."""
    for key in ("issued_on", "expires_on"):
        if draft.get(key) is None:
            draft.pop(key, None)
    for audit in draft.get("audits", []):
        for key in ("start_on", "end_on"):
            if audit.get(key) is None:
                audit.pop(key, None)
    return draft


def form_values(form: Any) -> dict[str, str]:
    """Return every posted text field, to refill the form after an error."""
    return {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}
