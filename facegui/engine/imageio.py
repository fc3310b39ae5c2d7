"""Reading images from disk into BGR uint8 arrays, refusing what cannot be read safely."""
from __future__ import annotations

import contextlib
import os
import struct
import sys
from collections.abc import Iterator
import threading
from pathlib import Path

import cv2
import numpy as np

# libjpeg/libpng warnings about corrupt files would reach the user's terminal as noise;
# every failure is reported by ImageError instead.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".jp2", ".pgm", ".ppm"})


class ImageError(ValueError):
    """An input image that cannot be used; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return None


# Start-of-frame markers that carry the image size (all but DHT/JPG/DAC).
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    if data[:2] != b"\xff\xd8":
        return None
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


def declared_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG or JPEG header without decoding the pixels."""
    return _png_size(data) or _jpeg_size(data)


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


def decode_image(data: bytes, name: str | Path, max_pixels: int) -> np.ndarray:
    if not data:
        raise ImageError(name, "empty file")
    size = declared_size(data)
    if size is not None:
        width, height = size
        if width * height > max_pixels:
            raise ImageError(name, f"image is {width}x{height} pixels, above the limit of "
                                   f"{max_pixels:,} (setting max_image_pixels)")
        if width == 0 or height == 0:
            raise ImageError(name, "image has zero width or height")
    try:
        with _native_stderr_silenced():
            image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    except cv2.error:  # OpenCV's own size and sanity assertions on a damaged header
        image = None
    if image is None or image.size == 0:
        raise ImageError(name, "not an image or corrupt (cannot be decoded)")
    if image.shape[0] * image.shape[1] > max_pixels:
        raise ImageError(name, f"image is {image.shape[1]}x{image.shape[0]} pixels, above the limit "
                               f"of {max_pixels:,} (setting max_image_pixels)")
    return to_bgr8(image)


def load_image(path: str | Path, max_pixels: int) -> np.ndarray:
    """BGR uint8 image from ``path``; raises ImageError with a one-line reason."""
    path = Path(path)
    # Read bytes ourselves: cv2.imread cannot open non-ASCII paths on Windows.
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageError(path, "no such file") from None
    except IsADirectoryError:
        raise ImageError(path, "is a folder, not an image") from None
    except OSError as exc:
        raise ImageError(path, f"cannot be read ({exc.strerror or exc})") from None
    return decode_image(data, path, max_pixels)


def write_image(path: str | Path, image: np.ndarray) -> None:
    """Encode by suffix and write, with non-ASCII paths working everywhere."""
    path = Path(path)
    ok, encoded = cv2.imencode(path.suffix or ".jpg", image)
    if not ok:
        raise ImageError(path, "cannot encode an image with this suffix")
    path.write_bytes(encoded.tobytes())


def list_images(folder: Path) -> list[Path]:
    """Files in ``folder`` (not recursive) sorted by name; non-image files are kept for reporting."""
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
                  key=lambda p: p.name)
