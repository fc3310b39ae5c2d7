"""Cheap frame differences on a downscaled grey frame: scene cuts, and motion outside the tracked faces.

A 64x48 grey thumbnail costs well under a millisecond, against several for a full-frame detection, so
every frame gets one and the expensive steps run only when it says the picture changed.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..config import Settings
from .face import Face

THUMBNAIL_SIZE = (64, 48)
"""(width, height) of the grey thumbnail compared from frame to frame."""
CHANGED_PIXEL_LEVEL = 25
"""A thumbnail pixel whose grey level moved by more than this (of 255) changed; sensor noise stays below."""


@dataclass(frozen=True)
class FrameChange:
    """How one frame differs from the previous one."""

    difference: np.ndarray | None
    """Absolute grey difference per thumbnail pixel (None for the first frame)."""
    scene_cut: bool
    unchanged_since_detection: bool = False
    """No thumbnail pixel moved by more than ``CHANGED_PIXEL_LEVEL`` since the last frame a detection pass
    ran on (``FrameDifference.detected``): compared with that frame, not the previous one, so a slow change
    adds up."""

    def motion_outside(self, faces: list[Face], frame_shape: tuple[int, ...], padding: float,
                       min_share: float) -> bool:
        """Whether more than ``min_share`` of the thumbnail changed outside the faces' boxes (each
        widened by ``padding`` of its size on every side): someone may have come into view."""
        if self.difference is None:
            return True
        changed = self.difference > CHANGED_PIXEL_LEVEL
        height, width = frame_shape[:2]
        scale = np.array([THUMBNAIL_SIZE[0] / width, THUMBNAIL_SIZE[1] / height] * 2, dtype=np.float32)
        for face in faces:
            pad = padding * np.array([face.width, face.height] * 2, dtype=np.float32) * np.array([-1, -1, 1, 1])
            x1, y1, x2, y2 = ((face.bbox + pad) * scale).round().astype(int)
            changed[max(y1, 0):max(y2, 0), max(x1, 0):max(x2, 0)] = False
        return bool(changed.mean() > min_share)


class FrameDifference:
    """Compares each frame of one stream with the previous one."""

    def __init__(self, scene_cut_level: float):
        self.scene_cut_level = scene_cut_level
        """Mean absolute grey difference (0-255) from which a frame counts as a scene cut."""
        self._previous: np.ndarray | None = None
        self._detected: np.ndarray | None = None
        self._shape: tuple[int, int] | None = None
        """(height, width) of the previous frame."""

    @classmethod
    def from_settings(cls, settings: Settings) -> "FrameDifference":
        return cls(settings.scene_cut_difference)

    def update(self, frame_bgr: np.ndarray) -> FrameChange:
        grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY) if frame_bgr.ndim == 3 else frame_bgr
        thumbnail = cv2.resize(grey, THUMBNAIL_SIZE, interpolation=cv2.INTER_AREA)
        previous, self._previous = self._previous, thumbnail
        shape, self._shape = self._shape, (frame_bgr.shape[0], frame_bgr.shape[1])
        if previous is None:
            return FrameChange(None, False)
        if shape != self._shape:
            # A stream that changed its resolution: the thumbnails may look alike, but every box of before
            # is in the other size's pixels, so a track must not carry its name over to whoever stands there now.
            self._detected = None
            return FrameChange(None, True)
        difference = cv2.absdiff(thumbnail, previous)
        unchanged = self._detected is not None and \
            int(cv2.absdiff(thumbnail, self._detected).max()) <= CHANGED_PIXEL_LEVEL
        return FrameChange(difference, float(difference.mean()) >= self.scene_cut_level, unchanged)

    def detected(self) -> None:
        """A detection pass ran on the frame of the last ``update``: later frames are compared with it."""
        self._detected = self._previous
