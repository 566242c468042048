"""The image gate: byte and pixel caps before decoding, SVG bombs drawn safely or refused,
and a refusal on an upload form is a plain-words form error that changes nothing."""

import io
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from brands.models import Product, ProductImage
from studio.images import ImageRefused, check_image
from tests.brands.factories import BrandFactory

BOMB_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 200000" width="1" '
            b'height="200000"><rect width="1" height="200000" fill="red"/></svg>')  # 139 bytes
THIN_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1000" width="1" '
            b'height="1000"><rect width="1" height="1000"/></svg>')
HUGE_SQUARE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="200000" height="200000">'
                   b'<rect width="200000" height="200000" fill="#f00"/></svg>')
LAUGHS_SVG = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">&b;</svg>')


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` with almost no data: only a decoder that
    trusted the header would allocate for it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_the_139_byte_svg_bomb_is_refused_without_drawing():
    started = time.monotonic()
    with pytest.raises(ImageRefused) as refused:
        check_image(BOMB_SVG, label="Logo")

    assert len(BOMB_SVG) == 139
    assert refused.value.message == ("Logo is too long and thin: its sides may differ by at "
                                     "most 20:1.")
    assert refused.value.status == 400
    assert time.monotonic() - started < 1


def test_a_1_to_1000_svg_is_refused():
    with pytest.raises(ImageRefused) as refused:
        check_image(THIN_SVG, label="Logo")

    assert "too long and thin" in refused.value.message


def test_a_huge_square_svg_is_drawn_at_a_bounded_size():
    image = check_image(HUGE_SQUARE_SVG, label="Logo")

    assert (image.extension, image.width, image.height) == ("png", 1024, 1024)


def test_svg_entities_are_refused_by_the_safe_parser():
    with pytest.raises(ImageRefused) as refused:
        check_image(LAUGHS_SVG, label="Logo")

    assert refused.value.message == "Logo is not a valid SVG file."


def test_an_svg_that_draws_too_long_is_stopped(settings):
    settings.STUDIO_SVG_TIMEOUT_SECONDS = 0.001  # the child cannot even start in time

    with pytest.raises(ImageRefused) as refused:
        check_image(HUGE_SQUARE_SVG, label="Logo")

    assert refused.value.message == ("Logo takes too long to draw; simplify the SVG or upload "
                                     "a PNG.")


def test_an_svg_that_needs_too_much_memory_is_stopped(settings):
    settings.STUDIO_SVG_MEMORY_BYTES = 4 * 1024 * 1024  # not even enough to start

    with pytest.raises(ImageRefused) as refused:
        check_image(HUGE_SQUARE_SVG, label="Logo")

    assert refused.value.message == "Logo could not be drawn; upload it as PNG instead."


def test_bytes_are_capped_before_anything_is_decoded():
    with pytest.raises(ImageRefused) as refused:
        check_image(b"\x89PNG" + b"\x00" * 10_500_000, label="Logo")

    assert refused.value.message == "Logo must be at most 10 MB (this file is 10.5 MB)."


def test_pixels_are_capped_by_the_header_before_decoding():
    content = _png_header_only(6300, 6300)  # 39.7 MP in a few hundred bytes

    with pytest.raises(ImageRefused) as refused:
        check_image(content, label="Photo")

    assert len(content) < 200
    assert refused.value.message == ("Photo must be at most 25 megapixels (this one is "
                                     "6300 × 6300, 39.7 megapixels).")


def test_tiny_and_unreadable_images_are_refused():
    with pytest.raises(ImageRefused) as tiny:
        check_image(_png(8, 8), label="Photo")
    with pytest.raises(ImageRefused) as junk:
        check_image(b"GIF89a-not-really", label="Photo")

    assert tiny.value.message == "Photo must be at least 16 × 16 pixels (this one is 8 × 8)."
    assert junk.value.message == "Photo must be a PNG, JPEG, WebP, GIF or SVG image."


def test_a_good_png_passes_unchanged():
    content = _png(64, 32)

    image = check_image(content, label="Photo")

    assert (image.content, image.extension, image.width, image.height) == (
        content, "png", 64, 32)


@pytest.fixture
def ready_brand(workspace):
    return BrandFactory(workspace=workspace)


def _dna_form(brand) -> dict:
    return {"name": brand.name, "tagline": "", "description": "", "color_primary": "#111111",
            "color_secondary": "#444444", "color_accent": "#888888",
            "color_background": "#ffffff", "color_text": "#111111", "heading_font": "Inter",
            "body_font": "Inter", "tone_of_voice": "", "value_props": "", "audience": "",
            "language": "en"}


def test_a_bomb_logo_upload_is_a_form_error_and_changes_nothing(owner_client, ready_brand):
    form = {**_dna_form(ready_brand),
            "logo": SimpleUploadedFile("logo.svg", BOMB_SVG, content_type="image/svg+xml")}

    response = owner_client.post(reverse("brands:review", args=[ready_brand.id]), form)

    assert response.status_code == 200
    assert "Logo is too long and thin" in response.content.decode()
    ready_brand.refresh_from_db()
    assert not ready_brand.logo


def test_a_refused_photo_on_a_new_product_is_a_form_error_and_no_product(owner_client,
                                                                         ready_brand):
    big = SimpleUploadedFile("big.png", _png_header_only(6300, 6300), content_type="image/png")

    response = owner_client.post(reverse("brands:product_new", args=[ready_brand.id]),
                                 {"name": "Serum", "active": "on", "image": big})

    assert response.status_code == 200
    assert "Photo must be at most 25 megapixels" in response.content.decode()
    assert Product.objects.filter(brand=ready_brand).count() == 0
    assert ProductImage.objects.count() == 0
