"""Run a plain function on a thread pool and get its result back through signals."""
from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QApplication

T = TypeVar("T")


class TaskSignals(QObject):
    progress = Signal(object)
    done = Signal(object)
    failed = Signal(str)
    finished = Signal()


class Task(QRunnable):
    """``fn(*args, report=callable)`` in a pool thread; ``report(x)`` emits ``progress``."""

    def __init__(self, fn, *args, with_report: bool = False):
        super().__init__()
        self.setAutoDelete(False)  # the Python side keeps it until ``finished``
        self.fn, self.args, self.with_report = fn, args, with_report
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            kwargs = {"report": self.signals.progress.emit} if self.with_report else {}
            result = self.fn(*self.args, **kwargs)
        except Exception as exc:  # reported to the user, never crashes the app
            traceback.print_exc()
            self.signals.failed.emit(str(exc) or type(exc).__name__)
        else:
            self.signals.done.emit(result)
        finally:
            self.signals.finished.emit()


class TaskRunner(QObject):
    """Owns a pool and keeps running tasks alive until they finish."""

    def __init__(self, max_threads: int = 2, parent=None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._running: set[Task] = set()

    def start(self, fn, *args, on_done=None, on_failed=None, on_progress=None) -> Task:
        task = Task(fn, *args, with_report=on_progress is not None)
        if on_done:
            task.signals.done.connect(on_done)
        if on_failed:
            task.signals.failed.connect(on_failed)
        if on_progress:
            task.signals.progress.connect(on_progress)
        task.signals.finished.connect(lambda: self._running.discard(task))
        self._running.add(task)
        self.pool.start(task)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def wait(self, timeout_ms: int = 5000) -> bool:
        return self.pool.waitForDone(timeout_ms)


def with_busy_cursor(fn: Callable[[], T]) -> T:
    """``fn()`` under the wait cursor: for a short step the window must wait for, such as checking the
    admin PIN (scrypt, about 0.4 s). It stays on the window's thread on purpose: a nested event loop
    would let queued events (a stopping camera thread's deletion, a second guarded action) run in the
    middle of a guarded action."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return fn()
    finally:
        QApplication.restoreOverrideCursor()


class CoalescedTask:
    """A refresh that runs ``fn()`` on the pool; requests made while it runs become one more run after it.

    So a burst of check-ins (or a slow database) never queues a pile of identical queries.
    """

    def __init__(self, runner: TaskRunner, fn, on_done, on_failed=None):
        self.runner, self.fn, self.on_done, self.on_failed = runner, fn, on_done, on_failed
        self.running = False
        self.pending = False
        self.stopped = False

    def stop(self) -> None:
        """No more runs (the data it reads is about to be closed)."""
        self.stopped = True

    def resume(self) -> None:
        """Runs again after ``stop`` (the data was reopened). A run still in flight is followed by a fresh one."""
        self.stopped = False

    def request(self) -> None:
        if self.stopped:
            return
        if self.running:
            self.pending = True
            return
        self.running, self.pending = True, False
        self.runner.start(self.fn, on_done=self._done, on_failed=self._failed)

    def _done(self, result) -> None:
        self.running = False
        self.on_done(result)
        if self.pending:
            self.request()

    def _failed(self, message: str) -> None:
        self.running = False
        if self.on_failed is not None:
            self.on_failed(message)
        if self.pending:
            self.request()


class PeriodicRefresh:
    """A ``CoalescedTask`` that also runs every ``interval_ms`` (the day may change; another station may write),
    and that stops while the data it reads is closed."""

    def __init__(self, runner: TaskRunner, fn, on_done, interval_ms: int, parent: QObject):
        self.task = CoalescedTask(runner, fn, on_done)
        self.timer = QTimer(parent)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.request)
        self.timer.start()

    def request(self) -> None:
        self.task.request()

    def stop(self) -> None:
        self.timer.stop()
        self.task.stop()

    def resume(self) -> None:
        """Runs again, at once: a run still in flight is followed by one on the (new) data."""
        self.task.resume()
        self.timer.start()
        self.task.request()
