"""Reading images from disk into BGR uint8 arrays, refusing what cannot be read safely.

Every image facegui reads (identify, enroll, encode, a photo dropped on the window, the enrollment
dialog, thumbnails) comes through :func:`load_image` / :func:`read_image_bytes` + :func:`decode_image`:

* only regular files are opened (a FIFO, a device or a link to one is refused without reading), and
  a file larger than ``max_image_bytes`` is refused before reading;
* the width and height are read from the file's own header, for every format accepted, and an image
  above ``max_image_pixels`` is refused before the decoder allocates anything; a format whose header
  cannot be read here is refused. OpenCV's own limits (set in ``facegui/__init__.py`` before cv2 is
  imported) are a second guard;
* the EXIF orientation is applied, so a portrait phone photo is upright.
"""
from __future__ import annotations

import contextlib
import os
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

from ..config import DEFAULT_MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS_CEILING
from ..files import FileMissing, FileReadError, FileTooLarge, NotARegularFile, read_bounded, write_private

# libjpeg/libpng warnings about corrupt files would reach the user's terminal as noise;
# every failure is reported by ImageError instead.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".jp2", ".pgm", ".ppm",
                            ".pbm", ".pnm", ".gif"})


class ImageError(ValueError):
    """An input image that cannot be used; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


# -- the size each format declares in its header ---------------------------------------------
def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return None


# Start-of-frame markers that carry the image size (all but DHT/JPG/DAC).
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return width, height
        pos += 2 + length
    return None


_TIFF_WIDTH, _TIFF_HEIGHT = 256, 257
_TIFF_INT_TYPES = {3: "H", 4: "I", 16: "Q"}  # SHORT, LONG, LONG8 (BigTIFF)


def _tiff_size(data: bytes) -> tuple[int, int] | None:
    """ImageWidth and ImageLength of the first IFD (the page a decoder reads), classic or BigTIFF."""
    order = "<" if data[:2] == b"II" else ">"
    (version,) = struct.unpack(order + "H", data[2:4])
    big = version == 43
    try:
        if big:
            (ifd,) = struct.unpack(order + "Q", data[8:16])
            (count,) = struct.unpack(order + "Q", data[ifd:ifd + 8])
            entry_size, first, value_at = 20, ifd + 8, 12
        else:
            (ifd,) = struct.unpack(order + "I", data[4:8])
            (count,) = struct.unpack(order + "H", data[ifd:ifd + 2])
            entry_size, first, value_at = 12, ifd + 2, 8
        found: dict[int, int] = {}
        for i in range(min(count, 4096)):
            at = first + i * entry_size
            tag, kind = struct.unpack(order + "HH", data[at:at + 4])
            if tag in (_TIFF_WIDTH, _TIFF_HEIGHT) and kind in _TIFF_INT_TYPES:
                code = _TIFF_INT_TYPES[kind]
                (found[tag],) = struct.unpack(order + code, data[at + value_at:at + value_at + struct.calcsize(code)])
        return (found[_TIFF_WIDTH], found[_TIFF_HEIGHT]) if len(found) == 2 else None
    except (struct.error, KeyError):
        return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    try:
        if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
            width, height = struct.unpack("<HH", data[26:30])
            return width & 0x3FFF, height & 0x3FFF
        if chunk == b"VP8L" and data[20] == 0x2F:
            (bits,) = struct.unpack("<I", data[21:25])
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8X":  # the canvas: every frame fits in it
            return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    except (struct.error, IndexError):
        return None
    return None


def _bmp_size(data: bytes) -> tuple[int, int] | None:
    try:
        (header_size,) = struct.unpack("<I", data[14:18])
        if header_size == 12:  # OS/2 BITMAPCOREHEADER
            width, height = struct.unpack("<HH", data[18:22])
        else:
            width, height = struct.unpack("<ii", data[18:26])
    except struct.error:
        return None
    return abs(width), abs(height)  # a negative height means top-down rows


def _pnm_size(data: bytes) -> tuple[int, int] | None:
    """P1-P6 (PBM, PGM, PPM), PF/Pf (PFM): width and height are the first two numbers after the
    magic, with # comments allowed; P7 (PAM) has WIDTH and HEIGHT lines."""
    head = data[:4096]
    if head[1:2] == b"7":
        fields = dict(line.split(maxsplit=1) for line in head.splitlines()[1:] if len(line.split()) == 2)
        try:
            return int(fields[b"WIDTH"]), int(fields[b"HEIGHT"])
        except (KeyError, ValueError):
            return None
    numbers = []
    for line in head[2:].splitlines():
        numbers.extend(line.split(b"#", 1)[0].split())
        if len(numbers) >= 2:
            break
    try:
        return int(numbers[0]), int(numbers[1])
    except (IndexError, ValueError):
        return None


def _jp2_size(data: bytes) -> tuple[int, int] | None:
    at = data.find(b"ihdr", 0, 4096)
    if at < 0 or at + 12 > len(data):
        return None
    height, width = struct.unpack(">II", data[at + 4:at + 12])
    return width, height


def _j2k_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24:
        return None
    x_size, y_size, x_offset, y_offset = struct.unpack(">IIII", data[8:24])
    return max(x_size - x_offset, 0), max(y_size - y_offset, 0)


def _gif_size(data: bytes) -> tuple[int, int] | None:
    """The logical screen, grown to hold the first frame (a frame may claim to be larger)."""
    try:
        width, height = struct.unpack("<HH", data[6:10])
        pos = 13 + (3 * 2 ** ((data[10] & 0x07) + 1) if data[10] & 0x80 else 0)
        while pos < len(data) and data[pos] == 0x21:  # extension blocks before the first frame
            pos += 2
            while pos < len(data) and data[pos]:
                pos += data[pos] + 1
            pos += 1
        if pos + 9 <= len(data) and data[pos] == 0x2C:
            left, top, frame_width, frame_height = struct.unpack("<HHHH", data[pos + 1:pos + 9])
            width, height = max(width, left + frame_width), max(height, top + frame_height)
    except (struct.error, IndexError):
        return None
    return width, height


_UNSUPPORTED = ((b"v/1\x01", "OpenEXR"), (b"#?RADIANCE", "Radiance HDR"), (b"#?RGBE", "Radiance HDR"),
                (b"\x59\xa6\x6a\x95", "Sun raster"), (b"\xff\x0a", "JPEG XL"), (b"\x00\x00\x00\x0cJXL ", "JPEG XL"))
"""Formats OpenCV may decode but whose size is not read here: named in the refusal."""

# HEIF brands of the ISO media file format: HEIC is what phones (iPhones first) save photos as. OpenCV
# cannot decode HEIC at all, and AVIF's size is not read here: both are named in the refusal, not
# reported as "corrupt".
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
UNREAD_PHOTO_SUFFIXES = frozenset({".heic", ".heif", ".avif"})
"""Photo files facegui does not read, listed from folders anyway so each is refused by name."""


def _unread_media_format(data: bytes) -> str | None:
    """"HEIC" or "AVIF" for a file of those ISO-media image brands (major or compatible), else None."""
    if data[4:8] != b"ftyp":
        return None
    box_end = min(int.from_bytes(data[:4], "big"), 256)
    brands = {data[8:12]} | {data[at:at + 4] for at in range(16, box_end - 3, 4)}
    if brands & _AVIF_BRANDS:
        return "AVIF"
    return "HEIC" if brands & _HEIF_BRANDS else None


_FORMATS: tuple[tuple[str, Callable[[bytes], bool], Callable[[bytes], tuple[int, int] | None]], ...] = (
    ("JPEG", lambda d: d[:2] == b"\xff\xd8", _jpeg_size),
    ("PNG", lambda d: d[:8] == b"\x89PNG\r\n\x1a\n", _png_size),
    ("TIFF", lambda d: d[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"), _tiff_size),
    ("WebP", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP", _webp_size),
    ("BMP", lambda d: d[:2] == b"BM", _bmp_size),
    ("PNM", lambda d: d[:1] == b"P" and d[1:2] in (b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"F", b"f"), _pnm_size),
    ("JPEG 2000", lambda d: d[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n", _jp2_size),
    ("JPEG 2000", lambda d: d[:4] == b"\xff\x4f\xff\x51", _j2k_size),
    ("GIF", lambda d: d[:6] in (b"GIF87a", b"GIF89a"), _gif_size),
)
"""The formats accepted: each with its signature and its header's width and height. OpenCV decodes
more (EXR, HDR, Sun raster, AVIF…), but a format whose size cannot be checked first is refused."""


def image_format(data: bytes) -> str | None:
    """The name of the accepted format ``data`` is in (by its signature), else None."""
    return next((name for name, matches, _ in _FORMATS if matches(data)), None)


def declared_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header of any accepted format without decoding the pixels; None when
    the format is not accepted or its header does not say."""
    for _name, matches, size_of in _FORMATS:
        if matches(data):
            return size_of(data)
    return None


def to_bgr8(image: np.ndarray) -> np.ndarray:
    """Any decoded image (grey, BGRA, 16-bit, float) → 3-channel BGR uint8."""
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = cv2.normalize(image, np.empty_like(image), 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    channels = image.shape[2]
    if channels == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if channels == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image[:, :, :3] if channels > 3 else image


_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """libpng and libtiff print their complaints straight to file descriptor 2, bypassing OpenCV's
    log level; every failure is reported by ImageError instead, in one line."""
    if os.name != "posix":
        yield
        return
    with _STDERR_LOCK:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


def _pixel_limit_error(name: str | Path, width: int, height: int, max_pixels: int) -> ImageError:
    return ImageError(name, f"image is {width}x{height} pixels, above the limit of {max_pixels:,} "
                            f"(setting max_image_pixels)")


# ANYDEPTH|ANYCOLOR rather than UNCHANGED: with UNCHANGED OpenCV ignores the EXIF orientation.
_DECODE_FLAGS = cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR


def decode_image(data: bytes, name: str | Path, max_pixels: int) -> np.ndarray:
    """BGR uint8 image from the bytes of an image file, upright by its EXIF orientation; raises
    ImageError with a one-line reason. The size is checked from the header before decoding."""
    if not data:
        raise ImageError(name, "empty file")
    kind = image_format(data)
    if kind is None:
        unsupported = next((label for signature, label in _UNSUPPORTED if data.startswith(signature)), None)
        if unsupported:
            raise ImageError(name, f"{unsupported} images are not read (their size cannot be checked before "
                                   f"decoding); use JPEG, PNG, TIFF, WebP, BMP, GIF, PNM or JPEG 2000")
        media = _unread_media_format(data)
        if media == "HEIC":
            raise ImageError(name, "HEIC photos (an iPhone's default) are not read; save it as JPEG, or set the "
                                   "iPhone to Settings > Camera > Formats > Most Compatible")
        if media == "AVIF":
            raise ImageError(name, "AVIF photos are not read; save it as JPEG or PNG")
        raise ImageError(name, "not an image or corrupt (cannot be decoded)")
    size = declared_size(data)
    if size is None:
        raise ImageError(name, f"not an image or corrupt (cannot be decoded: no size in its {kind} header)")
    width, height = size
    if width * height > max_pixels:
        raise _pixel_limit_error(name, width, height, max_pixels)
    if width == 0 or height == 0:
        raise ImageError(name, "image has zero width or height")
    try:
        with _native_stderr_silenced():
            image = cv2.imdecode(np.frombuffer(data, np.uint8), _DECODE_FLAGS)
    except cv2.error as exc:  # OpenCV's own limits and sanity assertions on a damaged header
        if "CV_IO_MAX_IMAGE" in str(exc):
            raise ImageError(name, f"image is larger than OpenCV's decoder limits "
                                   f"(width, height or {MAX_IMAGE_PIXELS_CEILING:,} pixels)") from None
        image = None
    if image is None or image.size == 0:
        raise ImageError(name, "not an image or corrupt (cannot be decoded)")
    if image.shape[0] * image.shape[1] > max_pixels:
        raise _pixel_limit_error(name, image.shape[1], image.shape[0], max_pixels)
    return to_bgr8(image)


def read_image_bytes(path: str | Path, max_bytes: int = DEFAULT_MAX_IMAGE_BYTES) -> bytes:
    """The bytes of an image file, or ImageError: only a regular file (a link to one is fine) of at
    most ``max_bytes`` is read. A FIFO, a device (``/dev/zero``) or a socket is refused without
    reading, and opening never blocks (``files.read_bounded``)."""
    path = Path(path)
    try:
        return read_bounded(path, max_bytes)
    except FileMissing:
        raise ImageError(path, "no such file") from None
    except NotARegularFile as exc:
        raise ImageError(path, "is a folder, not an image" if exc.is_folder else
                         f"is {exc.kind}, not an image file") from None
    except FileTooLarge as exc:
        raise ImageError(path, f"file is {exc.size:,} bytes, above the limit of {max_bytes:,} (setting max_image_bytes)"
                         if exc.size is not None else
                         f"file is larger than the limit of {max_bytes:,} bytes (setting max_image_bytes)") from None
    except FileReadError as exc:
        raise ImageError(path, f"cannot be read ({exc.reason})") from None


def load_image(path: str | Path, max_pixels: int, max_bytes: int = DEFAULT_MAX_IMAGE_BYTES) -> np.ndarray:
    """BGR uint8 image from ``path``; raises ImageError with a one-line reason."""
    # Read bytes ourselves: cv2.imread cannot open non-ASCII paths on Windows, and follows FIFOs.
    return decode_image(read_image_bytes(path, max_bytes), path, max_pixels)


# Colour formats OpenCV encodes in memory. Its JPEG 2000 and Radiance encoders go through a temporary
# file in the system's temp folder, created with the umask's mode (world-readable) and left behind when
# encoding fails: a face image must never be written there. PGM and PBM cannot hold colour.
WRITABLE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


def copy_suffix(suffix: str) -> str:
    """The suffix a written copy of an image of ``suffix`` gets: the same where ``write_image`` can
    write it, else PNG (lossless)."""
    return suffix if suffix.lower() in WRITABLE_SUFFIXES else ".png"


def write_image(path: str | Path, image: np.ndarray) -> None:
    """Encode by suffix (one of ``WRITABLE_SUFFIXES``) and write user-only (it shows faces), with
    non-ASCII paths working everywhere."""
    path = Path(path)
    if path.suffix.lower() not in WRITABLE_SUFFIXES:
        raise ImageError(path, f"cannot write images as {path.suffix or 'a file without a suffix'}; "
                               f"use {', '.join(sorted(WRITABLE_SUFFIXES))}")
    ok, encoded = cv2.imencode(path.suffix, image)
    if not ok:
        raise ImageError(path, "cannot encode an image with this suffix")
    write_private(path, encoded.tobytes())


def list_images(folder: Path) -> list[Path]:
    """Entries of ``folder`` other than sub-folders (not recursive) sorted by name; non-image and special
    files (a FIFO, a link to a device) are kept, so that reading them reports each one by name."""
    return sorted((p for p in folder.iterdir() if not p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.name)
