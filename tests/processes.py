"""Watching a facegui process from outside, through /proc (Linux): its children, and whether it streams a file;
and the station keeper (``facegui --kiosk``) run, its window crashed, and stopped."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_for(condition, timeout_s: float, what: str):
    """``condition()``'s first true value; ``what`` had not happened when it times out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout_s:.0f} s")


def holds_open(pid: int, path: Path) -> bool:
    """``pid`` has ``path`` open (a window streaming a video file)."""
    try:
        return any(Path(f"/proc/{pid}/fd/{fd}").resolve() == path.resolve() for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@contextlib.contextmanager
def station_keeper(command: list[str], **popen) -> Iterator[subprocess.Popen]:
    """``facegui --kiosk`` as its own process (stderr piped); whatever is left of it and its window is killed at
    the end."""
    keeper = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen)
    try:
        yield keeper
    finally:
        if keeper.poll() is None:
            for child in children_of(keeper.pid):
                os.kill(child, signal.SIGKILL)
            keeper.kill()
            keeper.wait()


def crash_the_window(keeper: subprocess.Popen, video: Path, how: signal.Signals) -> tuple[int, int]:
    """Wait for the keeper's window to stream ``video``, kill it with ``how``, and wait for the window the keeper
    starts again to stream it too: (the first window's pid, the second's)."""
    (first,) = wait_for(lambda: children_of(keeper.pid), 30, "no window started")
    wait_for(lambda: holds_open(first, video), 60, "the window did not stream the video")
    os.kill(first, how)
    (second,) = wait_for(lambda: [p for p in children_of(keeper.pid) if p != first], 30,
                         "the window was not started again")
    wait_for(lambda: holds_open(second, video), 60, "the window started again did not stream the video")
    return first, second


def stop_the_keeper(keeper: subprocess.Popen, window: int) -> None:
    """SIGTERM to the keeper (a logout, systemctl stop): it ends with 0, its window with it, without a traceback."""
    keeper.send_signal(signal.SIGTERM)
    assert keeper.wait(20) == 0
    assert not Path(f"/proc/{window}").exists(), "the window outlived its keeper"
    assert keeper.stderr is not None and "Traceback" not in keeper.stderr.read().decode("utf-8", "replace")
