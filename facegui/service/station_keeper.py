"""Keeping a station's window up: ``facegui --kiosk`` runs the window in a child process and starts it again
when that process dies.

Python errors are caught inside the window (``gui/core/unexpected.py``), but a crash in native code (Qt,
onnxruntime, OpenCV, a camera driver), the kernel's out-of-memory killer or a stray ``kill`` end the
process at once; at a door nobody attends, the screen would then stay dark until somebody logs in again.
So the station's own process only watches: a small Python process (no Qt, no models) that starts the
window, waits, and after an abnormal end says so in the problems log and starts it again, sooner the first
time and later while it keeps failing. What the window had recorded is safe on disk already (each check-in
is committed as it happens; docs/reliability.md), so nothing is lost or counted twice across the restart.

It stops, and the window with it, when the window ends normally (the admin closed it, with the PIN),
when the window refuses to start for a reason a restart would only repeat (exit code 2: bad settings,
models missing), and when the keeper itself is told to stop (SIGTERM, SIGHUP at logout, Ctrl+C), which
it passes on to the window.
"""
from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType

log = logging.getLogger(__name__)

CHILD_OPTION = "--station-child"
"""Given to the window the keeper starts: that process is the window itself, not another keeper."""
RESTART_FIRST_S = 2.0
"""The wait before starting the window again after it died; doubled after each quick death."""
RESTART_MAX_S = 60.0
HEALTHY_AFTER_S = 300.0
"""A window that ran this long before dying was working: the next wait is ``RESTART_FIRST_S`` again."""
WATCH_STEP_S = 0.5
"""How often the keeper, waiting for the window, looks whether it was told to stop."""
STOP_GRACE_S = 10.0
"""How long a window told to stop may take before it is killed."""
PAUSE_STEP_S = 0.1
"""How often a wait between restarts looks whether the keeper was told to stop."""
REFUSED_TO_START = 2
"""The window's exit code for a problem a restart would only repeat (see ``facegui.gui.launch``)."""
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name))


def window_command(argv: Sequence[str]) -> list[str]:
    """This facegui's window with ``argv``, as a child of the keeper: the bundle's executable itself, or this
    interpreter running the package (never whatever ``facegui`` is first on PATH)."""
    program = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "facegui"]
    return [*program, *argv, CHILD_OPTION]


def how_it_ended(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}" if name in ("SIGKILL", "SIGTERM") else f"crashed ({name})"
    return f"ended with exit code {code}"


class StationKeeper:
    """Runs ``command`` (the window) until it ends normally or the keeper is stopped; see the module."""

    def __init__(self, command: Sequence[str], *, clock: Callable[[], float] = time.monotonic,
                 spawn: Callable[[Sequence[str]], subprocess.Popen] = subprocess.Popen) -> None:
        self.command = list(command)
        self.clock, self.spawn = clock, spawn
        self.stopping = False
        """Set by ``stop``: a plain flag, as a signal handler may set it (an Event's lock could deadlock there)."""
        self.child: subprocess.Popen | None = None
        self.starts = 0

    def run(self) -> int:
        """The window's last exit code (0 after a stop the keeper was asked for)."""
        previous = {number: signal.signal(number, self._on_stop_signal) for number in _STOP_SIGNALS} \
            if threading.current_thread() is threading.main_thread() else {}
        try:
            return self._keep_running()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def stop(self, number: int = signal.SIGTERM) -> None:
        """End the window and then the keeper (from a signal handler, or another thread)."""
        self.stopping = True
        child = self.child
        if child is not None and child.poll() is None:
            try:
                child.send_signal(number)
            except OSError:  # it has just ended by itself
                pass

    def _on_stop_signal(self, number: int, _frame: FrameType | None) -> None:
        self.stop(signal.SIGTERM if number == getattr(signal, "SIGHUP", None) else number)

    def _keep_running(self) -> int:
        delay = RESTART_FIRST_S
        while True:
            started = self.clock()
            try:
                self.child = self.spawn(self.command)
            except OSError as exc:  # the executable is gone (an update half done): as good as a crash
                log.warning("cannot start the station window (%s); trying again in %.0f s",
                            exc.strerror or exc, delay)
                code = None
            else:
                self.starts += 1
                code = self._wait_for_window(self.child)
            if self.stopping:
                return 0
            if code is not None:
                if code in (0, REFUSED_TO_START):
                    return code
                ran = self.clock() - started
                if ran >= HEALTHY_AFTER_S:
                    delay = RESTART_FIRST_S
                log.warning("the station window %s after %.0f s; starting it again in %.0f s",
                            how_it_ended(code), ran, delay)
            if self._pause(delay):
                return 0
            delay = min(delay * 2, RESTART_MAX_S)

    def _wait_for_window(self, child: subprocess.Popen) -> int:
        """The window's exit code. Once the keeper is told to stop, the window is asked to end (again: the
        signal may have come before it was started), and killed if it has not within ``STOP_GRACE_S``
        (hung in a driver)."""
        asked_at: float | None = None
        while True:
            try:
                return child.wait(timeout=WATCH_STEP_S)
            except subprocess.TimeoutExpired:
                if not self.stopping:
                    continue
                if asked_at is None:
                    asked_at = self.clock()
                    child.terminate()
                elif self.clock() - asked_at >= STOP_GRACE_S:
                    child.kill()

    def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``, or less when told to stop (then True)."""
        deadline = self.clock() + seconds
        while not self.stopping and self.clock() < deadline:
            time.sleep(min(PAUSE_STEP_S, max(deadline - self.clock(), 0.0)))
        return self.stopping


def keep_station_running(argv: Sequence[str]) -> int:
    """``facegui --kiosk …``: the window with ``argv`` in a child process, kept running (see the module)."""
    return StationKeeper(window_command(argv)).run()
