"""The camera worker: capture → detect → align → embed → match → draw, off the GUI thread.

``CameraWorker`` is a QThread whose ``run`` loop owns the capture and every engine call.
It talks to the GUI only through signals carrying plain data (``FramePacket``,
``SourceState``). Two places drop frames so the newest one always wins:

* a reader thread keeps only the latest captured frame (a live camera never queues up
  stale frames behind a slow engine; a video file can be paced at its own frame rate);
* a frame is emitted only once the GUI has shown the previous one (``frame_shown``), so a
  slow GUI never accumulates a queue of pending frames.

Recognition itself is the plain-Python ``facegui.service.live.LiveRecognizer``: one ``FaceTracker`` per stream
(so a face is embedded only when needed and keeps its track id and name from frame to
frame), and, when an ``AttendanceService`` is given, every processed frame goes to its
``observe`` so people are checked in; new check-ins leave the worker as ``checkedIn``.

A source that stops delivering frames without saying so (a camera unplugged, a network stream
that hangs in ``read``) is noticed after ``stall_timeout_s`` without a frame: the worker reports
"no frames from … for 3 s, retrying", abandons the reader (a daemon thread: a ``read`` that never
returns cannot hold up stopping), reopens the source with backoff, and streams again by itself
when frames come back. A video file that ends is "ended" (or loops), never a fault.

Enrollment/removal while streaming needs nothing here: the storage Gallery is guarded by
an RLock and every frame searches its current state.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from ...engine.video import VideoSourceError, open_capture, parse_source
from ...service.live import LiveRecognizer
from ...service.sources import source_label
from ..drawing import FaceResult, annotated
from .problems import video_source_problem_text
from .text import arg, source_text

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 0.8


@dataclass(frozen=True)
class FramePacket:
    index: int
    """Number of the frame among those processed since the worker started."""
    image: QImage
    """The frame with boxes and names drawn."""
    frame: np.ndarray = field(repr=False)
    """The raw BGR frame (the enrollment dialog's "capture" uses it)."""
    faces: list[FaceResult]
    fps: float
    """Frames processed per second over the last second or so."""
    tile: int = 0
    """Which camera of several (``core/cameras.py``); 0 for the one camera."""


@dataclass(frozen=True)
class SourceState:
    state: str
    """opening, streaming, retrying, ended, stopped or error."""
    message: str
    source: str
    tile: int = 0
    """Which camera of several (``core/cameras.py``); 0 for the one camera."""


def is_file_source(source) -> bool:
    parsed = parse_source(source)
    return isinstance(parsed, str) and "://" not in parsed


class _LatestFrame:
    """A one-slot buffer between the reader and the inference loop."""

    def __init__(self, drop: bool):
        self.drop = drop
        self._cond = threading.Condition()
        self._frame = None
        self._ended = False

    def put(self, frame, stop: threading.Event) -> None:
        with self._cond:
            if not self.drop:
                while self._frame is not None and not stop.is_set():
                    self._cond.wait(0.1)
            self._frame = frame
            self._cond.notify_all()

    def end(self) -> None:
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def take(self, timeout: float):
        """(frame or None, ended)."""
        with self._cond:
            if self._frame is None and not self._ended:
                self._cond.wait(timeout)
            frame, self._frame = self._frame, None
            self._cond.notify_all()
            return frame, self._ended and frame is None


class _Reader(threading.Thread):
    """Reads frames as fast as the source gives them (or at a file's own frame rate)."""

    def __init__(self, capture, slot: _LatestFrame, fps: float):
        super().__init__(name="facegui-capture", daemon=True)
        self.capture, self.slot = capture, slot
        self.period = 1.0 / fps if fps > 0 else 0.0
        self.stop_event = threading.Event()

    def run(self) -> None:
        next_due = time.monotonic()
        try:
            while not self.stop_event.is_set():
                ok, frame = self.capture.read()
                if not ok or frame is None:
                    break
                if self.period:
                    delay = next_due - time.monotonic()
                    if delay > 0 and self.stop_event.wait(delay):
                        break
                    next_due = max(next_due + self.period, time.monotonic() - self.period)
                self.slot.put(frame, self.stop_event)
        finally:
            self.slot.end()
            self.capture.release()


def start_reader(capture, file_source: bool, pace_files: bool, slot_type: type[_LatestFrame] = _LatestFrame
                 ) -> tuple[_Reader, _LatestFrame]:
    """A reader thread over an opened capture, and the one-slot buffer it fills: a camera's newest frame wins;
    a video file is paced at its own frame rate (or, unpaced, waits for each frame to be taken)."""
    import cv2

    fps = capture.get(cv2.CAP_PROP_FPS) if (file_source and pace_files) else 0.0
    slot = slot_type(drop=not file_source or pace_files)
    reader = _Reader(capture, slot, fps if 0 < fps < 240 else 0.0)
    reader.start()
    return reader, slot


class CameraWorker(QThread):
    frameReady = Signal(object)
    """FramePacket."""
    stateChanged = Signal(object)
    """SourceState."""
    checkedIn = Signal(object)
    """AttendanceEvent (plain data) of a new check-in; never dropped, unlike frames."""

    def __init__(self, recognizer, source, *, attendance=None, pace_files: bool = True, loop_files: bool = False,
                 retry_initial_s: float = 1.0, retry_max_s: float = 10.0, stall_timeout_s: float = 3.0,
                 capture_factory=open_capture, parent=None):
        super().__init__(parent)
        self.recognizer = recognizer
        self.attendance = attendance
        self.source = str(source)
        self.pace_files = pace_files
        self.loop_files = loop_files
        self.retry_initial_s, self.retry_max_s = retry_initial_s, retry_max_s
        self.stall_timeout_s = stall_timeout_s
        self.capture_factory = capture_factory
        """``(source, open_timeout_ms=...) -> capture`` with cv2.VideoCapture's read/get/release (tests inject faults)."""
        self._stop = threading.Event()
        self._display_free = threading.Event()
        self._display_free.set()
        self._times: deque[float] = deque(maxlen=60)
        self._index = 0

    # -- called from the GUI thread (thread-safe) ---------------------------
    def frame_shown(self) -> None:
        """The GUI has rendered the last FramePacket; the next one may be emitted."""
        self._display_free.set()

    def stop(self, timeout_s: float = 1.0) -> bool:
        """Stop the loop and wait for the thread; True when it has finished."""
        self._stop.set()
        self._display_free.set()
        return self.wait(int(timeout_s * 1000)) if self.isRunning() else True

    # -- the worker thread ---------------------------------------------------
    def _state(self, state: str, message: str = "") -> None:
        self.stateChanged.emit(SourceState(state, message or state, source_text(self.source)))

    def run(self) -> None:
        backoff = self.retry_initial_s
        file_source = is_file_source(self.source)
        final = "stopped"
        while not self._stop.is_set():
            self._state("opening", arg(self.tr("opening %1…"), source_text(self.source)))
            try:
                capture = self.capture_factory(self.source, open_timeout_ms=3000)
            except VideoSourceError as exc:
                self._state("retrying", arg(self.tr("%1; retrying in %2 s"), video_source_problem_text(exc), f"{backoff:.0f}"))
                if self._stop.wait(backoff):
                    break
                backoff = min(backoff * 2, self.retry_max_s)
                continue
            reader, slot = start_reader(capture, file_source, self.pace_files)
            try:
                outcome, frames = self._process(slot)
            finally:
                reader.stop_event.set()
                reader.join(STOP_TIMEOUT_S / 3)
            if outcome == "stopped":
                break
            if outcome == "error":
                final = "error"
                break
            if outcome == "stalled":
                # The reader may be stuck in read() for ever: it is a daemon and releases the capture if it returns.
                backoff = self.retry_initial_s if frames else backoff
                self._state("retrying", arg(self.tr("no frames from %1 for %2 s, retrying in %3 s"),
                                            source_text(self.source), f"{self.stall_timeout_s:g}", f"{backoff:.0f}"))
                if self._stop.wait(backoff):
                    break
                backoff = min(backoff * 2, self.retry_max_s)
                continue
            if file_source and frames:
                if self.loop_files:
                    continue
                final = "ended"
                break
            if frames:
                backoff = self.retry_initial_s
            what = (self.tr("%1 stopped delivering frames; reconnecting in %2 s") if frames
                    else self.tr("%1 gives no frames; reconnecting in %2 s"))
            self._state("retrying", arg(what, source_text(self.source), f"{backoff:.0f}"))
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, self.retry_max_s)
        if final == "ended":
            self._state("ended", arg(self.tr("end of %1"), source_text(self.source)))
        elif final == "stopped":
            self._state("stopped", self.tr("camera stopped"))

    def _process(self, slot: _LatestFrame) -> tuple[str, int]:
        frames = 0
        announced = False
        # A fresh tracker each time the stream (re)opens: boxes of before a reconnect or a loop mean nothing.
        live = LiveRecognizer(self.recognizer, self.attendance, source_label(self.source))
        last_frame_at = time.monotonic()  # from the open: a source that never gives a frame stalls too
        while not self._stop.is_set():
            frame, ended = slot.take(0.1)
            if ended:
                return "ended", frames
            if frame is None:
                if time.monotonic() - last_frame_at >= self.stall_timeout_s:
                    return "stalled", frames
                continue
            last_frame_at = time.monotonic()
            if not announced:
                self._state("streaming", arg(self.tr("streaming %1"), source_text(self.source)))
                announced = True
            try:
                tracked, events = live.process(frame)
                faces = [FaceResult.from_recognition(t.recognition, t.track_id, t.fresh) for t in tracked]
            except Exception as exc:  # a broken model must not kill the app silently
                self._state("error", arg(self.tr("recognition failed: %1"), exc))
                return "error", frames
            for event in events:
                self.checkedIn.emit(event)
            frames += 1
            self._index += 1
            now = time.perf_counter()
            self._times.append(now)
            while len(self._times) > 2 and now - self._times[0] > 1.5:
                self._times.popleft()
            fps = (len(self._times) - 1) / (now - self._times[0]) if len(self._times) > 1 else 0.0
            if not self._display_free.is_set():
                continue
            self._display_free.clear()
            packet = FramePacket(self._index, annotated(frame, faces), frame, faces, fps)
            self.frameReady.emit(packet)
        return "stopped", frames
