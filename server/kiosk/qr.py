"""QR codes of status pages, drawn by Loket itself (the ``qrcode`` library, SVG)."""

from __future__ import annotations

from functools import lru_cache

import qrcode
import qrcode.image.svg


@lru_cache(maxsize=256)
def qr_svg(data: str) -> bytes:
    """An SVG QR code of ``data`` (error correction M, quiet zone of 2 modules)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image()
    return bytes(image.to_string())
