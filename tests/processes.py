"""Watching a facegui process from outside, through /proc (Linux): its children, and whether it streams a file."""
from __future__ import annotations

import os
import time
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
