"""Several cameras in one window and one process: one thread recognises them all with the service's ``MultiStream``.

``MultiCameraWorker`` is the several-source counterpart of ``CameraWorker``: the same signals, carrying the
tile a packet or a state belongs to. Recognition is ``service.streams.MultiStream``, as for ``facegui video
SRC1 SRC2 …``: one recognizer (one set of model sessions, never a copy per camera), a tracker and an attendance
source name per camera, and one embedding call for the faces every camera needs embedded in a round.

Each source is kept alive by its own ``SourceFeed`` (a plain thread): it opens the source, retries with
backoff when it cannot, notices a source that stops delivering frames without saying so, loops or ends a
video file, and hands the newest frame over in a one-slot buffer (``camera_worker._LatestFrame``, the reader
``camera_worker._Reader``), so one slow or lost camera never holds up the others.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import cast

from PySide6.QtCore import QCoreApplication, QThread, Signal

from ...engine.video import VideoSourceError, open_capture
from ...service.live import LiveRecognizer
from ...service.sources import source_label
from ...service.streams import MultiStream
from ..drawing import FaceResult, annotated
from .camera_worker import STOP_TIMEOUT_S, FramePacket, SourceState, _LatestFrame, is_file_source, start_reader
from .problems import video_source_problem_text
from .text import arg, source_text

MAX_CAMERAS = 4
"""The most sources the window shows side by side."""
IDLE_WAIT_S = 0.005
"""How long the recognition loop sleeps when no camera has a new frame."""
OPEN_TIMEOUT_MS = 3000

translate = QCoreApplication.translate
"""The messages are the single camera's ("CameraWorker"): one translation for both."""


class _TimedSlot(_LatestFrame):
    """The one-slot buffer, remembering when a frame last came (for noticing a source that went silent)."""

    def __init__(self, drop: bool):
        super().__init__(drop)
        self.last_put = time.monotonic()

    def put(self, frame, stop: threading.Event) -> None:
        self.last_put = time.monotonic()
        super().put(frame, stop)
        self.last_put = time.monotonic()  # an unpaced file waits here for a slow engine: that is no silence


class SourceFeed(threading.Thread):
    """Keeps one source delivering frames: open, read, notice silence, reconnect with backoff, loop or end."""

    def __init__(self, tile: int, source: str, report: Callable[[int, str, str], None], *, pace_files: bool,
                 loop_files: bool, stall_timeout_s: float, capture_factory=open_capture,
                 retry_initial_s: float = 1.0, retry_max_s: float = 10.0):
        super().__init__(name=f"facegui-feed-{tile}", daemon=True)
        self.tile, self.source, self.report = tile, source, report
        self.pace_files, self.loop_files = pace_files, loop_files
        self.stall_timeout_s = stall_timeout_s
        self.capture_factory = capture_factory
        self.retry_initial_s, self.retry_max_s = retry_initial_s, retry_max_s
        self.stop_event = threading.Event()
        self.slot: _TimedSlot | None = None
        self.opened = 0
        """How many times the source was (re)opened: a new opening wants a fresh tracker."""
        self.ended = False
        self.label = source_label(source)
        """The attendance source name of this camera's check-ins (the same in every language)."""
        self.shown = source_text(source)

    def take(self):
        """The newest frame, or None; never waits."""
        slot = self.slot
        if slot is None:
            return None
        frame, _ended = slot.take(0)
        return frame

    def _wait(self, seconds: float) -> bool:
        return self.stop_event.wait(seconds)

    def run(self) -> None:
        backoff = self.retry_initial_s
        file_source = is_file_source(self.source)
        while not self.stop_event.is_set():
            self.report(self.tile, "opening", arg(translate("CameraWorker", "opening %1…"), self.shown))
            try:
                capture = self.capture_factory(self.source, open_timeout_ms=OPEN_TIMEOUT_MS)
            except VideoSourceError as exc:
                self.report(self.tile, "retrying", arg(translate("CameraWorker", "%1; retrying in %2 s"), video_source_problem_text(exc), f"{backoff:.0f}"))
                if self._wait(backoff):
                    break
                backoff = min(backoff * 2, self.retry_max_s)
                continue
            reader, opened = start_reader(capture, file_source, self.pace_files, _TimedSlot)
            slot = cast(_TimedSlot, opened)
            opened_at = slot.last_put
            self.slot, self.opened = slot, self.opened + 1
            stalled = False
            while not self.stop_event.is_set() and reader.is_alive():
                if time.monotonic() - slot.last_put >= self.stall_timeout_s:
                    stalled = True
                    break
                self._wait(0.1)
            reader.stop_event.set()
            reader.join(STOP_TIMEOUT_S / 3)
            if self.stop_event.is_set():
                break
            if file_source and not stalled:
                if self.loop_files:
                    continue
                self.ended = True
                self.report(self.tile, "ended", arg(translate("CameraWorker", "end of %1"), self.shown))
                return
            delivered = slot.last_put > opened_at
            if delivered:
                backoff = self.retry_initial_s  # it worked until now: try again soon
            if stalled:
                message = arg(translate("CameraWorker", "no frames from %1 for %2 s, retrying in %3 s"),
                              self.shown, f"{self.stall_timeout_s:g}", f"{backoff:.0f}")
            else:
                message = arg(translate("CameraWorker", "%1 stopped delivering frames; reconnecting in %2 s")
                              if delivered else translate("CameraWorker", "%1 gives no frames; reconnecting in %2 s"),
                              self.shown, f"{backoff:.0f}")
            self.report(self.tile, "retrying", message)
            if self._wait(backoff):
                break
            backoff = min(backoff * 2, self.retry_max_s)
        self.report(self.tile, "stopped", translate("CameraWorker", "camera stopped"))


class MultiCameraWorker(QThread):
    frameReady = Signal(object)
    """FramePacket (its ``tile`` says whose)."""
    stateChanged = Signal(object)
    """SourceState (its ``tile`` says whose)."""
    checkedIn = Signal(object)
    """AttendanceEvent of a new check-in, whichever camera saw it (its ``source`` names the camera)."""

    def __init__(self, recognizer, sources: Sequence[str], *, attendance=None, pace_files: bool = True,
                 loop_files: bool = False, stall_timeout_s: float = 3.0, capture_factory=open_capture, parent=None):
        super().__init__(parent)
        self.recognizer, self.attendance = recognizer, attendance
        self.sources = [str(s) for s in sources][:MAX_CAMERAS]
        self.feeds = [SourceFeed(tile, source, self._report, pace_files=pace_files, loop_files=loop_files,
                                 stall_timeout_s=stall_timeout_s, capture_factory=capture_factory)
                      for tile, source in enumerate(self.sources)]
        self.streams: MultiStream | None = None
        self._stop = threading.Event()
        self._display_free = [threading.Event() for _ in self.sources]
        for free in self._display_free:
            free.set()
        self._times = [deque(maxlen=60) for _ in self.sources]
        self._index = 0
        self._failed = False

    # -- called from the GUI thread (thread-safe) ---------------------------
    def frame_shown(self, tile: int = 0) -> None:
        self._display_free[tile].set()

    def stop(self, timeout_s: float = 1.0) -> bool:
        self._stop.set()
        for feed in self.feeds:
            feed.stop_event.set()
        for free in self._display_free:
            free.set()
        return self.wait(int(timeout_s * 1000)) if self.isRunning() else True

    # -- the worker thread ---------------------------------------------------
    def _report(self, tile: int, state: str, message: str, after_failure: bool = False) -> None:
        if self._failed and not after_failure:
            return  # the error stays on screen, not the feeds' "stopped" that follows it
        self.stateChanged.emit(SourceState(state, message, source_text(self.sources[tile]), tile))

    def run(self) -> None:
        streams = self.streams = MultiStream(self.recognizer, self.attendance)
        for feed in self.feeds:
            streams.add(feed.label)
            feed.start()
        opened = [0] * len(self.feeds)
        try:
            while not self._stop.is_set():
                if all(feed.ended or not feed.is_alive() for feed in self.feeds):
                    break
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
                    time.sleep(IDLE_WAIT_S)
                    continue
                try:
                    results = streams.process(ready)
                except Exception as exc:  # a broken model must not kill the app silently
                    self._failed = True
                    for tile in range(len(self.feeds)):
                        self._report(tile, "error", arg(translate("CameraWorker", "recognition failed: %1"), exc), True)
                    return
                for tile, (tracked, events) in results.items():
                    for event in events:
                        self.checkedIn.emit(event)
                    self._emit_frame(tile, ready[tile], tracked)
        finally:
            for feed in self.feeds:
                feed.stop_event.set()
            deadline = time.monotonic() + STOP_TIMEOUT_S  # all together: stopping stays under a second
            for feed in self.feeds:
                feed.join(max(deadline - time.monotonic(), 0.0))

    def _emit_frame(self, tile: int, frame, tracked) -> None:
        self._index += 1
        now = time.perf_counter()
        times = self._times[tile]
        times.append(now)
        while len(times) > 2 and now - times[0] > 1.5:
            times.popleft()
        fps = (len(times) - 1) / (now - times[0]) if len(times) > 1 else 0.0
        if not self._display_free[tile].is_set():
            return
        self._display_free[tile].clear()
        faces = [FaceResult.from_recognition(t.recognition, t.track_id, t.fresh) for t in tracked]
        self.frameReady.emit(FramePacket(self._index, annotated(frame, faces), frame, faces, fps, tile))
