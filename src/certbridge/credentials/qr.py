"""QR codes of verification URLs, as SVG (for pages and print) and PNG (for everything else)."""

from __future__ import annotations

import io

import segno

# Level M survives a scuffed or partly covered print (15 % of the code) at a modest size.
ERROR_LEVEL = "m"


def qr_svg(text: str, *, scale: int = 4, border: int = 4) -> str:
    """Return an SVG document of a QR code for the text (dark modules on a white background)."""
    code = segno.make(text, error=ERROR_LEVEL, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, border=border, light="#fff", xmldecl=False,
              svgclass=None, lineclass=None, title="QR")
    return out.getvalue().decode("utf-8")


def qr_png(text: str, *, scale: int = 6, border: int = 4, error: str = ERROR_LEVEL) -> bytes:
    """Return a PNG image of a QR code for the text (error level L for the largest payloads: stapled proofs)."""
    code = segno.make(text, error=error, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=border, light="#fff")
    return out.getvalue()
