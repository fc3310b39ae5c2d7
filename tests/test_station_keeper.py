"""``facegui --kiosk`` keeps the station up: the real window, streaming the test video offscreen, killed the way
a crash in native code kills it, is started again by the keeper, which says so in the problems log; stopping the
keeper stops the window."""
from __future__ import annotations

import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from facegui.gui.core.preferences import PreferenceStore  # noqa: E402

from .gui_window import VIDEO  # noqa: E402
from .processes import crash_the_window, station_keeper, stop_the_keeper  # noqa: E402

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the window's process in /proc")


def test_a_station_window_that_crashes_is_started_again_and_stopping_the_keeper_stops_it(tmp_path, models_dir):
    store = PreferenceStore(tmp_path / "gui.ini")  # beside --config, where the window reads it
    store.save(replace(store.load(), camera_source=str(VIDEO), loop_video_files=True))
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path / "home")}
    with station_keeper([sys.executable, "-m", "facegui", "--kiosk", "--data-dir", str(data), "--models",
                         str(models_dir), "--config", str(tmp_path / "settings.json")], env=env, cwd=tmp_path) as keeper:
        # What a crash in Qt, onnxruntime or a camera driver does.
        _first, second = crash_the_window(keeper, VIDEO, signal.SIGSEGV)
        log = (data / "logs" / "facegui.log").read_text(encoding="utf-8")
        assert "WARNING [station keeper " in log
        assert "the station window crashed (SIGSEGV) after " in log and "; starting it again in 2 s" in log
        stop_the_keeper(keeper, second)
