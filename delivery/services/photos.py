"""Photos taken by couriers (README "Proof photos"): the one way in, out and away.

Every photo, whichever path it came in by (the courier app's form, the offline
queue's replay), is decoded and re-encoded here as a plain JPEG, so what is stored is
pixels and nothing else: no HTML or script riding in a polyglot file, no EXIF (and no
GPS). The declared pixel count is checked before anything is decoded (decompression
bombs). The JPEG is then encrypted (delivery.crypto) and stored under a name the
server chooses; the uploaded name and type are never used.
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from delivery.crypto import decrypt, encrypt
from delivery.errors import DomainError

# Formats phones produce; other decoders (and their bugs) are never reached.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_QUALITY = 85


class PhotoRejected(DomainError):
    """The upload is not a photo this service stores."""


def photo_reencode(upload: File[Any]) -> bytes:
    """Decode an uploaded photo and re-encode it as a plain JPEG, or refuse it."""
    if upload.size is not None and upload.size > settings.PROOF_PHOTO_MAX_BYTES:
        raise PhotoRejected(_("The photo is too large."))
    upload.seek(0)
    try:
        # Pillow's own bomb warning (above ~89 MP) becomes an error, not a log line.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=ACCEPTED_FORMATS) as image:
                width, height = image.size
                if width * height > settings.PROOF_PHOTO_MAX_PIXELS:
                    raise PhotoRejected(_("The photo has too many pixels."))
                return _to_jpeg(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(_("The photo has too many pixels.")) from None
    except UnidentifiedImageError:
        raise PhotoRejected(_("The file is not a photo.")) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Truncated or corrupt image data: Pillow found it only while decoding.
        raise PhotoRejected(_("The photo is damaged or incomplete.")) from None


def _to_jpeg(image: Image.Image) -> bytes:
    side = settings.PROOF_PHOTO_MAX_SIDE_PX
    image.draft("RGB", (side, side))  # JPEG only: decode at a reduced scale
    image = ImageOps.exif_transpose(image)  # decodes every pixel (or fails here)
    image.thumbnail((side, side))
    out = io.BytesIO()
    _flatten(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def photo_file(upload: File[Any]) -> ContentFile[bytes]:
    """The upload re-encoded, encrypted and named by the server, ready to store."""
    token = encrypt(photo_reencode(upload))
    return ContentFile(token, name=f"{uuid.uuid4().hex}.jpg.enc")


def photo_read(photo: FieldFile) -> bytes:
    """The JPEG bytes of a stored photo (decrypted)."""
    with photo.open("rb") as stored:
        return decrypt(stored.read())
