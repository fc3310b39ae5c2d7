"""Keeping a video source delivering frames, one plain thread per source, for the camera worker.

A ``SourceFeed`` opens its source, retries with backoff when it cannot, notices a source that stops
delivering frames without saying so (a camera unplugged, a network stream that hangs in ``read``: "no frames
from … for 3 s, retrying"), loops or ends a video file, and hands the newest frame over in a one-slot buffer.
Reading is a daemon ``_Reader`` thread: a ``read`` that never returns cannot hold up stopping, and is simply
abandoned when the feed reopens the source.

Two rules of the window live here, for one camera and for four alike: a live camera's newest frame wins (a
slow engine never queues up stale frames), and a video file is paced at its own frame rate, or, unpaced,
waits for each frame to be taken. A video file that ends is "ended" (or loops), never a fault.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from ...engine.video import VideoSourceError, open_capture, parse_source, read_frame
from ...service.sources import source_label
from .problems import video_source_problem_text
from .text import arg, source_text

STOP_TIMEOUT_S = 0.8
"""How long stopping waits for the threads of every source together."""
OPEN_TIMEOUT_MS = 3000
"""How long opening a source (a network stream above all) may take before it counts as failed."""
RETRY_INITIAL_S = 1.0
"""The first wait before trying a failed source (or failed recognition) again; each failure doubles it…"""
RETRY_MAX_S = 10.0
"""… up to this."""
STALL_LOOK_S = 0.1
"""How often a feed looks whether its source has gone silent (``Settings.camera_stall_timeout_s``)."""

translate = QCoreApplication.translate
"""The messages keep the context they were translated under ("CameraWorker")."""


def is_file_source(source) -> bool:
    parsed = parse_source(source)
    return isinstance(parsed, str) and "://" not in parsed


class LatestFrame:
    """A one-slot buffer between a reader and the recognition loop, remembering when a frame last came (for
    noticing a source that went silent). ``arrived`` is set when a frame comes or the reader ends (the
    recognition loop waits on it), ``finished`` when the reader ends (its feed waits on it)."""

    def __init__(self, drop: bool, arrived: threading.Event | None = None, finished: threading.Event | None = None,
                 first=None):
        self.drop = drop
        self.arrived, self.finished = arrived, finished
        self._cond = threading.Condition()
        self._frame = first
        """A frame waiting to be taken (``first``: a looping file's last frame, not yet taken when it ended)."""
        self.ended = False
        """The reader has stopped: no frame will come after the one in the slot."""
        self.last_put = time.monotonic()

    def put(self, frame, stop: threading.Event) -> None:
        self.last_put = time.monotonic()
        with self._cond:
            if not self.drop:
                while self._frame is not None and not stop.is_set():
                    self._cond.wait(0.1)
            self._frame = frame
            self._cond.notify_all()
        self.last_put = time.monotonic()  # an unpaced file waits here for a slow engine: that is no silence
        if self.arrived is not None:
            self.arrived.set()

    def end(self) -> None:
        with self._cond:
            self.ended = True
            self._cond.notify_all()
        for wake in (self.arrived, self.finished):
            if wake is not None:
                wake.set()

    def take(self):
        """The newest frame, or None; never waits."""
        with self._cond:
            frame, self._frame = self._frame, None
            self._cond.notify_all()
            return frame


class _Reader(threading.Thread):
    """Reads frames as fast as the source gives them (or at a file's own frame rate)."""

    def __init__(self, capture, slot: LatestFrame, fps: float):
        super().__init__(name="facegui-capture", daemon=True)
        self.capture, self.slot = capture, slot
        self.period = 1.0 / fps if fps > 0 else 0.0
        self.stop_event = threading.Event()

    def run(self) -> None:
        next_due = time.monotonic()
        try:
            while not self.stop_event.is_set():
                ok, frame = read_frame(self.capture)
                if not ok:
                    break
                if frame is None:
                    continue  # no picture; a source giving nothing else is noticed as silent
                if self.period:
                    delay = next_due - time.monotonic()
                    if delay > 0 and self.stop_event.wait(delay):
                        break
                    next_due = max(next_due + self.period, time.monotonic() - self.period)
                self.slot.put(frame, self.stop_event)
        finally:
            self.slot.end()
            self.capture.release()


def new_reader(capture, file_source: bool, pace_files: bool, arrived: threading.Event | None = None,
               finished: threading.Event | None = None, first=None) -> _Reader:
    """A reader thread over an opened capture, not yet started, and the one-slot buffer it fills
    (``reader.slot``; ``LatestFrame`` says what the rest is)."""
    import cv2

    fps = capture.get(cv2.CAP_PROP_FPS) if (file_source and pace_files) else 0.0
    slot = LatestFrame(drop=not file_source or pace_files, arrived=arrived, finished=finished, first=first)
    return _Reader(capture, slot, fps if 0 < fps < 240 else 0.0)


class SourceFeed(threading.Thread):
    """Keeps one source delivering frames: open, read, notice silence, reconnect with backoff, loop or end.
    ``report(tile, state, message)`` is called from this thread with opening, retrying, ended or stopped."""

    def __init__(self, tile: int, source: str, report: Callable[[int, str, str], None], *, pace_files: bool,
                 loop_files: bool, stall_timeout_s: float, arrived: threading.Event | None = None,
                 capture_factory=open_capture, retry_initial_s: float = RETRY_INITIAL_S,
                 retry_max_s: float = RETRY_MAX_S):
        super().__init__(name=f"facegui-feed-{tile}", daemon=True)
        self.tile, self.source, self.report = tile, source, report
        self.pace_files, self.loop_files = pace_files, loop_files
        self.stall_timeout_s = stall_timeout_s
        self.arrived = arrived
        """Set whenever a frame comes or the source ends (the recognition loop waits on it)."""
        self.capture_factory = capture_factory
        """``(source, open_timeout_ms=...) -> capture`` with cv2.VideoCapture's read/get/release (tests inject faults)."""
        self.retry_initial_s, self.retry_max_s = retry_initial_s, retry_max_s
        self.stop_event = threading.Event()
        self._wake = threading.Event()
        """Set by ``stop`` and by the reader's end: a file that loops is reopened at once, not at the next look."""
        self.slot: LatestFrame | None = None
        self.opened = 0
        """How many times the source was (re)opened: a new opening wants a fresh tracker."""
        self.ended = False
        self.label = source_label(source)
        """The attendance source name of this camera's check-ins (the same in every language)."""
        self.shown = source_text(source)

    def take(self):
        """The newest frame, or None; never waits."""
        slot = self.slot
        return None if slot is None else slot.take()

    def stop(self) -> None:
        """Ask the feed to stop (it reports "stopped" when it has); never waits."""
        self.stop_event.set()
        self._wake.set()

    def _wait(self, seconds: float) -> bool:
        """Up to ``seconds``, or until stopped or the reader ends; True when stopping."""
        self._wake.wait(seconds)
        self._wake.clear()
        return self.stop_event.is_set()

    def run(self) -> None:
        backoff = self.retry_initial_s
        file_source = is_file_source(self.source)
        carried = None
        while not self.stop_event.is_set():
            self.report(self.tile, "opening", arg(translate("CameraWorker", "opening %1…"), self.shown))
            try:
                capture = self.capture_factory(self.source, open_timeout_ms=OPEN_TIMEOUT_MS)
            except VideoSourceError as exc:
                self.report(self.tile, "retrying", arg(translate("CameraWorker", "%1; retrying in %2 s"),
                                                       video_source_problem_text(exc), f"{backoff:.0f}"))
                if self._wait(backoff):
                    break
                backoff = min(backoff * 2, self.retry_max_s)
                continue
            reader = new_reader(capture, file_source, self.pace_files, self.arrived, self._wake, carried)
            slot = reader.slot
            opened_at = slot.last_put
            # Takeable before the reader's first frame can say it has come.
            self.slot, self.opened = slot, self.opened + 1
            if carried is not None and self.arrived is not None:
                self.arrived.set()
            carried = None
            reader.start()
            stalled = False
            while not self.stop_event.is_set() and not slot.ended:
                if time.monotonic() - slot.last_put >= self.stall_timeout_s:
                    stalled = True
                    break
                self._wait(STALL_LOOK_S)
            reader.stop_event.set()
            reader.join(STOP_TIMEOUT_S / 3)
            self._wake.clear()  # this reader's end is dealt with; the backoff below waits in full
            if self.stop_event.is_set():
                break
            delivered = slot.last_put > opened_at
            if file_source and delivered and not stalled:
                if self.loop_files:
                    carried = slot.take()
                    continue
                self.ended = True
                self.report(self.tile, "ended", arg(translate("CameraWorker", "end of %1"), self.shown))
                if self.arrived is not None:
                    # Again, now that ``ended`` is set: the reader's own wake-up came before it, and the
                    # recognition loop would otherwise look once more only after IDLE_WAIT_S.
                    self.arrived.set()
                return
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
