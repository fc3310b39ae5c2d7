"""Video sources: a file, a camera index or a URL, all read through OpenCV."""
from __future__ import annotations

import logging
import os
import stat
from urllib.parse import urlsplit, urlunsplit

import cv2
import numpy as np

from ..files import file_kind
from .imageio import to_bgr8

log = logging.getLogger(__name__)

# FFmpeg prints its own complaints (e.g. "moov atom not found") straight to the terminal; every
# failure is reported by VideoSourceError in one line instead. Read when a capture first opens.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


CAMERA_UNAVAILABLE = "camera unavailable"
STREAM_UNAVAILABLE = "stream unavailable"
NOT_A_VIDEO = "not a video"
OPEN_FAILURES = {
    CAMERA_UNAVAILABLE: "cannot be opened (no such camera, or another program is using it)",
    STREAM_UNAVAILABLE: "cannot be opened (nothing answered at this address, or it sends no video)",
    NOT_A_VIDEO: "cannot be opened (not a video facegui can read)",
}
"""Why a source OpenCV was asked to open did not open, by kind of source: a window words each in its
language (``gui/core/problems.py``), the command line prints these lines."""
NO_SUCH_FILE, A_FOLDER, NOT_A_FILE, CANNOT_READ, NO_FRAME = (
    "no such file", "a folder", "not a file", "cannot read", "no frame")
"""Why a local path is no video source, found before OpenCV is asked (``path_problem``), or a video file
that opens but gives no frame (``service.sources.source_problem``)."""


class VideoSourceError(RuntimeError):
    """The source cannot be opened or stopped delivering frames, as data: ``reason`` (``OPEN_FAILURES``'
    keys, ``NO_SUCH_FILE`` …) and ``source`` (a camera's number, or the source as ``describe`` names it:
    never a URL's password) let a window word it in its language; ``detail`` is what the line adds (the
    kind of special file, the operating system's words). ``str()`` is the English line."""

    def __init__(self, message: str, source: str | int | None = None, reason: str | None = None,
                 detail: str = ""):
        super().__init__(message)
        self.source = source
        self.reason = reason
        self.detail = detail


def parse_source(source: str | int) -> str | int:
    """``"0"`` → camera 0; anything else is a file path or URL."""
    if isinstance(source, int):
        return source
    text = str(source).strip()
    # ASCII digits only: "²" is a digit to str.isdigit but no number to int().
    return int(text) if text.isascii() and text.isdigit() else text


def describe(source: str | int) -> str:
    """How a source is named wherever people can read it (the errors below, the status bar, attendance
    records, logs): ``camera 0``, a file by its path, a URL without its user name and password
    (``rtsp://10.0.0.5:554/stream``). A stream URL may carry a password (``rtsp://admin:secret@…``): only the
    capture that opens it is ever given the source itself."""
    parsed = parse_source(source)
    if isinstance(parsed, int):
        return f"camera {parsed}"
    text = str(parsed)
    if "://" not in text:
        return text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a malformed URL: show nothing of what may be a password
        return text.split("://", 1)[0] + "://…"
    if not (parts.username or parts.password):
        return text
    netloc = (parts.hostname or "") + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


VIDEO4LINUX_MAJOR = 81
"""The device number Linux gives cameras (/dev/video*), by which a camera can be chosen as a path."""


def path_problem(path: str) -> VideoSourceError | None:
    """Why a local source cannot be opened, before OpenCV tries it; None for a video file or a camera's
    device (``/dev/video0``: Linux's video4linux devices). Anything else would be handed to FFmpeg, which
    blocks on a named pipe for as long as nothing writes to it and on a terminal until someone types; so
    folders, pipes, sockets and other devices are refused by name."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return VideoSourceError(f"{path}: no such video file", path, NO_SUCH_FILE)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = str(getattr(exc, "strerror", None) or exc)
        return VideoSourceError(f"{path}: cannot be read ({reason})", path, CANNOT_READ, reason)
    mode = info.st_mode
    if stat.S_ISREG(mode) or _is_video4linux(info):
        return None
    if stat.S_ISDIR(mode):
        return VideoSourceError(f"{path}: is a folder, not a video file", path, A_FOLDER)
    kind = file_kind(mode)
    return VideoSourceError(f"{path}: is {kind}, not a video file or a camera", path, NOT_A_FILE, kind)


def usable_frame(frame: np.ndarray | None) -> np.ndarray | None:
    """A captured frame as the engine takes it (BGR, 8 bits, three channels), or None when it is no picture.

    OpenCV gives BGR for almost every camera and file, but not for all: a depth camera's node gives 16-bit
    single-channel frames (the detector found ten "faces" in one), a backend with its conversion off gives a
    grey or BGRA picture or the raw bytes of a compressed frame in one row, a broken stream an empty one. A
    picture is converted as a photo would be; what is not one (empty, or a single row) is None, to be skipped:
    a source that gives nothing else is then a source that gives no frames."""
    if frame is None or frame.size == 0 or frame.ndim not in (2, 3):
        return None
    if frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3:
        return frame  # what nearly every frame is: no copy
    if frame.shape[0] < 2 or frame.shape[1] < 2:
        return None
    return to_bgr8(frame)


def read_frame(capture: cv2.VideoCapture) -> tuple[bool, np.ndarray | None]:
    """The capture's next frame as the engine takes it: (False, None) at the source's end, and also when
    reading raised (OpenCV does on some broken streams; said in one logged line, so whoever reads the capture
    reopens it or ends as at an end); (True, None) for a frame that is no picture (``usable_frame``)."""
    try:
        ok, frame = capture.read()
    except cv2.error as exc:
        log.warning("A video frame could not be read (%s)", " ".join(str(exc).split()))
        return False, None
    if not ok or frame is None:
        return False, None
    return True, usable_frame(frame)


def open_capture(source: str | int, open_timeout_ms: int = 5000) -> cv2.VideoCapture:
    parsed = parse_source(source)
    if isinstance(parsed, str) and "://" not in parsed and (problem := path_problem(parsed)):
        raise problem
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, open_timeout_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, open_timeout_ms]
    try:
        capture = cv2.VideoCapture(parsed, cv2.CAP_ANY, params)
    except (cv2.error, OverflowError):  # e.g. a camera index beyond a C int
        capture = None
    if capture is None or not capture.isOpened():
        if capture is not None:
            capture.release()
        reason = _open_failure(parsed)
        raise VideoSourceError(f"{describe(parsed)}: {OPEN_FAILURES[reason]}",
                               parsed if isinstance(parsed, int) else describe(parsed), reason)
    return capture


def _open_failure(source: str | int) -> str:
    if isinstance(source, int) or is_camera_device(source):
        return CAMERA_UNAVAILABLE
    return STREAM_UNAVAILABLE if "://" in source else NOT_A_VIDEO


def is_camera_device(path: str) -> bool:
    """A video4linux device (``/dev/video0``): a camera, chosen by its path."""
    try:
        return _is_video4linux(os.stat(path))
    except (OSError, ValueError):
        return False


def _is_video4linux(info: os.stat_result) -> bool:
    return stat.S_ISCHR(info.st_mode) and hasattr(os, "major") and os.major(info.st_rdev) == VIDEO4LINUX_MAJOR
