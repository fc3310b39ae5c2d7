"""Region-of-interest detection: between full-frame passes, run the detector only around tracked faces.

RetinaFace's cost grows with its input area. A tracked face moves little from one frame to the next,
so a padded square around its last box finds it again, at a fraction of the frame's area. The squares
keep the full-frame pass's scale (see ``RetinaFaceDetector.detect_regions``) so boxes, landmarks and
therefore embeddings and names are those a full-frame pass would give. Faces that are not tracked yet are found by a full-frame pass,
which runs every ``roi_full_every`` frames, at once at a scene cut or when something moves outside the
tracked faces (a cheap frame difference), and on the frame after a tracked face was not found again.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from .detector import Region
from .face import Face
from .motion import FrameChange

MAX_REGION_SHARE = 0.5
"""Regions covering more than this share of the frame are no saving: the frame is searched in full. A
close face's region scaled to the small input also sees it no sharper than a small full-frame pass,
and some close-ups of the test video are found only at the full input size."""


def region_around(face: Face, padding: float, frame_shape: tuple[int, ...]) -> Region:
    """A square ``padding`` times the face box's longer side, centred on it, clipped to the frame."""
    height, width = frame_shape[:2]
    x1, y1, x2, y2 = (float(v) for v in face.bbox)
    half = padding * max(x2 - x1, y2 - y1) / 2
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    left, top = max(0, int(cx - half)), max(0, int(cy - half))
    right, bottom = min(width, int(cx + half + 1)), min(height, int(cy + half + 1))
    return left, top, max(right, left + 1), max(bottom, top + 1)


@dataclass
class RegionPlanner:
    """Decides, per frame of one stream, between a full-frame pass and regions around tracked faces."""

    full_every: int
    """A full-frame pass at least every this many frames, so a still newcomer is found that late at most."""
    padding: float
    max_side: int
    """Regions larger than this many network-input pixels are scaled down to it."""
    motion_share: float
    """Share of the grey thumbnail that changed outside the tracked faces from which a full pass runs."""
    _since_full: int = 0
    _lost_a_face: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "RegionPlanner":
        return cls(settings.roi_full_every, settings.roi_padding, settings.roi_max_side, settings.roi_motion_share)

    def plan(self, tracked: list[Face], change: FrameChange, frame_shape: tuple[int, ...]) -> list[Region] | None:
        """Regions to search in this frame, or None for a full-frame pass."""
        self._since_full += 1
        full = (not tracked or self._lost_a_face or change.scene_cut or self._since_full >= self.full_every
                or change.motion_outside(tracked, frame_shape, (self.padding - 1) / 2, self.motion_share))
        regions = [] if full else [region_around(face, self.padding, frame_shape) for face in tracked]
        if sum((x2 - x1) * (y2 - y1) for x1, y1, x2, y2 in regions) > MAX_REGION_SHARE * frame_shape[0] * frame_shape[1]:
            full = True
        if full:
            self.ran_full_frame()
            return None
        return regions

    def ran_full_frame(self) -> None:
        self._since_full = 0
        self._lost_a_face = False

    def found(self, expected: int, continued: int) -> None:
        """After a region pass: ``continued`` of the ``expected`` tracked faces were found again. One that
        was not (turned away, hidden, or moved out of its region) gets a full-frame pass next."""
        if continued < expected:
            self._lost_a_face = True
