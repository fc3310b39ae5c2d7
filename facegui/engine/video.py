"""Video sources: a file, a camera index or a URL, all read through OpenCV."""
from __future__ import annotations

import os
from pathlib import Path

import cv2

# FFmpeg prints its own complaints (e.g. "moov atom not found") straight to the terminal; every
# failure is reported by VideoSourceError in one line instead. Read when a capture first opens.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


class VideoSourceError(RuntimeError):
    """The source cannot be opened or stopped delivering frames."""


def parse_source(source: str | int) -> str | int:
    """``"0"`` → camera 0; anything else is a file path or URL."""
    if isinstance(source, int):
        return source
    text = str(source).strip()
    return int(text) if text.isdigit() else text


def describe(source: str | int) -> str:
    parsed = parse_source(source)
    return f"camera {parsed}" if isinstance(parsed, int) else str(parsed)


def open_capture(source: str | int, open_timeout_ms: int = 5000) -> cv2.VideoCapture:
    parsed = parse_source(source)
    if isinstance(parsed, str) and "://" not in parsed and not Path(parsed).is_file():
        raise VideoSourceError(f"{parsed}: no such video file")
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, open_timeout_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, open_timeout_ms]
    capture = cv2.VideoCapture(parsed, cv2.CAP_ANY, params)
    if not capture.isOpened():
        capture.release()
        raise VideoSourceError(f"{describe(parsed)}: cannot be opened (not a video, or no such device)")
    return capture
