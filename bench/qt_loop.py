"""The GUI benchmarks' waiting: a real Qt event loop, idle between events as the window's own is.

A loop of ``processEvents`` calls returns at once when no event is pending, so it kept the GUI thread
busy: it added a core of its own to the process's CPU time and took that core from the camera worker.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

POLL_MS = 10
"""How often ``wait_until`` looks at its condition."""

_application: QCoreApplication | None = None


def application() -> QCoreApplication:
    """The process's QApplication, made on first use and kept for the process's life."""
    global _application
    _application = QApplication.instance() or QApplication([])
    return _application


def run_for(seconds: float) -> None:
    """Run the event loop for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout_ms: int = 20_000) -> None:
    """Run the event loop until ``condition()`` holds; TimeoutError after ``timeout_ms``."""
    if condition():
        return
    loop, poll, clock = QEventLoop(), QTimer(), QElapsedTimer()
    timed_out = False

    def look() -> None:
        nonlocal timed_out
        if condition():
            loop.quit()
        elif clock.elapsed() > timeout_ms:
            timed_out = True
            loop.quit()

    poll.timeout.connect(look)
    poll.start(POLL_MS)
    clock.start()
    loop.exec()
    poll.stop()
    if timed_out:
        raise TimeoutError("the window did not reach the expected state")
