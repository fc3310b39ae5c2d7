"""Hostile image files, built from their format specifications (shared by the tests and bench/bench_bombs.py).

Each bomb is a few hundred bytes whose header declares an image of a billion pixels or so: a decoder
that trusts the header allocates gigabytes (a 16 KB TIFF took 12 GB, a 10 KB WebP 1.7 GB, an RLE
BMP 1.9 GB before the size was checked first).
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np

BOMB_SIDE = 32000  # 1.02 billion pixels: 3 GB as BGR


def _tiff() -> bytes:
    entries = [(256, 4, 1, BOMB_SIDE), (257, 4, 1, BOMB_SIDE), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, BOMB_SIDE), (279, 4, 1, 1)]
    ifd_offset = 16
    body = b"II*\x00" + struct.pack("<I", ifd_offset) + b"\x00" * 8
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHII", tag, kind, count, value) if kind == 4 else struct.pack("<HHIHH", tag, kind, count, value, 0)
        for tag, kind, count, value in entries) + struct.pack("<I", 0)
    return body + ifd + b"\x00" * 16000  # 16 KB like the one in the report


def _webp() -> bytes:
    side = 16383  # the largest a VP8L header can declare
    bits = (side - 1) | ((side - 1) << 14)
    payload = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 10000
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def _bmp_rle() -> bytes:
    palette = b"".join(struct.pack("<BBBB", i, i, i, 0) for i in range(256))
    pixels = b"\x00\x01"  # RLE8 "end of bitmap": the decoder fills the whole declared canvas
    offset = 14 + 40 + len(palette)
    info = struct.pack("<IiiHHIIiiII", 40, BOMB_SIDE, BOMB_SIDE, 1, 8, 1, len(pixels), 2835, 2835, 256, 0)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + palette + pixels


def _png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", BOMB_SIDE * 2, BOMB_SIDE * 2, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _jpeg(real_photo: Path) -> bytes:
    """A real photo whose frame header claims 65000x65000."""
    data = bytearray(real_photo.read_bytes())
    pos = 2
    while pos + 9 <= len(data):
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[pos + 5:pos + 9] = struct.pack(">HH", 65000, 65000)
            break
        pos += 2 + length
    return bytes(data)


def _jpeg2000() -> bytes:
    siz = struct.pack(">HHIIIIIIIIH", 41, 0, BOMB_SIDE, BOMB_SIDE, 0, 0, BOMB_SIDE, BOMB_SIDE, 0, 0, 1) + b"\x07\x01\x01"
    return b"\xff\x4f\xff\x51" + siz + b"\xff\xd9"


def _gif() -> bytes:
    header = b"GIF89a" + struct.pack("<HHBBB", BOMB_SIDE, BOMB_SIDE, 0, 0, 0)
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, BOMB_SIDE, BOMB_SIDE, 0) + b"\x02\x02\x44\x01\x00"
    return header + frame + b"\x3b"


def bombs(real_photo: Path) -> dict[str, bytes]:
    """File name → bytes of one bomb per format facegui accepts."""
    return {
        "bomb.tiff": _tiff(),
        "bomb.webp": _webp(),
        "bomb_rle.bmp": _bmp_rle(),
        "bomb.ppm": f"P6\n{BOMB_SIDE} {BOMB_SIDE}\n255\n".encode() + b"\x00" * 1000,
        "bomb.pgm": f"P5\n# a comment\n{BOMB_SIDE} {BOMB_SIDE}\n255\n".encode() + b"\x00" * 1000,
        "bomb.pam": f"P7\nWIDTH {BOMB_SIDE}\nHEIGHT {BOMB_SIDE}\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n".encode(),
        "bomb.png": _png(),
        "bomb.jpg": _jpeg(real_photo),
        "bomb.j2k": _jpeg2000(),
        "bomb.gif": _gif(),
    }


def exif_orientation_segment(orientation: int) -> bytes:
    """A JPEG APP1 segment holding only an EXIF Orientation tag (TIFF structure, little-endian)."""
    ifd = struct.pack("<H", 1) + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0)
    payload = b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", 8) + ifd
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def phone_photo(upright_photo: Path, orientation: int = 6) -> bytes:
    """What a phone writes for a portrait shot: the sensor's pixels (the upright photo turned 90° to the
    left) and EXIF orientation 6, "rotate 90° clockwise to display"."""
    upright = cv2.imread(str(upright_photo))
    sensor = cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE)
    ok, encoded = cv2.imencode(".jpg", sensor, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    data = encoded.tobytes()
    return data[:2] + exif_orientation_segment(orientation) + data[2:]


def false_face_photo(kit_harington_2: Path) -> np.ndarray:
    """The top-left 441x261 of gallery/kit_harington_2.jpg: RetinaFace finds the real face (score 1.00,
    155 px wide) and a false one on the shoulder and background (score 0.63) with a bigger box."""
    return cv2.imread(str(kit_harington_2))[0:261, 0:441].copy()
