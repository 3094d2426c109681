"""Photos: decoded and re-encoded on the way in, encrypted at rest."""

import io

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image

from delivery.services.photos import PhotoRejected, photo_file, photo_reencode
from tests.photo_files import (
    SCRIPT,
    bomb_png,
    damaged_png,
    gif_html_polyglot,
    photo_jpeg,
    truncated_png,
)


@pytest.fixture(autouse=True)
def _indonesian():
    # The reasons are asserted in the language the couriers read.
    with translation.override("id"):
        yield


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def test_a_gif_carrying_a_script_comes_out_as_a_plain_jpeg():
    jpeg = photo_reencode(ContentFile(gif_html_polyglot(), name="evil.html"))

    assert jpeg.startswith(b"\xff\xd8")
    assert b"<script" not in jpeg
    assert decoded(jpeg).format == "JPEG"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bomb_png(), "terlalu banyak piksel"),
        (truncated_png(), "terlalu banyak piksel"),
        (damaged_png(), "rusak atau tidak lengkap"),
        (SCRIPT, "bukan foto"),
    ],
    ids=["bomb-20000px", "truncated-12000px", "cut-in-half", "html"],
)
def test_a_hostile_file_is_refused_with_its_reason(content, message):
    with pytest.raises(PhotoRejected) as refused:
        photo_reencode(ContentFile(content, name="p.png"))

    assert message in refused.value.message


def test_a_large_photo_is_scaled_down_and_its_metadata_dropped(settings):
    settings.PROOF_PHOTO_MAX_SIDE_PX = 400
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # any tag: none may survive
    out = io.BytesIO()
    Image.new("RGB", (2000, 1000)).save(out, "JPEG", exif=exif.tobytes())

    image = decoded(photo_reencode(ContentFile(out.getvalue(), name="p.jpg")))

    assert image.size == (400, 200)
    assert not image.getexif()


def test_a_stored_photo_is_encrypted_under_a_name_the_server_chose():
    stored = photo_file(ContentFile(photo_jpeg(), name="../../ktp.html"))

    assert stored.name.endswith(".jpg.enc")
    assert "ktp" not in stored.name
    assert b"\xff\xd8" not in stored.read()[:64]
