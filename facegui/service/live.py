"""Live video: name the faces of consecutive frames of one stream and log attendance.

Shared by the window's camera worker, ``facegui video`` and the benchmarks, so all of them recognise a
stream the same way, along one route: frame → faces (engine) → tracks and the faces that need an
embedding (tracker) → embeddings (engine) → matches (gallery) → attendance → the caller's view.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..engine.adaptive import AdaptiveInputSize
from ..engine.face import Face
from ..engine.matcher import match_faces
from ..engine.motion import FrameDifference
from ..engine.regions import RegionPlanner
from ..engine.tracking import FaceTracker, Track, TrackedRecognition, TrackingPolicy
from ..storage import StorageError
from ..storage.attendance import AttendanceEvent
from .attendance import AttendanceService
from .recognizer import Recognizer

log = logging.getLogger(__name__)

RECENTLY_MISSED = 2
"""Frames a track may have gone undetected and still have its region searched."""


@dataclass(frozen=True)
class PendingFrame:
    """A frame detected and tracked, waiting for the embeddings of the faces that need one."""

    frame: np.ndarray
    tracks: list[Track]
    due: list[Track]
    """Tracks whose faces must be embedded in this frame (none when untracked)."""
    faces_to_embed: list[Face]
    """The faces of ``due``, or every detection when untracked."""


class LiveRecognizer:
    """One per stream; used from one thread.

    With ``settings.tracking`` a ``FaceTracker`` follows faces, so each is embedded only when needed
    and keeps its track id, and with ``settings.roi_detection`` a ``RegionPlanner`` runs the detector
    only around tracked faces between full-frame passes (``AdaptiveInputSize`` shrinks the full-frame
    input when ``settings.adaptive_detection``); without tracking every face of every frame is
    detected in full and embedded.
    """

    def __init__(self, recognizer: Recognizer, attendance: AttendanceService | None = None,
                 source: str = "camera"):
        self.recognizer = recognizer
        self.attendance = attendance
        self.source = source
        settings = recognizer.settings
        self.tracker = FaceTracker(TrackingPolicy.from_settings(settings)) if settings.tracking else None
        self.frame_change = FrameDifference.from_settings(settings)
        self.adaptive = AdaptiveInputSize.from_settings(settings) if (
            settings.tracking and settings.adaptive_detection) else None
        self.regions = RegionPlanner.from_settings(settings) if (
            settings.tracking and settings.roi_detection) else None
        self._gallery_revision = recognizer.gallery.revision
        """The gallery's revision the tracks' names were matched against."""
        self.full_frame_passes = 0
        """Frames the detector ran on in full (every frame without region-of-interest detection)."""
        self.attendance_failed = False

    @property
    def threshold(self) -> float:
        return self.recognizer.settings.similarity_threshold

    # -- the two halves of one frame, apart so that several streams can share one embedding call ------
    def begin(self, frame: np.ndarray) -> PendingFrame:
        """Detect the faces of ``frame`` and say which need an embedding."""
        engine = self.recognizer.engine
        if self.tracker is None:
            return PendingFrame(frame, [], [], engine.detect(frame))
        revision = self.recognizer.gallery.revision
        if revision != self._gallery_revision:  # a removed person must not stay named on their track
            self.tracker.forget_names()
            self._gallery_revision = revision
        change = self.frame_change.update(frame)
        visible = self.tracker.visible_tracks()
        planner = self.regions
        # A picture unchanged since the last detection pass shows the same faces in the same places.
        held = False
        if planner is not None and self.tracker.seen_by_regions_since_embedding() and planner.holds(change):
            before = self.tracker.checkpoint()
            tracks = self.tracker.hold()
            due = self.tracker.due(tracks, self.threshold, routine=False)
            if not due:
                return PendingFrame(frame, tracks, due, [])
            self.tracker.rewind(before)  # a face must be embedded now: from a full-frame pass, as always
            planner.ran_full_frame()
            held = True
        # Recently missed tracks are searched too: a face at the edge of detectability comes and goes.
        searched = [t.face for t in self.tracker.tracks if t.misses <= RECENTLY_MISSED]
        regions = planner.plan(searched, change, frame.shape) if planner is not None and not held else None
        self.frame_change.detected()
        if planner is not None and regions is not None:
            before = self.tracker.checkpoint()
            found = planner.accept(engine.detect_regions(frame, regions, planner.max_sides, planner.track_confidence),
                                   searched)
            tracks = self.tracker.update(found, change.scene_cut, from_regions=True)
            due = self.tracker.due(tracks, self.threshold, routine=False)  # a settled face waits for a full pass
            if not due:
                planner.lost([t.face for t in visible if t.misses > 0])
                return PendingFrame(frame, tracks, due, [])
            # Embed only from a full-frame pass's landmarks: the same as an untracked run's, so a fresh
            # similarity is exactly the one an untracked run shows (a region's landmarks move it by up to 0.14).
            self.tracker.rewind(before)
            planner.ran_full_frame()
        long_side = None
        if self.adaptive is not None:
            long_side = self.adaptive.next_size([] if change.scene_cut else [t.face for t in visible],
                                                max(frame.shape[:2]))
        self.full_frame_passes += 1
        tracks = self.tracker.update(engine.detect(frame, long_side), change.scene_cut)
        due = self.tracker.due(tracks, self.threshold)
        return PendingFrame(frame, tracks, due, [t.face for t in due])

    def finish(self, pending: PendingFrame, embedded: list[Face]) -> list[TrackedRecognition]:
        """The faces of the frame, given the embeddings of ``pending.faces_to_embed``."""
        if self.tracker is None:
            matches = match_faces(embedded, self.recognizer.gallery, self.threshold)
            return [TrackedRecognition(match, None, True) for match in matches]
        steady = self.tracker.absorb(pending.due, embedded)
        # One gallery search for this frame's embeddings and the tracks' means alike.
        matches = match_faces(embedded + steady, self.recognizer.gallery, self.threshold)
        self.tracker.record(pending.due, matches[:len(embedded)], matches[len(embedded):])
        return self.tracker.recognitions(pending.tracks)

    def recognize(self, frame: np.ndarray) -> list[TrackedRecognition]:
        pending = self.begin(frame)
        return self.finish(pending, self.recognizer.engine.embed(frame, pending.faces_to_embed))

    def record_attendance(self, frame: np.ndarray, faces: list[TrackedRecognition]) -> list[AttendanceEvent]:
        """The check-ins these faces cause (none without an attendance service)."""
        if self.attendance is None:
            return []
        try:
            events = self.attendance.observe(frame, faces, self.source)
        except StorageError as exc:  # a full disk must not stop the camera; the next frame retries
            if not self.attendance_failed:
                log.warning("Attendance not recorded: %s", exc)
            self.attendance_failed = True
            return []
        self.attendance_failed = False
        return events

    def process(self, frame: np.ndarray) -> tuple[list[TrackedRecognition], list[AttendanceEvent]]:
        """The faces of one frame, and the check-ins they caused."""
        faces = self.recognize(frame)
        return faces, self.record_attendance(frame, faces)
