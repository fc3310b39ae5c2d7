"""The camera worker: capture → detect → align → embed → match → draw, off the GUI thread, for one camera
or for up to ``MAX_CAMERAS`` side by side (two doors watched from one PC).

``CameraWorker`` is a QThread whose ``run`` loop makes every engine call. It talks to the GUI only through
signals carrying plain data (``FramePacket``, ``SourceState``, each with the ``tile`` of its camera).
Recognition is the service's ``MultiStream``, as for ``facegui video SRC1 SRC2 …``: one recognizer (one set
of model sessions, never a copy per camera), a ``LiveRecognizer`` (tracker) and an attendance source name per
camera, and one embedding call for the faces every camera needs embedded in a round. When an
``AttendanceService`` is given, every processed frame goes to its ``observe`` so people are checked in; new
check-ins leave the worker as ``checkedIn``.

Each source is kept alive by its own ``feeds.SourceFeed`` thread (open, retry with backoff, notice silence,
loop or end), so one slow or lost camera never holds up the others. Two places drop frames so the newest
one always wins: the feed keeps only the latest captured frame, and a frame is emitted only once the GUI has
shown the previous one of its tile (``frame_shown``), so a slow GUI never accumulates a queue of pending
frames. Check-ins are never dropped.

Enrollment/removal while streaming needs nothing here: the storage Gallery is guarded by an RLock and every
frame searches its current state.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from ...engine.video import open_capture
from ...service.diagnostics import keep_in_log, keep_traceback
from ...service.live import LiveRecognizer
from ...service.streams import MultiStream
from ..drawing import FaceResult, annotated
from .feeds import RETRY_INITIAL_S, RETRY_MAX_S, STOP_TIMEOUT_S, SourceFeed, translate
from .text import arg, source_text

log = logging.getLogger(__name__)

MAX_CAMERAS = 4
"""The most sources the window shows side by side."""
IDLE_WAIT_S = 0.1
"""The longest the recognition loop waits for a frame before it looks at the sources again (a frame's
arrival wakes it at once)."""
FPS_WINDOW_S = 1.5
"""The frame rate shown is over about this many last seconds."""


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
    """Which camera of several; 0 for the main one."""


@dataclass(frozen=True)
class SourceState:
    state: str
    """opening, streaming, retrying, ended, stopped or error."""
    message: str
    source: str
    tile: int = 0
    """Which camera of several; 0 for the main one."""


class CameraWorker(QThread):
    frameReady = Signal(object)
    """FramePacket (its ``tile`` says whose)."""
    stateChanged = Signal(object)
    """SourceState (its ``tile`` says whose)."""
    checkedIn = Signal(object)
    """AttendanceEvent (plain data) of a new check-in, whichever camera saw it (its ``source`` names the
    camera); never dropped, unlike frames."""

    def __init__(self, recognizer, sources: Sequence[str], *, attendance=None, pace_files: bool = True,
                 loop_files: bool = False, stall_timeout_s: float = 3.0, capture_factory=open_capture, parent=None):
        super().__init__(parent)
        self.recognizer, self.attendance = recognizer, attendance
        self.sources = [str(s) for s in sources][:MAX_CAMERAS]
        self._arrived = threading.Event()
        self.feeds = [SourceFeed(tile, source, self._report, pace_files=pace_files, loop_files=loop_files,
                                 stall_timeout_s=stall_timeout_s, arrived=self._arrived,
                                 capture_factory=capture_factory)
                      for tile, source in enumerate(self.sources)]
        self.streams: MultiStream | None = None
        self._stop = threading.Event()
        self._display_free = [threading.Event() for _ in self.sources]
        for free in self._display_free:
            free.set()
        self._times: list[deque[float]] = [deque(maxlen=60) for _ in self.sources]
        self._index = 0
        self._failed = False
        self._troubled = [False] * len(self.sources)
        """Per camera: its last state was a problem, so its next "streaming" is worth a line in the log."""

    # -- called from the GUI thread (thread-safe) ---------------------------
    def frame_shown(self, tile: int = 0) -> None:
        """The GUI has rendered the last FramePacket of ``tile``; its next one may be emitted."""
        self._display_free[tile].set()

    def stop(self, timeout_s: float = 1.0) -> bool:
        """Stop the loop and wait for the thread; True when it has finished."""
        self._stop.set()
        self._arrived.set()
        for feed in self.feeds:
            feed.stop()
        for free in self._display_free:
            free.set()
        return self.wait(int(timeout_s * 1000)) if self.isRunning() else True

    # -- the worker thread ---------------------------------------------------
    def _report(self, tile: int, state: str, message: str, after_failure: bool = False) -> None:
        if self._failed and not after_failure:
            return  # the error stays on screen, not the feeds' "stopped" that follows it
        # Into the problems log too: when a camera went and came back, for whoever asks the next morning.
        if state == "retrying":
            keep_in_log(__name__, message)
        elif state == "streaming" and self._troubled[tile]:
            keep_in_log(__name__, f"{message} (recovered)")
        if state != "opening":  # opening again is still part of the trouble
            self._troubled[tile] = state in ("retrying", "error")
        self.stateChanged.emit(SourceState(state, message, source_text(self.sources[tile]), tile))

    def run(self) -> None:
        streams = self.streams = MultiStream(self.recognizer, self.attendance)
        for feed in self.feeds:
            streams.add(feed.label)
            feed.start()
        opened = [0] * len(self.feeds)
        backoff = RETRY_INITIAL_S
        try:
            while not self._stop.is_set():
                self._arrived.clear()  # before looking, so a frame that comes meanwhile still wakes the wait
                ready = {}
                for tile, feed in enumerate(self.feeds):
                    frame = feed.take()
                    if frame is None:
                        continue
                    if feed.opened != opened[tile]:
                        self._report(tile, "streaming", arg(translate("CameraWorker", "streaming %1"), feed.shown))
                        # A fresh tracker each time a source (re)opens: boxes of before mean nothing.
                        opened[tile] = feed.opened
                        streams.streams[tile] = LiveRecognizer(self.recognizer, self.attendance, feed.label)
                    ready[tile] = frame
                if not ready:
                    if all(feed.ended or not feed.is_alive() for feed in self.feeds):
                        break
                    self._arrived.wait(IDLE_WAIT_S)
                    continue
                try:
                    results = streams.process(ready)
                except Exception as exc:  # noqa: BLE001 - whatever it was, the door must not stop for good
                    log.warning("Recognition failed (%s: %s); trying again in %.0f s", type(exc).__name__, exc, backoff)
                    if backoff == RETRY_INITIAL_S:  # the first of a run of failures: its traceback, for the log
                        keep_traceback(exc, "recognition failed")
                    self._failed = True
                    message = arg(translate("CameraWorker", "recognition failed: %1; trying again in %2 s"),
                                  exc, f"{backoff:.0f}")
                    for tile in range(len(self.feeds)):
                        self._report(tile, "error", message, True)
                    if self._stop.wait(backoff):
                        return
                    backoff = min(backoff * 2, RETRY_MAX_S)
                    self._failed = False
                    opened = [-1] * len(self.feeds)  # fresh trackers, and "streaming" again, with the next frames
                    continue
                backoff = RETRY_INITIAL_S
                for tile, (tracked, events) in results.items():
                    for event in events:
                        self.checkedIn.emit(event)
                    self._emit_frame(tile, ready[tile], tracked)
        finally:
            for feed in self.feeds:
                feed.stop()
            deadline = time.monotonic() + STOP_TIMEOUT_S  # all together: stopping stays under a second
            for feed in self.feeds:
                feed.join(max(deadline - time.monotonic(), 0.0))

    def _emit_frame(self, tile: int, frame, tracked) -> None:
        self._index += 1
        now = time.perf_counter()
        times = self._times[tile]
        times.append(now)
        while len(times) > 2 and now - times[0] > FPS_WINDOW_S:
            times.popleft()
        fps = (len(times) - 1) / (now - times[0]) if len(times) > 1 else 0.0
        if not self._display_free[tile].is_set():
            return
        self._display_free[tile].clear()
        faces = [FaceResult.from_recognition(t.recognition, t.track_id, t.fresh) for t in tracked]
        self.frameReady.emit(FramePacket(self._index, annotated(frame, faces), frame, faces, fps, tile))
