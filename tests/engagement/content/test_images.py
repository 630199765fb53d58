"""Uploaded images: the real type decides, limits hold, metadata goes, big images shrink."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from engagement.content import images
from tests.engagement.ideas.images import GPS_TAG, MAKE_TAG, image_bytes, upload
from tests.engagement.ideas.util import codes


def refused(file) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        images.clean_image(file)
    return codes(caught.value)["image"]


class TestRefuses:
    def test_a_text_file_named_jpg(self):
        assert refused(upload("photo.jpg", b"just some text, not a picture")) == ["image_invalid"]

    def test_html_posing_as_an_image(self):
        html = b"<html><script>alert(1)</script></html>"
        assert refused(upload("x.png", html, "image/png")) == ["image_invalid"]

    def test_other_image_types_whatever_the_name(self):
        assert refused(upload("anim.jpg", image_bytes("GIF"))) == ["image_invalid"]
        assert refused(upload("pic.png", image_bytes("BMP"), "image/png")) == ["image_invalid"]

    def test_a_truncated_jpeg(self):
        assert refused(upload("cut.jpg", image_bytes("JPEG", (400, 400))[:600])) == [
            "image_invalid"
        ]

    def test_an_empty_file(self):
        assert refused(upload("empty.jpg", b"")) == ["image_empty"]

    def test_more_bytes_than_the_limit(self, settings):
        settings.KOPA_IDEA_IMAGE_MAX_BYTES = 1000
        assert refused(upload("big.png", image_bytes("PNG", (300, 300), noise=True))) == [
            "image_too_large"
        ]

    def test_the_default_limit_is_8_mb(self):
        huge = image_bytes("JPEG") + b"\0" * (8 * 1024 * 1024)
        assert refused(upload("huge.jpg", huge)) == ["image_too_large"]

    def test_more_pixels_than_the_limit_before_decoding(self, settings):
        settings.KOPA_IDEA_IMAGE_MAX_PIXELS = 100 * 100
        assert refused(upload("wide.png", image_bytes("PNG", (200, 100)), "image/png")) == [
            "image_too_many_pixels"
        ]


class TestAccepts:
    @pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
    def test_jpeg_png_and_webp_by_content_not_by_name(self, fmt, ext):
        clean = images.clean_image(upload("misnamed.gif", image_bytes(fmt), "text/plain"))
        assert clean.format == fmt
        assert clean.content.name.endswith(f".{ext}")
        assert Image.open(io.BytesIO(clean.content.read())).format == fmt

    def test_metadata_is_removed(self):
        original = Image.open(io.BytesIO(image_bytes("JPEG", exif=True)))
        assert original.getexif()[MAKE_TAG] == "SpyCam"  # the test image does carry EXIF
        clean = images.clean_image(upload("gps.jpg", image_bytes("JPEG", exif=True)))
        stored = Image.open(io.BytesIO(clean.content.read()))
        exif = stored.getexif()
        assert MAKE_TAG not in exif
        assert GPS_TAG not in exif
        assert "exif" not in stored.info

    def test_large_images_are_scaled_to_the_maximum_side(self, settings):
        settings.KOPA_IDEA_IMAGE_MAX_SIDE = 100
        clean = images.clean_image(upload("big.jpg", image_bytes("JPEG", (400, 200))))
        assert (clean.width, clean.height) == (100, 50)
        assert Image.open(io.BytesIO(clean.content.read())).size == (100, 50)

    def test_transparency_is_kept_in_png(self):
        clean = images.clean_image(
            upload("alpha.png", image_bytes("PNG", mode="RGBA"), "image/png")
        )
        assert Image.open(io.BytesIO(clean.content.read())).mode == "RGBA"

    def test_stored_names_are_random(self):
        first = images.clean_image(upload("same.jpg"))
        second = images.clean_image(upload("same.jpg"))
        assert first.content.name != second.content.name
        assert "same" not in first.content.name
