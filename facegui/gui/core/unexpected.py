"""The window's last word on a bug: an exception nothing caught.

PySide6 hands an exception raised in a slot or a ``QThread.run`` to ``sys.excepthook``, and Python one
raised in a thread of its own to ``threading.excepthook``; by default both print a traceback that nobody
at a door reads. Here each is kept with its traceback in the problems log (``service/diagnostics.py``),
said in one line on stderr, and announced to the window (``happened``, delivered on the GUI thread
whatever thread raised it), which goes on running.
"""
from __future__ import annotations

import sys
import threading
from types import TracebackType

from PySide6.QtCore import QObject, Signal

from ...service.diagnostics import error_summary, unexpected_error_line


class UnexpectedErrors(QObject):
    happened = Signal(str)
    """The error's type and message, one line."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._previous: tuple | None = None

    def install(self) -> None:
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self._on_exception
            threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def _on_exception(self, kind: type[BaseException], error: BaseException,
                      trace: TracebackType | None) -> None:
        if not isinstance(error, Exception):  # Ctrl+C, SystemExit: Python's own way
            if self._previous is not None:
                self._previous[0](kind, error, trace)
            return
        self.report(error.with_traceback(trace))

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or not isinstance(args.exc_value, Exception):
            if self._previous is not None:
                self._previous[1](args)
            return
        self.report(args.exc_value.with_traceback(args.exc_traceback))

    def report(self, error: Exception) -> None:
        try:
            print(f"facegui: {unexpected_error_line(error)}", file=sys.stderr, flush=True)
        except (OSError, ValueError):  # no stderr left: the log and the window still know
            pass
        self.happened.emit(error_summary(error))
