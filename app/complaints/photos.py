"""House photos sent through the citizen's door: checked, made upright and small, and stored with
no metadata at all.

A resident's photo is untrusted input from the open internet. Only JPEG and PNG decoders ever
look at it, its pixel count is refused from the header before anything is decoded (a
decompression bomb is a few kilobytes declaring gigapixels), and a damaged file is refused rather
than stored half grey. What the camera wrote (the phone's model, the time, the place) is dropped
by re-encoding; only the GPS point is read first, for the reviewer, and handed back separately."""

import hashlib
import io
import math
import struct
import warnings
from dataclasses import dataclass

from flask_babel import gettext
from PIL import ExifTags, Image, ImageOps

from app.errors import ValidationError
from app.formatting import fraction

FIELD = "photos"
#: Pillow's format names → the media type stored. MPO is a JPEG carrying a second picture (a
#: gain map or a depth map, as recent phones write them); its first picture is the photo.
MEDIA_TYPES = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"}
#: The only decoders Pillow may try on a sent file.
DECODERS = ("JPEG", "PNG")
JPEG_QUALITY = 85
MEGABYTE = 1024 * 1024
#: What Pillow raises on a file it cannot read, besides its own UnidentifiedImageError (an
#: OSError): its plugins let the errors of struct, zlib and plain parsing through.
UNREADABLE = (OSError, SyntaxError, EOFError, ValueError, IndexError, TypeError, struct.error)
BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)


@dataclass(frozen=True)
class Photo:
    media_type: str
    width: int
    height: int
    #: The re-encoded image: no EXIF, ICC profile, comment or text chunk.
    content: bytes
    sha256: str
    #: (latitude, longitude) from the original file's EXIF, south and west negative.
    gps: tuple[float, float] | None

    @property
    def size(self) -> int:
        return len(self.content)


def read_photo(data: bytes, *, max_bytes: int, max_pixels: int, max_side: int) -> Photo:
    """The photo as it is kept, or ValidationError(…, "photos") saying why it is refused."""
    _check_length(data, max_bytes)
    with warnings.catch_warnings():
        # Pillow warns of corrupt EXIF, which a sent file may well carry: it reads as none.
        warnings.simplefilter("ignore", UserWarning)
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: a warning must refuse too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            media_type = _check_file(data, max_pixels)
            image = _decoded(data, max_side)
        except BOMB as error:
            raise _too_many_pixels(max_pixels) from error
        gps = _gps_of(image)
        image = _prepared(image, media_type, max_side)
    content = _encoded(image, media_type)
    width, height = image.size
    return Photo(media_type, width, height, content, hashlib.sha256(content).hexdigest(), gps)


def _check_length(data: bytes, max_bytes: int) -> None:
    if not data:
        raise ValidationError(gettext("The photo is empty."), FIELD)
    if len(data) > max_bytes:
        size = fraction(max_bytes / MEGABYTE, 1)
        raise ValidationError(gettext("The photo is larger than %(size)s MB.", size=size), FIELD)


def _check_file(data: bytes, max_pixels: int) -> str:
    """The photo's media type, once its header and its whole structure are known good; nothing
    is decoded yet (verify() walks a PNG's chunks and their checksums without inflating them)."""
    try:
        with Image.open(io.BytesIO(data), formats=DECODERS) as image:
            media_type = MEDIA_TYPES.get(image.format or "")
            if media_type is None:
                raise _not_a_photo()
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels(max_pixels)
            try:
                image.verify()
            except UNREADABLE as error:
                raise _damaged() from error
    except UNREADABLE as error:
        raise _not_a_photo() from error
    if media_type == "image/jpeg" and not _jpeg_is_complete(data):
        raise _damaged()
    return media_type


def _decoded(data: bytes, max_side: int) -> Image.Image:
    """The image decoded (verify() leaves a Pillow image unusable, so it is opened again). A
    large JPEG is decoded at a half, quarter or eighth of its size when that still leaves more
    than `max_side` to shrink from: less memory, and as good a result."""
    image = Image.open(io.BytesIO(data), formats=DECODERS)
    try:
        image.draft(None, _fitted(image.size, max_side))
        image.load()
    except UNREADABLE as error:
        raise _damaged() from error
    return image


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """`size` scaled down (never up) so that its longest side is `max_side`."""
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _jpeg_is_complete(data: bytes) -> bool:
    """Whether a JPEG's segments and scans run on to its end-of-image marker.

    Pillow's load() refuses a cut-off file only while ImageFile.LOAD_TRUNCATED_IMAGES is off,
    and WeasyPrint turns it on for the whole process when it is imported: the check cannot be
    left to Pillow. Anything after the end marker (a phone's second picture) is not looked at."""
    if not data.startswith(b"\xff\xd8"):
        return False
    position = 2
    while position + 2 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xD9:  # end of image
            return True
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers with no length
            position += 2
            continue
        if position + 4 > len(data):
            return False
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:  # start of scan: its entropy-coded data runs to the next marker
            position = _end_of_scan(data, position)
    return False


def _end_of_scan(data: bytes, position: int) -> int:
    """Where the marker after a scan's data starts (len(data) when there is none): in the data,
    0xFF is followed by 0x00 (a stuffed byte) or by a restart marker 0xD0–0xD7."""
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            return len(data)
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position += 2
        else:
            return position


def _gps_of(image: Image.Image) -> tuple[float, float] | None:
    """The point in the image's EXIF GPS block, or None. EXIF is whatever the sender's device
    (or the sender) wrote: any value that does not read as a point on Earth gives None. So does
    0°, 0°, which devices write when they had no fix."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        latitude = _degrees(gps[ExifTags.GPS.GPSLatitude], gps[ExifTags.GPS.GPSLatitudeRef], "S")
        longitude = _degrees(gps[ExifTags.GPS.GPSLongitude], gps[ExifTags.GPS.GPSLongitudeRef], "W")
    except Exception:  # malformed EXIF raises anything from KeyError to struct.error
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if abs(latitude) > 90 or abs(longitude) > 180 or (latitude == 0 and longitude == 0):
        return None
    return latitude, longitude


def _degrees(value, reference, negative: str) -> float:
    """Degrees, minutes and seconds (EXIF rationals; some writers give fewer) as signed decimal
    degrees; the reference letter (N/S, E/W) gives the sign."""
    parts = [float(part) for part in (value if isinstance(value, (tuple, list)) else (value,))]
    if not 1 <= len(parts) <= 3 or any(part < 0 for part in parts):
        raise ValueError(value)
    degrees = sum(part / 60**index for index, part in enumerate(parts))
    if isinstance(reference, bytes):
        reference = reference.decode("ascii")
    reference = reference.strip("\x00 ").upper()
    if reference not in ("N", "S", "E", "W"):
        raise ValueError(reference)
    return -degrees if reference == negative else degrees


def _prepared(image: Image.Image, media_type: str, max_side: int) -> Image.Image:
    """Upright, in a mode its format keeps, and no side longer than `max_side`; the mode comes
    first because Pillow shrinks a palette or a 1-bit image by nearest neighbour."""
    image = _upright(image)
    image = _for_jpeg(image) if media_type == "image/jpeg" else _for_png(image)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as the camera's orientation tag says: the stored copy has no tag left to
    say it, so it must be upright itself."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a malformed orientation is no orientation
        return image


def _encoded(image: Image.Image, media_type: str) -> bytes:
    """The image written anew. Pillow carries some of an image's metadata (a JPEG comment, a
    PNG's ICC profile) from `info` into what it saves, so `info` is emptied first."""
    image.info = {}
    buffer = io.BytesIO()
    if media_type == "image/jpeg":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _for_jpeg(image: Image.Image) -> Image.Image:
    """RGB: a JPEG arrives as RGB, greyscale or CMYK, and one colour model is simplest to show."""
    return image if image.mode == "RGB" else image.convert("RGB")


def _for_png(image: Image.Image) -> Image.Image:
    """RGB, RGBA or greyscale, transparency kept: a palette's (or a single transparent colour's)
    transparency would be lost with `info`, so such images become RGBA; 16-bit greyscale is
    scaled to 8 bits, which Pillow's own conversion would clip to white."""
    if image.mode.startswith("I"):
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("RGB", "RGBA", "L") and "transparency" not in image.info:
        return image
    if image.mode in ("1", "F") and "transparency" not in image.info:
        return image.convert("L")
    return image.convert("RGBA")


def _not_a_photo() -> ValidationError:
    return ValidationError(gettext("The file is not a JPEG or PNG photo."), FIELD)


def _too_many_pixels(max_pixels: int) -> ValidationError:
    megapixels = fraction(max_pixels / 1_000_000, 1)
    return ValidationError(
        gettext("The photo has more than %(megapixels)s megapixels.", megapixels=megapixels),
        FIELD,
    )


def _damaged() -> ValidationError:
    return ValidationError(gettext("The photo is damaged or incomplete."), FIELD)
