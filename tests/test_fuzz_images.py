"""Fuzzing the image loader and the CLI with mutated real photos: never a crash, a hang or a traceback."""
from __future__ import annotations

import functools
import struct
import time
import zlib

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facegui.app import main
from facegui.config import Settings
from facegui.engine.imageio import ImageError, decode_image

from .conftest import FACES

MAX_PIXELS = Settings().max_image_pixels
SECONDS_PER_CASE = 5.0


def _real_seeds() -> dict[str, bytes]:
    """Small real photos in each container the loader sniffs, plus a few it only decodes."""
    photo = cv2.imread(str(FACES / "probes" / "obama_small.jpg"))
    seeds = {"jpg": (FACES / "probes" / "obama_small.jpg").read_bytes()}
    for ext in ("png", "bmp", "webp", "tiff"):
        ok, data = cv2.imencode(f".{ext}", photo)
        assert ok
        seeds[ext] = data.tobytes()
    ok, grey16 = cv2.imencode(".png", cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257)
    seeds["png16"] = grey16.tobytes()
    return seeds


@functools.cache
def seeds() -> dict[str, bytes]:
    """Read when a test first draws, not at import: collecting the unit tier needs no ../shared."""
    return _real_seeds()


def _png_with_size(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))  # noqa: E731
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 256)) + chunk(b"IEND", b"")


def _jpeg_with_size(seed: bytes, width: int, height: int) -> bytes:
    """The real JPEG with its frame header claiming another size."""
    data = bytearray(seed)
    pos = 2
    while pos + 9 <= len(data):
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[pos + 5:pos + 9] = struct.pack(">HH", height, width)
            break
        pos += 2 + length
    return bytes(data)


@st.composite
def mutated_images(draw) -> bytes:
    seed = seeds()[draw(st.sampled_from(sorted(seeds())))]
    kind = draw(st.sampled_from(["flip", "truncate", "splice", "png_size", "jpeg_size", "garbage", "empty"]))
    if kind == "flip":
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 40))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if kind == "truncate":
        return seed[:draw(st.integers(0, len(seed) - 1))]
    if kind == "splice":
        at = draw(st.integers(0, len(seed)))
        return seed[:at] + draw(st.binary(min_size=1, max_size=512)) + seed[at:]
    if kind == "png_size":
        return _png_with_size(draw(st.integers(0, 2**31 - 1)), draw(st.integers(0, 2**31 - 1)))
    if kind == "jpeg_size":
        return _jpeg_with_size(seeds()["jpg"], draw(st.integers(0, 65535)), draw(st.integers(0, 65535)))
    if kind == "garbage":
        return draw(st.binary(min_size=1, max_size=2048))
    return b""


@settings(max_examples=1200, deadline=SECONDS_PER_CASE * 1000, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated_images(), suffix=st.sampled_from([".jpg", ".png", ".gif", ".txt", ""]))
def test_loader_returns_an_image_or_one_clear_line(data, suffix):
    name = f"fuzzed{suffix}"
    try:
        image = decode_image(data, name, MAX_PIXELS)
    except ImageError as exc:
        message = str(exc)
        assert message.startswith(name + ": ") and "\n" not in message and len(message) < 300
        return
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    assert image.shape[0] * image.shape[1] <= MAX_PIXELS


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(data=mutated_images())
def test_cli_identify_never_shows_a_traceback(data, fuzz_dir, models_dir, capsys):
    path = fuzz_dir / "件.jpg"
    path.write_bytes(data)
    started = time.perf_counter()
    code = main(["identify", str(path), "--json", "--data-dir", str(fuzz_dir / "data"), "--models", str(models_dir),
                 "--config", str(fuzz_dir / "none.json")])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert elapsed < SECONDS_PER_CASE
    assert "Traceback" not in captured.err
    if code == 1:
        (line,) = [line for line in captured.err.splitlines() if str(path) in line]
        assert line.startswith(f"facegui: {path}: ")
        assert all(line.startswith("facegui: ") for line in captured.err.splitlines())
    else:
        assert code == 0 and captured.out.strip().startswith("{")
