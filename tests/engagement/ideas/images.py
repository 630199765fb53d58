"""Generated test images (Pillow), so no binary fixtures live in the repository."""

from __future__ import annotations

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_TAG = 0x8825
MAKE_TAG = 0x010F


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    *,
    mode: str = "RGB",
    exif: bool = False,
    noise: bool = False,
) -> bytes:
    """An image in ``fmt``; ``noise`` makes it incompressible (a realistic byte size)."""
    if noise:
        image = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))
    else:
        image = Image.new(mode, size, (200, 40, 40, 128) if mode == "RGBA" else (200, 40, 40))
    out = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[MAKE_TAG] = "SpyCam"
        data[GPS_TAG] = {1: "N", 2: (56.0, 57.0, 0.0)}
        options["exif"] = data.tobytes()
    image.save(out, fmt, **options)
    return out.getvalue()


def upload(
    name: str = "photo.jpg", content: bytes | None = None, content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes() if content is None else content, content_type)
