"""Uploaded idea images: checked, re-encoded, resized and stored.

The real type is what Pillow decodes — JPEG, PNG or WebP — never the file name or the
declared content type. The upload must fit the byte limit and the pixel limit (read from
the header, so a decompression bomb is refused before it is decoded). What is stored is a
fresh encoding: orientation applied, metadata (EXIF, GPS, comments) dropped, scaled down to
fit the maximum side. Limits are settings (defaults below). Failures are
``ValidationError`` on the ``image`` field with a stable code.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_SIDE = 2000

ERROR_CODES = ("image_too_large", "image_invalid", "image_too_many_pixels", "image_empty")


def max_bytes() -> int:
    return int(getattr(settings, "KOPA_IDEA_IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "KOPA_IDEA_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def max_side() -> int:
    return int(getattr(settings, "KOPA_IDEA_IMAGE_MAX_SIDE", DEFAULT_MAX_SIDE))


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    width: int
    height: int
    format: str


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"image": ValidationError(message, code=code)})


def _size_of(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    return int(size)


def clean_image(upload: IO[bytes]) -> CleanImage:
    """The upload checked and re-encoded, or ``ValidationError`` (field ``image``)."""
    limit = max_bytes()
    size = _size_of(upload)
    if size == 0:
        raise _refuse(_("The file is empty."), "image_empty")
    if size > limit:
        raise _refuse(
            _("Images may be at most %(mb)s MB.") % {"mb": round(limit / (1024 * 1024), 1)},
            "image_too_large",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            _("Images may be at most %(mb)s MB.") % {"mb": round(limit / (1024 * 1024), 1)},
            "image_too_large",
        )
    not_an_image = _refuse(_("Upload a JPEG, PNG or WebP image."), "image_invalid")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format not in FORMATS:
                    raise not_an_image
                if width * height > max_pixels():
                    raise _refuse(
                        _("This image has too many pixels (at most %(mp)s megapixels).")
                        % {"mp": max_pixels() // 1_000_000},
                        "image_too_many_pixels",
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened)
                has_alpha = "A" in image.getbands() or "transparency" in image.info
                if image_format == "JPEG" or not has_alpha:
                    image = image.convert("RGB")
                else:
                    image = image.convert("RGBA")
                side = max_side()
                image.thumbnail((side, side), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                if image_format == "JPEG":
                    image.save(out, "JPEG", quality=85, optimize=True)
                elif image_format == "PNG":
                    image.save(out, "PNG", optimize=True)
                else:
                    image.save(out, "WEBP", quality=85)
                final_width, final_height = image.size
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise not_an_image from None
    name = f"{uuid.uuid4().hex}.{FORMATS[image_format]}"
    return CleanImage(
        content=ContentFile(out.getvalue(), name=name),
        width=final_width,
        height=final_height,
        format=image_format,
    )
