"""How a video source is named wherever people can read it: the status bar, attendance records, logs.

A stream URL may carry a password (``rtsp://admin:secret@10.0.0.5/stream``); it never leaves this
module. The source itself, password and all, is only ever handed to the capture that opens it.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from ..engine.video import describe


def source_label(source: str | int) -> str:
    """``describe(source)`` minus any user name and password in a URL: ``rtsp://10.0.0.5:554/stream``."""
    text = describe(source)
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
