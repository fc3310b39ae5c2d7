"""Region-of-interest detection: between full-frame passes, run the detector only around tracked faces.

RetinaFace's cost grows with its input area. A tracked face moves little from one frame to the next,
so a padded square around its last box finds it again, at a fraction of the frame's area. The squares
keep the full-frame pass's scale (see ``RetinaFaceDetector.detect_regions``) so boxes, landmarks and
therefore embeddings and names are those a full-frame pass would give. Faces that are not tracked yet are found by a full-frame pass,
which runs every ``roi_full_every`` frames, at once at a scene cut or when something moves outside the
tracked faces (a cheap frame difference), and on the frame after a tracked face was not found again.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import Settings
from .detector import Region
from .face import Face
from .motion import FrameChange
from .tracking import iou_matrix

MIN_REGION_SIDE = 128
"""Pixels: a small face's region is widened to this, so the network sees enough around it."""
MARGINAL_SCORE = 0.2
"""A face scoring less than this above the detector's threshold is at the edge of detectability."""
MAX_REGION_SHARE = 0.5
"""Regions covering more than this share of the frame are no saving: the frame is searched in full. A
close face's region scaled to the small input also sees it no sharper than a small full-frame pass,
and some close-ups of the test video are found only at the full input size."""


def region_around(face: Face, padding: float, frame_shape: tuple[int, ...]) -> Region:
    """A square ``padding`` times the face box's longer side (at least ``MIN_REGION_SIDE``), centred on
    it, moved inside the frame where it would cross an edge: a face at the edge keeps its context."""
    height, width = frame_shape[:2]
    x1, y1, x2, y2 = (float(v) for v in face.bbox)
    side = max(padding * max(x2 - x1, y2 - y1), MIN_REGION_SIDE)
    left = min(max(0.0, (x1 + x2 - side) / 2), max(0.0, width - side))
    top = min(max(0.0, (y1 + y2 - side) / 2), max(0.0, height - side))
    right, bottom = min(float(width), left + side), min(float(height), top + side)
    return int(left), int(top), max(int(right + 0.5), int(left) + 1), max(int(bottom + 0.5), int(top) + 1)


def _area(region: Region) -> int:
    return (region[2] - region[0]) * (region[3] - region[1])


def _side(region: Region) -> int:
    return max(region[2] - region[0], region[3] - region[1])


def merge_overlapping(regions: list[tuple[Region, int]]) -> list[tuple[Region, int]]:
    """Overlapping regions (faces side by side) become their bounding box wherever that covers no more
    than the two apart: one search instead of the same pixels twice. Each carries the side of the
    largest face region in it."""
    merged = list(regions)
    joined = True
    while joined:
        joined = False
        for i, (a, side_a) in enumerate(merged):
            for j in range(i + 1, len(merged)):
                b, side_b = merged[j]
                union = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                if _area(union) <= _area(a) + _area(b):
                    merged[i] = (union, max(side_a, side_b))
                    del merged[j]
                    joined = True
                    break
            if joined:
                break
    return merged


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
    track_confidence: float
    """Detector score that continues a tracked face in its region: a face at the edge of detectability
    (scoring about the threshold in full frames) would otherwise come and go from frame to frame."""
    new_face_confidence: float
    continue_iou: float
    hold_still: bool = True
    """Frames unchanged since the last detection pass are not searched (``holds``)."""
    max_sides: list[int] = field(default_factory=list)
    """For the regions of the last plan: the side each may keep before it is scaled down."""
    _since_full: int = 0
    _lost_a_face: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "RegionPlanner":
        return cls(settings.roi_full_every, settings.roi_padding, settings.roi_max_side, settings.roi_motion_share,
                   min(settings.roi_track_confidence, settings.detector_confidence), settings.detector_confidence,
                   settings.track_iou, settings.roi_hold_still)

    def holds(self, change: FrameChange) -> bool:
        """Whether this frame needs no detection at all: it shows what the last detection pass saw, no
        tracked face was lost since, and no periodic full pass is due. Counts towards that pass."""
        if not (self.hold_still and change.unchanged_since_detection and not change.scene_cut
                and not self._lost_a_face and self._since_full + 1 < self.full_every):
            return False
        self._since_full += 1
        return True

    def plan(self, tracked: list[Face], change: FrameChange, frame_shape: tuple[int, ...]) -> list[Region] | None:
        """Regions to search in this frame, or None for a full-frame pass (``max_sides`` then holds,
        per region, the side it may keep before it is scaled down)."""
        self._since_full += 1
        full = (not tracked or self._lost_a_face or change.scene_cut or self._since_full >= self.full_every
                or change.motion_outside(tracked, frame_shape, (self.padding - 1) / 2, self.motion_share))
        planned = [] if full else merge_overlapping(
            [(region, _side(region)) for region in (region_around(f, self.padding, frame_shape) for f in tracked)])
        if sum(_area(region) for region, _ in planned) > MAX_REGION_SHARE * frame_shape[0] * frame_shape[1]:
            full = True
        if full:
            self.ran_full_frame()
            return None
        # A merged region keeps the scale its largest face's own region would get.
        self.max_sides = [round(self.max_side * _side(region) / largest) for region, largest in planned]
        return [region for region, _ in planned]

    def accept(self, found: list[Face], tracked: list[Face]) -> list[Face]:
        """The faces of a region pass, searched at ``track_confidence``: a score below the detector's
        own threshold only continues a tracked face (the same box); it never starts a track."""
        if not found:
            return []
        if not tracked:
            return [f for f in found if f.score >= self.new_face_confidence]
        overlap = iou_matrix(np.stack([f.bbox for f in found]), np.stack([t.bbox for t in tracked])).max(axis=1)
        return [f for f, o in zip(found, overlap) if f.score >= self.new_face_confidence or o >= self.continue_iou]

    def ran_full_frame(self) -> None:
        self._since_full = 0
        self._lost_a_face = False

    def lost(self, faces: list[Face]) -> None:
        """After a region pass: these tracked faces (as last seen) were not found again. A clear face that
        was lost (turned away, hidden, or moved out of its region) gets a full-frame pass next; one at the
        edge of detectability, which a region may miss for lack of context, waits for the periodic pass."""
        if any(face.score >= self.new_face_confidence + MARGINAL_SCORE for face in faces):
            self._lost_a_face = True
