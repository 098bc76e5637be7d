"""The one-page PDF of a receipt: the statement for people, the signed JSON inside for machines.

Chinese text needs a CJK font. fpdf2 reads TrueType collections, so Debian's fonts-noto-cjk
(/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc, Simplified Chinese face) is used, with a few
other common system CJK fonts as fallbacks.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from fpdf import FPDF

from certbridge.credentials.qr import qr_png
from certbridge.i18n.catalog import render
from certbridge.kit.local_time import show_time

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


class FontMissing(RuntimeError):
    """No CJK font is installed; the receipt PDF cannot render Chinese."""


@cache
def cjk_font() -> tuple[str, int]:
    """Return (path, face index) of an installed CJK font, preferring a Simplified Chinese face."""
    from fontTools.ttLib import TTCollection

    for candidate in FONT_CANDIDATES:
        path = Path(candidate)
        if not path.exists():
            continue
        if path.suffix != ".ttc":
            return str(path), 0
        faces = [f["name"].getDebugName(4) or "" for f in TTCollection(str(path), lazy=True).fonts]
        index = next((i for i, n in enumerate(faces) if n.endswith(" SC") and "Mono" not in n), 0)
        return str(path), index
    raise FontMissing("no CJK font found; install the Debian package fonts-noto-cjk")


def _label(pdf: FPDF, code: str, value: str) -> None:
    pdf.set_font("cjk", size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(48, 7, f"{render(code, 'zh')} {render(code, 'en')}")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(0, 7, value or "—", align="L", new_x="LMARGIN", new_y="NEXT")


def header_line(receipt: dict[str, Any]) -> str:
    """Return the line under the title: the issuer and when the receipt was made, in China Standard Time."""
    return f"{receipt['issuer']} · {show_time(receipt['issued_at'], seconds=True)}"


def render_receipt_pdf(receipt: dict[str, Any]) -> bytes:
    """Lay out a receipt on one A4 page and embed its JSON."""
    path, index = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(18, 16, 18)
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    pdf.set_title("Certificate verification receipt")
    pdf.set_creator("certbridge")
    pdf.add_page()
    cert = receipt["certificate"]

    pdf.set_font("cjk", size=18)
    pdf.cell(0, 10, render("receipt.pdf.title", "zh"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 6, render("receipt.pdf.title", "en"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 6, header_line(receipt), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(qr_png(receipt["verify_url"], scale=4)), x=158, y=12, w=36, h=36)
    pdf.set_xy(150, 49)
    pdf.set_font("cjk", size=7)
    pdf.multi_cell(50, 3.5, render("receipt.pdf.scan", "zh") + "\n" + render("receipt.pdf.scan", "en"), align="C")

    valid = bool(cert.get("valid"))
    pdf.set_xy(18, 38)
    pdf.set_fill_color(*((22, 128, 61) if valid else (185, 28, 28)))
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("cjk", size=15)
    status_zh, status_en = render(f"status.{cert['status']}", "zh"), render(f"status.{cert['status']}", "en")
    verdict = "receipt.pdf.valid" if valid else "receipt.pdf.not_valid"
    pdf.cell(125, 12, f"  {render(verdict, 'zh', status=status_zh)}   {render(verdict, 'en', status=status_en)}",
             fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(8)

    _label(pdf, "receipt.pdf.number", cert["number"])
    _label(pdf, "receipt.pdf.body", f"{cert['body']['name']}（{cert['body']['code']}，{cert['body']['approval_number']}）")
    _label(pdf, "receipt.pdf.holder", cert["holder"]["name"])
    _label(pdf, "receipt.pdf.uscc", cert["holder"].get("uscc") or "")
    _label(pdf, "receipt.pdf.scheme", cert["scheme"])
    _label(pdf, "receipt.pdf.validity", f"{cert['issued_on']} — {cert['expires_on']}")
    _label(pdf, "receipt.pdf.status", f"{status_zh} {status_en}")
    accreditation = cert.get("accreditation")
    if accreditation:  # issued under accreditation: the body, its number, and the MLA label (receipt_accreditation)
        _label(pdf, "receipt.pdf.accreditation",
               f"{accreditation['body_name']}（{accreditation['body']}，{accreditation['number'] or '—'}）\n"
               f"{accreditation['label']['zh']}\n{accreditation['label']['en']}")
    for reason in cert.get("reasons") or []:  # the verdict's reasons and warnings (docs/effective-status.md)
        pdf.set_font("cjk", size=8.5)
        texts = [render(f"effective.{reason['code']}", lang, **reason.get("params", {})) for lang in ("zh", "en")]
        pdf.multi_cell(0, 4.5, "※ " + " / ".join(texts), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("cjk", size=10.5)
    pdf.multi_cell(0, 6, receipt["statement"]["zh"], align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.multi_cell(0, 6, receipt["statement"]["en"], align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    lines = receipt["checkpoint"].split("\n")
    cosigs = sum(1 for line in lines[4:] if line.startswith("\u2014")) - 1
    evidence = [
        ("receipt.pdf.log", f"{lines[0]} · size {receipt['tree_size']} · root {lines[2]}"),
        ("receipt.pdf.events", ", ".join(str(e["seq"]) for e in receipt["events"])),
        ("receipt.pdf.witnesses", str(max(cosigs, 0))),
        ("receipt.pdf.credential_key", receipt["keys"]["credential"]),
        ("receipt.pdf.signature", receipt["signature"]["value"]),
    ]
    for code, value in evidence:
        pdf.set_font("cjk", size=8)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(0, 5, f"{render(code, 'zh')} {render(code, 'en')}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, 4, value, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-44)
    pdf.set_draw_color(180, 180, 180)
    pdf.line(18, pdf.get_y(), 192, pdf.get_y())
    pdf.ln(2)
    pdf.set_font("cjk", size=8)
    pdf.multi_cell(0, 4.2, render("receipt.pdf.howto", "zh") + "\n" + render("receipt.pdf.howto", "en"),
                   align="L", new_x="LMARGIN", new_y="NEXT")
    data = json.dumps(receipt, ensure_ascii=False, indent=1).encode("utf-8")
    pdf.embed_file(bytes=data, basename="receipt.json", mime_type="application/json",
                   desc="Signed verification receipt (certbridge-receipt/v1)", compress=False)
    return bytes(pdf.output())
