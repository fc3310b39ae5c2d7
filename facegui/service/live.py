"""Live video: name the faces of consecutive frames of one stream and log attendance.

Shared by the window's camera worker, ``facegui video`` and the soak benchmark, so all three
recognise a stream the same way.
"""
from __future__ import annotations

import logging

import numpy as np

from ..engine.adaptive import AdaptiveInputSize
from ..engine.tracking import FaceTracker, TrackedRecognition, TrackingPolicy
from ..storage import StorageError
from ..storage.attendance import AttendanceEvent
from .attendance import AttendanceService
from .recognizer import Recognizer

log = logging.getLogger(__name__)


class LiveRecognizer:
    """One per stream; used from one thread.

    With ``settings.tracking`` a ``FaceTracker`` follows faces, so each is embedded only when needed
    and keeps its track id and name (and ``AdaptiveInputSize`` shrinks the detector input when
    ``settings.adaptive_detection``); without it every face of every frame is embedded.
    """

    def __init__(self, recognizer: Recognizer, attendance: AttendanceService | None = None,
                 source: str = "camera"):
        self.recognizer = recognizer
        self.attendance = attendance
        self.source = source
        settings = recognizer.settings
        self.tracker = FaceTracker(TrackingPolicy.from_settings(settings)) if settings.tracking else None
        self.adaptive = AdaptiveInputSize.from_settings(settings) if (
            settings.tracking and settings.adaptive_detection) else None
        self.attendance_failed = False

    def recognize(self, frame: np.ndarray) -> list[TrackedRecognition]:
        if self.tracker is None:
            return [TrackedRecognition(r, None, True) for r in self.recognizer.identify(frame)]
        return self.recognizer.engine.identify_tracked(frame, self.tracker, self.recognizer.gallery, self.adaptive)

    def process(self, frame: np.ndarray) -> tuple[list[TrackedRecognition], list[AttendanceEvent]]:
        """The faces of one frame, and the check-ins they caused."""
        faces = self.recognize(frame)
        events: list[AttendanceEvent] = []
        if self.attendance is not None:
            try:
                events = self.attendance.observe(frame, [f.recognition for f in faces], self.source)
                self.attendance_failed = False
            except StorageError as exc:  # a full disk must not stop the camera; the next frame retries
                if not self.attendance_failed:
                    log.warning("Attendance not recorded: %s", exc)
                self.attendance_failed = True
        return faces, events
