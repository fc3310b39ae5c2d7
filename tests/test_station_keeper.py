"""``facegui --kiosk`` keeps the station up: the real window, streaming the test video offscreen, killed the way
a crash in native code kills it, is started again by the keeper, which says so in the problems log; stopping the
keeper stops the window."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from facegui.gui.core.preferences import PreferenceStore  # noqa: E402

from .gui_window import VIDEO  # noqa: E402
from .processes import children_of, holds_open, wait_for  # noqa: E402

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the window's process in /proc")


def test_a_station_window_that_crashes_is_started_again_and_stopping_the_keeper_stops_it(tmp_path, models_dir):
    store = PreferenceStore(tmp_path / "gui.ini")  # beside --config, where the window reads it
    store.save(replace(store.load(), camera_source=str(VIDEO), loop_video_files=True))
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path / "home")}
    keeper = subprocess.Popen([sys.executable, "-m", "facegui", "--kiosk", "--data-dir", str(data), "--models",
                               str(models_dir), "--config", str(tmp_path / "settings.json")],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        (first,) = wait_for(lambda: children_of(keeper.pid), 30, "no window started")
        wait_for(lambda: holds_open(first, VIDEO), 60, "the window did not stream the video")
        os.kill(first, signal.SIGSEGV)  # what a crash in Qt, onnxruntime or a camera driver does
        (second,) = wait_for(lambda: [p for p in children_of(keeper.pid) if p != first], 30,
                             "the window was not started again")
        wait_for(lambda: holds_open(second, VIDEO), 60, "the window started again did not stream the video")
        log = (data / "logs" / "facegui.log").read_text(encoding="utf-8")
        assert "WARNING [station keeper " in log
        assert "the station window crashed (SIGSEGV) after " in log and "; starting it again in 2 s" in log
        keeper.send_signal(signal.SIGTERM)  # a logout, or systemctl stop
        assert keeper.wait(20) == 0
        assert not Path(f"/proc/{second}").exists(), "the window outlived its keeper"
        assert "Traceback" not in keeper.stderr.read().decode("utf-8", "replace")
    finally:
        if keeper.poll() is None:
            for child in children_of(keeper.pid):
                os.kill(child, signal.SIGKILL)
            keeper.kill()
            keeper.wait()
