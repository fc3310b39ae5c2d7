"""The station keeper's rules (service/station_keeper.py), with small Python programs standing in for the window:
what ends it, what starts the window again and how soon, and that a stop reaches the window."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from facegui.service import station_keeper
from facegui.service.station_keeper import StationKeeper, how_it_ended, window_command


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(station_keeper, "RESTART_FIRST_S", 0.05)
    monkeypatch.setattr(station_keeper, "PAUSE_STEP_S", 0.01)


def window(tmp_path, script: str) -> list[str]:
    """A stand-in window: ``script`` runs with ``runs``, how many times it was started before."""
    counter = tmp_path / "runs"
    return [sys.executable, "-c", textwrap.dedent(f"""
        import os, signal, sys, time
        from pathlib import Path
        counter = Path({str(counter)!r})
        runs = int(counter.read_text()) if counter.exists() else 0
        counter.write_text(str(runs + 1))
    """) + textwrap.dedent(script)]


def test_a_window_that_crashes_is_started_again_until_it_ends_normally(tmp_path, caplog):
    keeper = StationKeeper(window(tmp_path, """
        if runs < 2:
            os.kill(os.getpid(), signal.SIGSEGV)  # a crash in native code
        sys.exit(0)  # the admin closed it
    """))
    with caplog.at_level(logging.WARNING, "facegui.service.station_keeper"):
        assert keeper.run() == 0
    assert keeper.starts == 3
    assert [r.getMessage() for r in caplog.records] == [
        "the station window crashed (SIGSEGV) after 0 s; starting it again in 0 s"] * 2


def test_the_wait_doubles_while_it_keeps_dying_and_is_short_again_after_a_healthy_run(tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr(StationKeeper, "_pause", lambda self, seconds: waits.append(seconds) or False)
    ran = iter([1.0, 1.0, 1.0, 400.0, 1.0])  # seconds each window lived; then it ends normally
    now = [0.0]

    def clock() -> float:
        return now[0]

    class Child:
        def __init__(self, command) -> None:
            self.lived = next(ran, None)

        def wait(self, timeout=None) -> int:
            if self.lived is None:
                return 0
            now[0] += self.lived
            return -signal.SIGSEGV

        def poll(self):
            return None

        def terminate(self) -> None:
            pass

    keeper = StationKeeper(["window"], clock=clock, spawn=Child)
    assert keeper.run() == 0
    first = station_keeper.RESTART_FIRST_S
    assert waits == [first, first * 2, first * 4, first, first * 2]


def test_a_window_that_refuses_to_start_is_not_started_again(tmp_path):
    keeper = StationKeeper(window(tmp_path, "sys.exit(2)  # bad settings: a restart would only repeat it"))
    assert keeper.run() == 2 and keeper.starts == 1


def test_a_missing_program_is_retried_not_a_traceback(tmp_path, caplog):
    keeper = StationKeeper([str(tmp_path / "facegui-half-updated")])
    stopper = threading.Timer(0.3, keeper.stop)
    stopper.start()
    with caplog.at_level(logging.WARNING, "facegui.service.station_keeper"):
        assert keeper.run() == 0
    assert caplog.records and caplog.records[0].getMessage().startswith(
        "cannot start the station window (No such file or directory); trying again in")


def test_stopping_the_keeper_stops_the_window(tmp_path):
    """SIGTERM to the keeper (a logout, systemctl stop) reaches the window, and both end."""
    pid_file = tmp_path / "window.pid"
    program = textwrap.dedent(f"""
        import sys
        from facegui.service.station_keeper import StationKeeper
        window = [sys.executable, "-c",
                  "import os, time, pathlib; pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid())); time.sleep(60)"]
        sys.exit(StationKeeper(window).run())
    """)
    keeper = subprocess.Popen([sys.executable, "-c", program])
    deadline = time.monotonic() + 20
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    window_pid = int(pid_file.read_text())
    keeper.send_signal(signal.SIGTERM)
    assert keeper.wait(10) == 0
    with pytest.raises(ProcessLookupError):
        for _ in range(100):  # the window may take a moment to be reaped by its parent's exit
            os.kill(window_pid, 0)
            time.sleep(0.05)


def test_how_an_end_is_said():
    assert how_it_ended(-signal.SIGSEGV) == "crashed (SIGSEGV)"
    assert how_it_ended(-signal.SIGABRT) == "crashed (SIGABRT)"
    assert how_it_ended(-signal.SIGKILL) == "was killed by SIGKILL"
    assert how_it_ended(1) == "ended with exit code 1"


def test_the_window_is_this_facegui_marked_as_the_keepers_child():
    command = window_command(["--kiosk", "--data-dir", "d"])
    assert command[:3] == [sys.executable, "-m", "facegui"] and command[3:] == ["--kiosk", "--data-dir", "d",
                                                                                   "--station-child"]


def test_a_window_that_ignores_the_stop_is_killed(tmp_path, monkeypatch):
    monkeypatch.setattr(station_keeper, "STOP_GRACE_S", 0.5)
    monkeypatch.setattr(station_keeper, "WATCH_STEP_S", 0.05)
    started = tmp_path / "started"
    keeper = StationKeeper([sys.executable, "-c", f"""
import pathlib, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # hung: deaf to the stop
pathlib.Path({str(started)!r}).touch()
time.sleep(60)
"""])
    threading.Thread(target=lambda: (wait_until(started.exists), keeper.stop()), daemon=True).start()
    began = time.monotonic()
    assert keeper.run() == 0
    assert time.monotonic() - began < 20 and keeper.child.returncode == -signal.SIGKILL


def wait_until(condition, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
