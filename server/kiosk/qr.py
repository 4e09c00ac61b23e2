"""QR codes of status pages, drawn by Loket itself (the ``qrcode`` library, SVG).

``qrcode`` (and Pillow, which it imports) is imported at the first QR code drawn, not when the
hub starts: 4 MB of a serving hub's memory that a hall whose tickets come only through the API
or printed receipts never uses (docs/benchmarks.md, "Hub: faster", third pass)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
def qr_svg(data: str) -> bytes:
    """An SVG QR code of ``data`` (error correction M, quiet zone of 2 modules)."""
    import qrcode
    import qrcode.image.svg

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image()
    return bytes(image.to_string())
