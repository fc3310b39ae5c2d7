"""How a camera feed keeps its source delivering frames (gui/core/feeds.py), with fake captures: the retry
with backoff, a video file that ends, loops or gives nothing, a source that goes silent, and stopping.
The window's real cameras and the real clip are tested in the real-model tier (tests/test_gui*.py)."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from facegui.engine.video import CAMERA_UNAVAILABLE, VideoSourceError
from facegui.gui.core.feeds import LatestFrame, SourceFeed

WAIT_S = 10.0


class FakeVideo:
    """A capture of ``frames`` black frames, then the end; ``hang`` makes read() block until released."""

    def __init__(self, frames: int, hang: threading.Event | None = None):
        self.left = frames
        self.hang = hang
        self.released = False

    def get(self, prop):
        return 0.0  # no frame rate: the reader does not pace

    def read(self):
        if self.left == 0:
            if self.hang is not None:
                self.hang.wait(WAIT_S)
            return False, None
        self.left -= 1
        return True, np.zeros((4, 4, 3), np.uint8)

    def release(self):
        self.released = True


class Opener:
    """The capture factory: raises for the first ``failures`` openings, then gives ``make()``."""

    def __init__(self, make, failures: int = 0):
        self.make, self.failures = make, failures
        self.opened: list[FakeVideo] = []

    def __call__(self, source, open_timeout_ms=0):
        if self.failures:
            self.failures -= 1
            raise VideoSourceError("camera 0: cannot be opened", 0, CAMERA_UNAVAILABLE)
        capture = self.make()
        self.opened.append(capture)
        return capture


class Reports:
    def __init__(self):
        self.lines: list[tuple[str, str]] = []
        self.changed = threading.Condition()

    def __call__(self, tile: int, state: str, message: str) -> None:
        with self.changed:
            self.lines.append((state, message))
            self.changed.notify_all()

    def wait_for(self, state: str) -> list[tuple[str, str]]:
        with self.changed:
            assert self.changed.wait_for(lambda: any(s == state for s, _ in self.lines), WAIT_S), self.lines
            return list(self.lines)


def feed(source: str, opener: Opener, reports: Reports, *, loop: bool = False, stall_s: float = 5.0,
         arrived: threading.Event | None = None) -> SourceFeed:
    started = SourceFeed(0, source, reports, pace_files=False, loop_files=loop, stall_timeout_s=stall_s,
                         arrived=arrived, capture_factory=opener, retry_initial_s=0.01, retry_max_s=0.04)
    started.start()
    return started


def drain(source_feed: SourceFeed, until: threading.Event) -> list[np.ndarray]:
    """Take every frame (an unpaced file waits for each to be taken) until ``until`` is set."""
    frames = []
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        frame = source_feed.take()
        if frame is not None:
            frames.append(frame)
        elif until.is_set():
            return frames
        else:
            time.sleep(0.001)
    return frames


@pytest.mark.parametrize("failures", [0, 3])
def test_a_video_file_is_opened_after_failures_and_ends_once_it_was_read(failures):
    reports, done = Reports(), threading.Event()
    opener = Opener(lambda: FakeVideo(5), failures)
    source_feed = feed("clip.mp4", opener, reports)
    ended = threading.Thread(target=lambda: (reports.wait_for("ended"), done.set()))
    ended.start()
    frames = drain(source_feed, done)
    ended.join()
    source_feed.join(WAIT_S)
    states = [state for state, _ in reports.lines]
    assert states == ["opening", "retrying"] * failures + ["opening", "ended"]
    if failures:
        assert reports.lines[1][1].endswith("; retrying in 0 s")
    assert reports.lines[-1][1] == "end of clip.mp4"
    assert len(frames) == 5 and source_feed.ended and opener.opened[-1].released
    assert not source_feed.is_alive()  # a file that ended is not reopened, and reports no "stopped"


def test_a_looping_file_is_reopened_and_each_opening_counted():
    reports, enough = Reports(), threading.Event()
    opener = Opener(lambda: FakeVideo(3))
    source_feed = feed("clip.mp4", opener, reports, loop=True)
    watcher = threading.Thread(target=lambda: (_wait(lambda: source_feed.opened >= 3), enough.set()))
    watcher.start()
    frames = drain(source_feed, enough)
    watcher.join()
    source_feed.stop()
    source_feed.join(WAIT_S)
    # Every frame of the first two passes, the last one of each too (it waits in the next opening's slot).
    assert len(frames) >= 6 and source_feed.opened >= 3 and not source_feed.ended
    assert reports.lines[-1][0] == "stopped" and "ended" not in [s for s, _ in reports.lines]


def _wait(condition) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.001)


def test_a_file_that_gives_no_frame_is_retried_not_ended():
    reports = Reports()
    opener = Opener(lambda: FakeVideo(0))
    source_feed = feed("empty.mp4", opener, reports)
    _wait(lambda: len(opener.opened) >= 2)
    source_feed.stop()
    source_feed.join(WAIT_S)
    messages = [message for state, message in reports.lines if state == "retrying"]
    assert messages and messages[0] == "empty.mp4 gives no frames; reconnecting in 0 s"
    assert not source_feed.ended


def test_a_source_that_goes_silent_is_reported_and_reopened():
    reports, hang = Reports(), threading.Event()
    opener = Opener(lambda: FakeVideo(2, hang))
    source_feed = feed("rtsp://door/stream", opener, reports, stall_s=0.2)
    try:
        lines = reports.wait_for("retrying")
        _wait(lambda: len(opener.opened) >= 2)
    finally:
        source_feed.stop()
        hang.set()
        source_feed.join(WAIT_S)
    assert lines[-1] == ("retrying", "no frames from rtsp://door/stream for 0.2 s, retrying in 0 s")
    assert len(opener.opened) >= 2  # opened again by itself


class Arrived(threading.Event):
    """The recognition loop's wake-up, noting whether the feed gives the frame at the moment it is woken."""

    def __init__(self):
        super().__init__()
        self.feed: SourceFeed | None = None
        self.takeable: list[bool] = []

    def set(self) -> None:
        slot = self.feed.slot if self.feed is not None else None
        self.takeable.append(slot is not None and not slot.ended)
        super().set()


def test_a_frame_wakes_the_recognition_loop_only_once_it_can_be_taken_and_stopping_lets_a_hung_reader_go():
    reports, arrived, hang = Reports(), Arrived(), threading.Event()
    opener = Opener(lambda: FakeVideo(1, hang))
    source_feed = SourceFeed(0, "0", reports, pace_files=False, loop_files=False, stall_timeout_s=60.0,
                             arrived=arrived, capture_factory=opener)
    arrived.feed = source_feed
    source_feed.start()
    assert arrived.wait(WAIT_S)  # the first frame
    assert arrived.takeable[0], "woken before the feed had the frame's slot: the frame waits for the next look"
    assert source_feed.take() is not None and source_feed.take() is None
    source_feed.stop()  # while its reader hangs in read()
    source_feed.join(WAIT_S)
    hang.set()
    assert not source_feed.is_alive() and reports.lines[-1] == ("stopped", "camera stopped")


def test_the_one_slot_keeps_only_the_newest_frame_of_a_camera():
    slot, stop = LatestFrame(drop=True), threading.Event()
    for value in range(3):
        slot.put(np.full((1,), value), stop)
    assert int(slot.take()[0]) == 2 and slot.take() is None
    slot.end()
    assert slot.ended


class DepthCamera(FakeVideo):
    """A camera node that gives 16-bit single-channel frames, or (``raw``) the bytes of each frame in one row."""

    def __init__(self, raw: bool = False):
        super().__init__(frames=10**6)
        self.raw = raw

    def read(self):
        time.sleep(0.005)
        if self.raw:
            return True, np.frombuffer(b"\xff\xd8\xff\xe0" * 64, np.uint8)[None]
        return True, np.full((6, 8), 0x4000, np.uint16)


def test_a_camera_s_frames_reach_recognition_as_bgr_and_raw_bytes_count_as_silence():
    reports, arrived = Reports(), threading.Event()
    source_feed = feed("0", Opener(DepthCamera), reports, arrived=arrived)
    try:
        assert arrived.wait(WAIT_S)
        frame = source_feed.take()
    finally:
        source_feed.stop()
        source_feed.join(WAIT_S)
    assert frame is not None and frame.shape == (6, 8, 3) and frame.dtype == np.uint8 and int(frame.max()) == 0x40

    reports = Reports()
    source_feed = feed("0", Opener(lambda: DepthCamera(raw=True)), reports, stall_s=0.2)
    try:
        lines = reports.wait_for("retrying")
        assert source_feed.take() is None
    finally:
        source_feed.stop()
        source_feed.join(WAIT_S)
    assert lines[-1] == ("retrying", "no frames from camera 0 for 0.2 s, retrying in 0 s")


class BrokenStream(FakeVideo):
    """A stream on which OpenCV's read raises, as it does on some broken streams, after ``frames`` frames."""

    def read(self):
        import cv2

        if self.left == 0:
            raise cv2.error("OpenCV(5.1.0) cap.cpp:1: error: (-215:Assertion failed) !frame.empty()\n")
        return super().read()


def test_a_read_that_raises_is_a_stream_that_stopped_said_in_one_line_without_a_traceback(monkeypatch, caplog):
    died = []
    monkeypatch.setattr(threading, "excepthook", died.append)
    reports, opener = Reports(), Opener(lambda: BrokenStream(2))
    source_feed = feed("rtsp://door/stream", opener, reports)
    try:
        _wait(lambda: len(opener.opened) >= 2)
    finally:
        source_feed.stop()
        source_feed.join(WAIT_S)
    assert not died, "a reader thread died with a traceback"
    assert ("retrying", "rtsp://door/stream stopped delivering frames; reconnecting in 0 s") in reports.lines
    said = [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()]
    assert said and said[0] == ("A video frame could not be read (OpenCV(5.1.0) cap.cpp:1: error: "
                                "(-215:Assertion failed) !frame.empty())")
