"""How a video source is named wherever people can read it: the status bar, attendance records, logs.

A stream URL may carry a password (``rtsp://admin:secret@10.0.0.5/stream``); the rule that leaves it out is
``engine.video.describe``, which the capture's own errors use too. The source itself, password and all, is
only ever handed to the capture that opens it.
"""
from __future__ import annotations

from pathlib import Path

from ..engine.video import NO_FRAME, VideoSourceError, describe, open_capture, parse_source, path_problem, read_frame


def source_label(source: str | int) -> str:
    """``camera 0``, a file's path, or a URL without its user name and password: ``rtsp://10.0.0.5:554/stream``
    (``engine.video.describe``)."""
    return describe(source)


def source_problem(source: str) -> VideoSourceError | None:
    """Why a source chosen by hand cannot be used (``str()``: one English line; its reason and source as
    data for a window's language); None when it can.

    A video file is checked now, by opening it and reading a frame: a typo or a file that is not a video is
    refused when chosen, instead of being retried every few seconds and remembered in Recent sources. Cameras
    (by number or by device, ``/dev/video0``) and stream URLs may come and go (a camera unplugged, a server restarting), so they are not refused here:
    the camera worker retries them.
    """
    parsed = parse_source(source)
    if isinstance(parsed, int):
        return None
    if not parsed:
        return VideoSourceError("no source: enter a camera number, a video file or a stream URL")
    if "://" in parsed:
        return None
    problem = path_problem(parsed)
    if problem is not None or not Path(parsed).is_file():
        return problem  # a camera's device (/dev/video0) is retried live, like a camera's number
    try:
        capture = open_capture(parsed)
    except VideoSourceError as exc:
        return exc
    try:
        readable, _frame = read_frame(capture)
    finally:
        capture.release()
    return None if readable else VideoSourceError(f"{parsed}: no video frame could be read from it", parsed, NO_FRAME)
