"""What a capture may hand over instead of a BGR picture, and what the engine is given of it
(engine/video.py: usable_frame). The real detector on such frames: tests/test_engine.py."""
from __future__ import annotations

import numpy as np
import pytest

from facegui.engine.video import usable_frame


def test_a_bgr_frame_is_given_on_as_it_is():
    frame = np.zeros((480, 640, 3), np.uint8)
    assert usable_frame(frame) is frame


@pytest.mark.parametrize("frame", [
    np.zeros((48, 64), np.uint16),           # a depth camera's node
    np.zeros((48, 64), np.uint8),            # grey
    np.zeros((48, 64, 1), np.uint8),
    np.zeros((48, 64, 4), np.uint8),         # BGRA
    np.zeros((48, 64, 3), np.float32),
], ids=["16-bit", "grey", "grey, one channel", "BGRA", "float"])
def test_other_pictures_become_bgr_of_the_same_size(frame):
    usable = usable_frame(frame)
    assert usable is not None and usable.shape == (48, 64, 3) and usable.dtype == np.uint8


def test_sixteen_bits_keep_their_brightness():
    usable = usable_frame(np.full((4, 4), 0x8000, np.uint16))
    assert usable is not None and int(usable[0, 0, 0]) == 0x80


@pytest.mark.parametrize("frame", [
    None,
    np.zeros((0, 0, 3), np.uint8),                            # a broken stream's empty frame
    np.frombuffer(b"\xff\xd8\xff\xe0" * 100, np.uint8)[None],  # a compressed frame's raw bytes in one row
    np.zeros((1, 640), np.uint8),
    np.zeros((8,), np.uint8),
    np.zeros((2, 2, 2, 2), np.uint8),
], ids=["none", "empty", "raw JPEG bytes", "one row", "1-d", "4-d"])
def test_what_is_no_picture_is_none(frame):
    assert usable_frame(frame) is None
