"""Checking an uploaded logo and turning it into the image invoices print.

An upload is untrusted bytes. It is accepted only if its content (not its name or
Content-Type) is PNG or JPEG, it is at most MAX_LOGO_BYTES, its declared size is sane
(read from the header before any pixel is decoded, so a "PNG bomb" — a tiny file that
claims 50,000 × 50,000 pixels — is refused without being inflated), and Pillow decodes it
whole. What is stored is Pillow's re-encoding of the decoded pixels, scaled down to what
an invoice header needs: no metadata (EXIF, GPS, comments), no trailing bytes, nothing of
the original file but its picture — so a hostile file cannot reach the PDF renderer.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from shared.errors import TooLarge, ValidationFailed

MAX_LOGO_BYTES = 512 * 1024
MIN_SIDE, MAX_SIDE = 16, 4096  # pixels, as uploaded
MAX_PIXELS = 16_000_000
# Stored (and printed) at most this big: the header shows a logo up to 160 × 56 pt, so this
# is ~270 dpi at full width — sharp on paper, and a few KB in every PDF.
STORED_BOX = (600, 240)

_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
_MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True)
class CheckedLogo:
    content: bytes
    media_type: str
    width: int
    height: int
    sha256: str


def _refuse(code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, param="logo")


def check_logo(data: bytes) -> CheckedLogo:
    """The logo to store, or a 413/422 saying what is wrong with the upload."""
    if len(data) > MAX_LOGO_BYTES:
        raise TooLarge(
            f"The logo is {len(data):,} bytes; the most is {MAX_LOGO_BYTES:,} (512 KB).",
            code="logo_too_large",
            param="logo",
        )
    kind = next((fmt for sig, fmt in _SIGNATURES.items() if data.startswith(sig)), None)
    if kind is None:
        raise _refuse("logo_not_png_or_jpeg", "The logo must be a PNG or JPEG image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            width, height = image.size  # from the header: nothing decoded yet
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE) or width * height > MAX_PIXELS:
                raise _refuse(
                    "logo_dimensions",
                    f"The logo is {width} × {height} pixels; each side must be {MIN_SIDE} to {MAX_SIDE} pixels.",
                )
            image.load()
            return _normalised(image, kind)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("logo_dimensions", "The logo has too many pixels.") from None
    except Exception:
        # Truncated, corrupt or crafted data: Pillow raises OSError, SyntaxError, ValueError, struct.error …
        raise _refuse("logo_unreadable", f"The logo is not a readable {kind} image.") from None


def _normalised(image: Image.Image, kind: str) -> CheckedLogo:
    if kind == "JPEG":
        image = ImageOps.exif_transpose(image)  # printed the way the camera meant, then its EXIF is gone
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind == "PNG" and transparent:
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail(STORED_BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "PNG":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=90)
    content = out.getvalue()
    return CheckedLogo(content, _MEDIA_TYPES[kind], image.width, image.height, hashlib.sha256(content).hexdigest())
