"""Adaptive detector input: a smaller network input while every face in view is large.

RetinaFace's cost grows with its input area, and a face that is large in the frame is still found
at a much smaller input. Small or new faces must not be lost, so the full size is used whenever no
face is known, and every few frames regardless, to catch newcomers.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from .face import Face

_ALIGN = 32  # the network's coarsest stride


@dataclass
class AdaptiveInputSize:
    full_size: int
    min_face_px: int
    """Smallest face width wanted at the network input; RetinaFace's smallest anchor is 16 px."""
    min_size: int
    full_every: int
    """Every this many frames the full size runs, so a small newcomer is found within that many frames."""
    _frame: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> "AdaptiveInputSize":
        return cls(settings.detector_input_size, settings.adaptive_min_face_px, settings.adaptive_min_input,
                   settings.adaptive_full_every)

    def next_size(self, previous_faces: list[Face], frame_long_side: int) -> int:
        self._frame += 1
        if not previous_faces or self._frame % self.full_every == 0:
            return self.full_size
        smallest = min(f.width for f in previous_faces)
        wanted = frame_long_side * self.min_face_px / max(smallest, 1.0)
        size = int(-(-wanted // _ALIGN) * _ALIGN)
        return max(self.min_size, min(self.full_size, size))
