"""The window as the GUI tests open it: a throw-away data folder, the test video as the source, full speed."""
from __future__ import annotations

from dataclasses import replace

from facegui.gui.core.context import AppContext
from facegui.gui.core.preferences import PreferenceStore
from facegui.gui.main_window import MainWindow
from facegui.service import Recognizer

from .conftest import FACES

VIDEO = FACES / "video" / "short_hamilton_clip.mp4"


def open_window(qtbot, settings, tmp_path, **context_options) -> MainWindow:
    """A shown window over its own recognizer (closed with the window's context), the clip looping unpaced."""
    store = PreferenceStore(tmp_path / "gui.ini")
    store.save(replace(store.load(), camera_source=str(VIDEO), pace_video_files=False, loop_video_files=True))
    window = MainWindow(AppContext(Recognizer.open(settings), store=store, config_file=tmp_path / "settings.json",
                                   owns_recognizer=True, **context_options))
    qtbot.addWidget(window)
    window.show()
    return window
