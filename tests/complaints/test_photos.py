"""House photos (app.complaints.photos): a camera's GPS point is read and everything else it wrote
is gone from what is stored; photos come back upright and no larger than the limit, a PNG stays
a PNG; bombs, foreign formats, cut-off and oversized files are refused with the "photos" field,
whatever ImageFile.LOAD_TRUNCATED_IMAGES says."""

import hashlib
import io
import struct

import pytest
from flask_babel import force_locale
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin, TiffImagePlugin

from app.complaints.photos import read_photo
from app.errors import ValidationError
from tests.fixtures import photos

MEGABYTE = 1024 * 1024
LIMITS = {"max_bytes": 8 * MEGABYTE, "max_pixels": 40_000_000, "max_side": 1600}
BANDUNG = (-6.9147, 107.6098)
DAMAGED = "The photo is damaged or incomplete."

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.fixture
def english(app):
    """Messages as their English msgids, whatever the catalogs say."""
    with app.test_request_context(), force_locale("en"):
        yield


def read(data: bytes, **limits):
    return read_photo(data, **{**LIMITS, **limits})


def refused(data: bytes, **limits) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read(data, **limits)
    assert caught.value.field == "photos"
    return caught.value


def stored(photo) -> Image.Image:
    image = Image.open(io.BytesIO(photo.content))
    image.load()
    return image


def assert_no_metadata(image: Image.Image) -> None:
    assert not image.getexif()
    for key in ("exif", "comment", "icc_profile", "xmp", "Software", "Comment"):
        assert key not in image.info, key


# What the camera wrote


def test_a_photo_gives_its_gps_point_and_keeps_nothing_else_the_camera_wrote():
    original = photos.jpeg(gps=BANDUNG)
    assert Image.open(io.BytesIO(original)).getexif()[ExifTags.Base.Make] == "Kamera"

    photo = read(original)

    assert photo.gps == pytest.approx(BANDUNG, abs=1e-4)
    assert photo.media_type == "image/jpeg"
    image = stored(photo)
    assert image.format == "JPEG"
    assert_no_metadata(image)
    assert b"Kamera" not in photo.content and b"Exif" not in photo.content
    assert b"Foto rumah" not in photo.content  # the JPEG comment


@pytest.mark.parametrize(
    "point",
    [(3.5952, 98.6722), (-8.65, 115.2167), (-2.5337, 140.7181), (51.5074, -0.1278)],
    ids=["north", "south-east", "far-east", "west"],
)
def test_the_references_give_the_signs(point):
    assert read(photos.jpeg(gps=point)).gps == pytest.approx(point, abs=1e-4)


def test_a_photo_without_gps_has_no_point():
    assert read(photos.jpeg()).gps is None
    assert read(photos.jpeg(extra_exif=False)).gps is None
    assert read(photos.png()).gps is None


def _with_gps_block(tags: dict) -> bytes:
    exif = Image.Exif()
    block = exif.get_ifd(ExifTags.IFD.GPSInfo)
    block.update(tags)
    buffer = io.BytesIO()
    photos.house(64, 48).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "tags",
    [
        {2: (6.0, 54.0, 52.92), 4: (107.0, 36.0, 35.28)},  # no N/S, E/W
        {1: "S", 2: (6.0, 54.0, 52.92), 3: "E"},  # no longitude
        {1: "X", 2: (6.0, 54.0, 52.92), 3: "E", 4: (107.0, 36.0, 35.28)},
        {1: "S", 2: (96.0, 0.0, 0.0), 3: "E", 4: (107.0, 36.0, 35.28)},  # past the pole
        {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)},  # no fix
        {
            1: "S",
            2: (TiffImagePlugin.IFDRational(6, 0), 54.0, 52.92),  # zero denominator
            3: "E",
            4: (107.0, 36.0, 35.28),
        },
    ],
    ids=["no-references", "no-longitude", "bad-reference", "past-the-pole", "null-island", "0/0"],
)
def test_a_gps_block_that_is_no_point_gives_none_and_is_not_refused(tags):
    photo = read(_with_gps_block(tags))

    assert photo.gps is None
    assert_no_metadata(stored(photo))


def test_exif_that_is_not_exif_gives_no_point():
    """An APP1 segment claiming to be EXIF but holding noise."""
    buffer = io.BytesIO()
    photos.house(64, 48).save(buffer, "JPEG", exif=b"Exif\x00\x00II*\x00\xff\xff\xff\xff garbage")

    photo = read(buffer.getvalue())

    assert photo.gps is None
    assert_no_metadata(stored(photo))


def test_a_png_keeps_no_text_profile_or_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Kamera"
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Foto rumah, Jl. Contoh 1")
    text.add_text("Software", "Kamera 1.0")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    photos.house(64, 48).save(buffer, "PNG", exif=exif, pnginfo=text, icc_profile=profile)
    assert Image.open(io.BytesIO(buffer.getvalue())).info.get("icc_profile")

    image = stored(read(buffer.getvalue()))

    assert image.format == "PNG"
    assert_no_metadata(image)
    assert not getattr(image, "text", {})


def test_an_icc_profile_is_dropped_from_a_jpeg():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    photos.house(64, 48).save(buffer, "JPEG", icc_profile=profile)

    assert_no_metadata(stored(read(buffer.getvalue())))


# Upright and small


def test_a_large_photo_is_stored_no_larger_than_max_side_in_its_proportions():
    photo = read(photos.jpeg(4000, 3000, gps=BANDUNG))

    assert (photo.width, photo.height) == (1600, 1200)
    assert stored(photo).size == (1600, 1200)
    assert photo.gps == pytest.approx(BANDUNG, abs=1e-4)


def test_a_tall_photo_is_shrunk_by_its_height():
    photo = read(photos.jpeg(1000, 3000), max_side=900)

    assert (photo.width, photo.height) == (300, 900)


def test_a_small_photo_is_not_enlarged():
    photo = read(photos.jpeg(320, 240))

    assert (photo.width, photo.height) == (320, 240)


def test_a_photo_turned_by_its_orientation_tag_is_stored_upright():
    photo = read(photos.jpeg(640, 480, orientation=6))

    image = stored(photo)
    assert (photo.width, photo.height) == image.size == (480, 640)
    assert_no_metadata(image)
    # Orientation 6: the camera was turned clockwise, so the picture's top-left corner (the
    # drawing's sun, around x=69, y=52) is shown at the top right.
    red, green, blue = image.getpixel((480 - 1 - 52, 69))
    assert red > 200 and green > 180 and blue < 120


def test_a_png_stays_a_png():
    data = photos.png(64, 48)

    photo = read(data)

    assert photo.media_type == "image/png"
    assert stored(photo).format == "PNG"
    assert (photo.width, photo.height) == (64, 48)
    assert photo.size == len(photo.content)
    assert photo.sha256 == hashlib.sha256(photo.content).hexdigest()


def test_a_palette_png_keeps_its_transparency():
    image = photos.house(64, 48).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    image.info["transparency"] = image.getpixel((0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=image.getpixel((0, 0)))

    kept = stored(read(buffer.getvalue()))

    assert kept.mode == "RGBA"
    assert kept.getpixel((0, 0))[3] == 0
    assert kept.getpixel((32, 30))[3] == 255


def test_a_sixteen_bit_grey_png_keeps_its_greys():
    buffer = io.BytesIO()
    Image.new("I;16", (32, 32), 32768).save(buffer, "PNG")

    kept = stored(read(buffer.getvalue()))

    assert kept.mode == "L"
    assert 120 <= kept.getpixel((0, 0)) <= 135


@pytest.mark.parametrize("mode", ["CMYK", "L"])
def test_a_cmyk_or_grey_jpeg_is_stored_as_rgb(mode):
    buffer = io.BytesIO()
    photos.house(64, 48, mode).save(buffer, "JPEG")

    photo = read(buffer.getvalue())

    assert photo.media_type == "image/jpeg"
    assert stored(photo).mode == "RGB"


@pytest.mark.parametrize(
    "options",
    [{"progressive": True}, {"restart_marker_blocks": 4}, {"progressive": True, "optimize": True}],
    ids=["progressive", "restart-markers", "progressive-optimised"],
)
def test_jpegs_of_many_scans_or_restart_markers_are_whole(options):
    buffer = io.BytesIO()
    photos.house(800, 600).save(buffer, "JPEG", **options)

    assert read(buffer.getvalue()).width == 800


def test_a_phones_two_picture_jpeg_is_a_jpeg():
    """MPO: a JPEG with a second picture after its end (a gain map, a depth map)."""
    buffer = io.BytesIO()
    first, second = photos.house(200, 150), Image.new("RGB", (100, 75), "black")
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"

    photo = read(buffer.getvalue())

    assert photo.media_type == "image/jpeg"
    assert stored(photo).format == "JPEG"
    assert (photo.width, photo.height) == (200, 150)


# Refused


@pytest.mark.parametrize(
    "pillow_limit", [Image.MAX_IMAGE_PIXELS, None], ids=["pillow-limit", "no-pillow-limit"]
)
def test_a_decompression_bomb_is_refused_without_being_decoded(monkeypatch, english, pillow_limit):
    """Refused from its header: by Pillow's own limit, or by ours when Pillow has none."""
    bomb = photos.decompression_bomb()
    assert len(bomb) < MEGABYTE
    assert struct.unpack(">II", bomb[16:24]) == (30_000, 30_000)  # IHDR's width and height
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pillow_limit)

    def no_decoding(self):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)

    error = refused(bomb)

    assert error.message == "The photo has more than 40 megapixels."


def test_a_bomb_within_the_pixel_limit_is_still_refused_when_pillow_warns(monkeypatch):
    """Between Pillow's MAX_IMAGE_PIXELS and twice that Pillow only warns: the warning refuses."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)

    refused(photos.jpeg(200, 100), max_pixels=10**9)


def test_more_pixels_than_the_limit_are_refused_saying_the_limit(english):
    error = refused(photos.jpeg(2000, 1000), max_pixels=1_000_000)

    assert error.message == "The photo has more than 1 megapixels."


def test_more_bytes_than_the_limit_are_refused_saying_the_limit(english):
    data = photos.jpeg() + bytes(2 * MEGABYTE)  # padding after the end, as some phones leave

    error = refused(data, max_bytes=2 * MEGABYTE)

    assert error.message == "The photo is larger than 2 MB."
    assert read(data, max_bytes=len(data)).width == 640


def test_an_empty_file_is_refused():
    refused(b"")


def test_a_file_that_is_no_image_is_refused(english):
    error = refused(photos.not_an_image())

    assert error.message == "The file is not a JPEG or PNG photo."


@pytest.mark.parametrize("format_name", ["GIF", "BMP", "TIFF", "WEBP", "ICO"])
def test_formats_other_than_jpeg_and_png_are_refused(format_name):
    refused(photos.other_format(format_name))


def test_a_gif_named_like_a_jpeg_is_still_a_gif():
    """Only the content counts: a GIF renamed .jpg (or sent as image/jpeg) is refused."""
    refused(photos.other_format("GIF"))


@pytest.mark.parametrize("load_truncated", [False, True], ids=["pillow-strict", "pillow-lenient"])
def test_a_cut_off_jpeg_is_refused(monkeypatch, english, load_truncated):
    """WeasyPrint turns LOAD_TRUNCATED_IMAGES on for the whole process: it must not matter."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated)

    assert refused(photos.truncated_jpeg()).message == DAMAGED


@pytest.mark.parametrize("load_truncated", [False, True], ids=["pillow-strict", "pillow-lenient"])
def test_a_cut_off_png_is_refused(monkeypatch, english, load_truncated):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated)

    assert refused(photos.truncated_png()).message == DAMAGED


def test_a_png_with_a_damaged_chunk_is_refused(english):
    data = bytearray(photos.png(128, 128))
    data[-40] ^= 0xFF  # inside the image data: its checksum no longer matches

    assert refused(bytes(data)).message == DAMAGED


def test_only_the_jpeg_header_is_refused():
    refused(photos.jpeg()[:200])
