"""The practice's stored logo as an image a PDF embeds, prepared once per process per logo.

Stored logos are Pillow's own re-encodings (shared.groups.logo), so reading them back is
safe. A JPEG goes into the PDF as it is (DCTDecode); a PNG's pixels are Flate-compressed,
its transparency, if any, as a soft mask — so a logo on a transparent background prints
on white paper without a black box.
"""

from __future__ import annotations

import io
import zlib
from collections import OrderedDict

from shared.invoicing.pdf_canvas import PdfImage

_PREPARED: OrderedDict[str, PdfImage] = OrderedDict()
_KEEP = 32  # logos of the practices a worker renders for


def logo_image(content: bytes, media_type: str, sha256: str) -> PdfImage:
    image = _PREPARED.get(sha256)
    if image is None:
        image = _PREPARED[sha256] = _prepare(content, media_type, sha256)
        if len(_PREPARED) > _KEEP:
            _PREPARED.popitem(last=False)
    else:
        _PREPARED.move_to_end(sha256)
    return image


def _prepare(content: bytes, media_type: str, key: str) -> PdfImage:
    from PIL import Image  # only processes that print a logo pay for the import

    with Image.open(io.BytesIO(content)) as picture:
        picture.load()
        if media_type == "image/jpeg":
            space = b"DeviceGray" if picture.mode == "L" else b"DeviceRGB"
            return PdfImage(key, picture.width, picture.height, space, b"DCTDecode", content)
        alpha = None
        if picture.mode in ("RGBA", "LA"):
            mask = picture.getchannel("A")
            if mask.getextrema() != (255, 255):  # wholly opaque: no mask needed
                alpha = zlib.compress(mask.tobytes(), 6)
        gray = picture.mode in ("L", "LA")
        pixels = picture.convert("L" if gray else "RGB").tobytes()
        space = b"DeviceGray" if gray else b"DeviceRGB"
        return PdfImage(key, picture.width, picture.height, space, b"FlateDecode", zlib.compress(pixels, 6), alpha)
