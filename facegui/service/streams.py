"""Several video streams in one process: one set of model sessions, its own tracker and attendance source
name per stream, and one embedding call for the faces all streams need embedded in a round.

``MultiStream.process`` takes the latest frame of any number of streams and returns each one's faces and
check-ins; ``run_captures`` drives it headless from video files, cameras or URLs, each read in its own
thread (OpenCV decodes without holding the GIL), as ``facegui video SRC1 SRC2 ...`` does.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ..engine.tracking import TrackedRecognition
from ..engine.video import read_frame
from ..storage.attendance import AttendanceEvent
from .attendance import AttendanceService
from .diagnostics import keep_traceback
from .live import LiveRecognizer
from .recognizer import Recognizer

READ_AHEAD = 2
"""Frames a reader thread decodes ahead of recognition: enough to overlap decoding, little memory."""


@dataclass
class StreamResult:
    source: str
    frames: int = 0
    seconds: float = 0.0

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return f"{self.source}: {self.frames} frames in {self.seconds:.2f} s: {self.fps:.1f} FPS"


class MultiStream:
    """The live recognition of several streams sharing one recognizer (one set of model sessions)."""

    def __init__(self, recognizer: Recognizer, attendance: AttendanceService | None = None):
        self.recognizer = recognizer
        self.attendance = attendance
        self.streams: list[LiveRecognizer] = []

    def add(self, source: str) -> int:
        """A new stream whose check-ins are logged under ``source``; returns its index."""
        self.streams.append(LiveRecognizer(self.recognizer, self.attendance, source))
        return len(self.streams) - 1

    def process(self, frames: dict[int, np.ndarray]
                ) -> dict[int, tuple[list[TrackedRecognition], list[AttendanceEvent]]]:
        """One frame of each given stream: detection and tracking per stream, then one embedding call
        for every face due in any of them, then matching and attendance per stream."""
        pending = {index: self.streams[index].begin(frame) for index, frame in frames.items()}
        embedded = self.recognizer.engine.embed_many(
            [(p.frame, p.faces_to_embed) for p in pending.values()])
        results = {}
        for (index, waiting), faces in zip(pending.items(), embedded):
            live = self.streams[index]
            tracked = live.finish(waiting, faces)
            results[index] = (tracked, live.record_attendance(waiting.frame, tracked))
        return results


class RecognitionFailed(RuntimeError):
    """Recognising a round of frames raised (memory short, a broken model): the run ends, said in one line."""


class _Reader(threading.Thread):
    """Decodes one capture into a small queue; None marks its end."""

    def __init__(self, capture: cv2.VideoCapture, max_frames: int | None, stop: threading.Event):
        super().__init__(daemon=True)
        self.capture, self.max_frames, self.stop = capture, max_frames, stop
        self.frames: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=READ_AHEAD)

    def run(self) -> None:
        read = 0
        try:
            while not self.stop.is_set() and (self.max_frames is None or read < self.max_frames):
                ok, picture = read_frame(self.capture)
                if not ok:
                    break
                read += 1
                if picture is None:
                    continue  # no picture (``usable_frame``): counted as read, not recognised
                while not self.stop.is_set():
                    try:
                        self.frames.put(picture, timeout=0.1)
                        break
                    except queue.Full:
                        continue
        finally:
            self.capture.release()
            while True:  # the end mark must get through, unless nobody is reading any more
                try:
                    self.frames.put(None, timeout=0.1)
                    break
                except queue.Full:
                    if self.stop.is_set():
                        break


FrameCallback = Callable[[int, int, np.ndarray, list[TrackedRecognition], list[AttendanceEvent]], None]


def run_captures(streams: MultiStream, captures: Sequence[tuple[str, cv2.VideoCapture]],
                 on_frame: FrameCallback | None = None, max_frames: int | None = None,
                 stop: threading.Event | None = None) -> list[StreamResult]:
    """Recognise opened captures together until each ends (or ``max_frames`` each, ``stop``, or Ctrl+C).

    Each round takes the frames that are ready, so a slow source does not hold the others back.
    ``on_frame(stream, frame index, frame, faces, check-ins)`` sees every frame in order per stream.
    """
    stop = stop or threading.Event()
    indexes = [streams.add(source) for source, _ in captures]
    readers = {index: _Reader(capture, max_frames, stop) for index, (_, capture) in zip(indexes, captures)}
    results = {index: StreamResult(source) for index, (source, _) in zip(indexes, captures)}
    for reader in readers.values():
        reader.start()
    started = time.perf_counter()
    try:
        while readers and not stop.is_set():
            ready: dict[int, np.ndarray] = {}
            for index, reader in list(readers.items()):
                try:
                    frame = reader.frames.get_nowait()
                except queue.Empty:
                    continue
                if frame is None:
                    del readers[index]
                else:
                    ready[index] = frame
            if not ready:
                if readers:  # nothing decoded yet: wait for the first stream that has a frame
                    time.sleep(0.001)
                continue
            try:
                processed = streams.process(ready)
            except Exception as exc:
                keep_traceback(exc, "recognition failed")  # a broken model, or a bug: its traceback, for the log
                raise RecognitionFailed(f"recognition failed ({type(exc).__name__}: {exc})") from exc
            for index, (faces, events) in processed.items():
                result = results[index]
                if on_frame is not None:
                    on_frame(index, result.frames, ready[index], faces, events)
                result.frames += 1
                result.seconds = time.perf_counter() - started
    except KeyboardInterrupt:  # Ctrl+C ends the run; what was recognised so far is still reported
        pass
    finally:
        stop.set()
        for reader in readers.values():
            reader.join(timeout=5)
    return [results[index] for index in indexes]
