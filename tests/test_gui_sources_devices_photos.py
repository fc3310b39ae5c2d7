"""Back-office checks on the session and the files themselves: a video file is opened when chosen (a typo or a
file that is not a video is refused, never retried or remembered), and CUDA is greyed out with the reason when
this session asked for it and got the CPU. Offscreen, real models, the real clip."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from facegui.gui.dialogs.settings import SettingsDialog  # noqa: E402
from facegui.gui.dialogs.source import SourceDialog  # noqa: E402
from facegui.gui.pages.settings import CUDA_UNUSABLE, NO_CUDA, SettingsPage, provider_choices  # noqa: E402
from facegui.service.sources import source_problem  # noqa: E402

from .conftest import FACES  # noqa: E402
from .gui_window import VIDEO, open_window  # noqa: E402


@pytest.fixture
def window(qtbot, settings, tmp_path):
    win = open_window(qtbot, settings, tmp_path)
    yield win
    assert win.shutdown(), "a thread was still running at teardown"


def test_the_source_rule_opens_the_file_and_reads_a_frame(tmp_path):
    assert source_problem(str(VIDEO)) is None
    assert source_problem("0") is None and source_problem("rtsp://camera.local/stream") is None  # retried live
    assert str(source_problem(str(tmp_path / "typo.mp4"))) == f"{tmp_path / 'typo.mp4'}: no such video file"
    assert str(source_problem(str(tmp_path))) == f"{tmp_path}: is a folder, not a video file"
    (tmp_path / "zero.mp4").symlink_to("/dev/zero")
    assert str(source_problem(str(tmp_path / "zero.mp4"))).endswith("is a character device, not a video file or a camera")
    notes = tmp_path / "notes.mp4"
    notes.write_text("a shopping list, not a video")
    assert str(source_problem(str(notes))) == f"{notes}: cannot be opened (not a video facegui can read)"


def test_a_file_that_is_not_a_video_is_refused_when_chosen(qtbot, window, tmp_path):
    notes = tmp_path / "notes.mp4"
    notes.write_text("a shopping list, not a video")
    dialog = SourceDialog(str(VIDEO), window.context.file_dialogs, window)
    qtbot.addWidget(dialog)
    dialog.file.setText(str(notes))
    dialog.file_radio.setChecked(True)
    with qtbot.waitSignal(dialog.refused):
        dialog._accept()
    assert dialog.result() == 0 and str(notes) in dialog.error.text()
    copy = tmp_path / "clip copy.mp4"
    shutil.copyfile(VIDEO, copy)
    dialog.file.setText(str(copy))
    dialog._accept()
    assert dialog.result() == 1 and dialog.source() == str(copy)

    settings = SettingsDialog(window.context, window)
    qtbot.addWidget(settings)
    settings.page.source.setText(str(notes))
    assert not settings.apply() and str(notes) in settings.error.text()
    assert window.context.prefs.camera_source == str(VIDEO)
    assert str(notes) not in window.context.store.load().recent_sources
    settings.page.source.setText(str(VIDEO))  # unchanged: accepted without opening it again
    assert settings.apply()


def test_cuda_is_greyed_out_with_the_reason_this_session_gives(window):
    import onnxruntime

    engine = window.context.engine
    listed = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
    cuda = {value: reason for value, _label, reason in provider_choices(engine)}["cuda"]
    if not listed:
        assert cuda == NO_CUDA
    elif engine.fell_back_to_cpu:  # this machine: onnxruntime-gpu lists CUDA, its libraries are missing
        assert cuda == CUDA_UNUSABLE
    else:
        assert cuda == ""
    page = SettingsDialog(window.context, window).page
    item = page.provider.model().item(page.provider.findData("cuda"))
    assert item.isEnabled() == (cuda == "") and item.toolTip() == cuda
    # Asked for the CPU, a session says nothing about CUDA: it stays a choice when onnxruntime has it.
    assert {v: r for v, _l, r in provider_choices(None)}["cuda"] == ("" if listed else NO_CUDA)
    assert SettingsPage().provider.count() == 3


def test_a_persons_photos_show_the_face_each_one_enrolled(qtbot, window, tmp_path):
    """So a bad photo (blurred, someone else) can be told apart before it is deleted."""
    from PySide6.QtCore import Qt

    from facegui.gui.dialogs.person import PHOTO_ICON

    gone = tmp_path / "obama moved away.jpg"
    shutil.copyfile(FACES / "gallery" / "obama_2.jpg", gone)
    recognizer = window.context.recognizer
    for photo in (FACES / "gallery" / "obama_1.jpg", gone, FACES / "probes" / "two_people.jpg"):
        assert recognizer.enroll_file(photo, "obama", force=True).status == "enrolled"
    gone.unlink()  # its face stays enrolled; its picture cannot be shown
    window.context.peopleChanged.emit()
    received = []
    window.people.open_person("obama").facesShown.connect(received.append)
    dialog = window.people.person_dialog
    qtbot.waitUntil(lambda: bool(received), timeout=20_000)
    faces = received[0]
    ids = [dialog.photos.item(row).data(Qt.ItemDataRole.UserRole) for row in range(dialog.photos.count())]
    assert len(ids) == 3 and set(faces) == {ids[0], ids[2]}
    assert all(face.width() == face.height() == 112 for face in faces.values())  # the aligned faces
    assert dialog.photos.iconSize().width() == PHOTO_ICON


def test_a_recent_source_gone_since_is_refused_when_chosen_again(qtbot, window, tmp_path):
    copy = tmp_path / "yesterday.mp4"
    shutil.copyfile(VIDEO, copy)
    window.context.set_preferences(window.context.prefs.with_source(str(copy)))
    copy.unlink()  # moved or deleted since
    notices = []
    window.context.notice.connect(lambda message, _ms: notices.append(message))
    assert not window.commands.start_recent(str(copy))
    assert not window.camera.running and notices == [f"Cannot use this video file: {copy}: no such video file"]
    assert window.commands.start_recent(str(VIDEO)) and window.camera.running
    window.camera.stop()


_OPEN_PREFERENCES = """
import sys
from pathlib import Path
from facegui.gui.core.preferences import GuiPreferences, PreferenceStore
store = PreferenceStore(Path(sys.argv[1]))
print(store.load() == GuiPreferences(), store.problem)
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_preferences_file_that_is_a_pipe_opens_the_window_with_defaults(tmp_path):
    """QSettings read a gui.ini that is a named pipe for as long as nothing wrote to it: the window never
    opened. Now it is refused unread, in one log line, like settings.json (a process of its own, so a
    regression cannot hang the suite)."""
    pipe = tmp_path / "gui.ini"
    os.mkfifo(pipe)
    done = subprocess.run([sys.executable, "-c", _OPEN_PREFERENCES, str(pipe)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True is a named pipe (FIFO), not a settings file"
    assert f"{pipe}: is a named pipe (FIFO), not a settings file; the window's preferences start from their defaults" \
        in done.stderr


def test_the_windows_settings_and_preferences_files_are_user_only(window, tmp_path):
    """gui.ini holds camera addresses, with their passwords where a camera has one (rtsp://user:password@…),
    and settings.json names the database server and its user: saving from the window wrote both with the
    umask's mode (0644 here), so any local user could read them. Now both are 0600, also a settings.json the
    admin wrote 0644 by hand."""
    old_umask = os.umask(0o022)
    try:
        settings_file = tmp_path / "settings.json"
        settings_file.write_text('{"database_url": "postgresql://station@db.example/facegui"}\n')
        settings_file.chmod(0o644)
        camera = "rtsp://admin:hunter2@10.0.0.5/stream"
        window.apply_settings(window.context.settings.replace(similarity_threshold=0.4),
                              replace(window.context.prefs, camera_source=camera))
    finally:
        os.umask(old_umask)
    assert "station@db.example" in settings_file.read_text() and "hunter2" in (tmp_path / "gui.ini").read_text()
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "gui.ini").stat().st_mode) == 0o600


def test_the_file_dialogs_history_of_folders_is_user_only(qtbot, tmp_path, monkeypatch):
    """Qt's own file dialog writes the folders it visited (a folder of staff photos, named after them) into
    Qt's settings file with the umask's mode (0644): any local user could read where the photos are. Opened
    through facegui, a real dialog leaves that file 0600, with the history still in it."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    from facegui.gui.core.file_dialogs import FileDialogs

    photos = tmp_path / "zhang_wei"
    photos.mkdir()
    usual = Path(QSettings(QSettings.Scope.UserScope, "QtProject").fileName()).parent
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    qt_file = tmp_path / "config" / "QtProject.conf"

    def leave_the_dialog():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QFileDialog) and widget.isVisible():
                widget.setDirectory(str(photos))
                widget.reject()
                return
        QTimer.singleShot(50, leave_the_dialog)

    old_umask = os.umask(0o022)
    try:
        QTimer.singleShot(50, leave_the_dialog)
        assert FileDialogs(in_kiosk=lambda: False).open_files(None, "photos") == []
    finally:
        os.umask(old_umask)
        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(usual))
    assert "zhang_wei" in qt_file.read_text()  # Qt wrote its history there
    assert stat.S_IMODE(qt_file.stat().st_mode) == 0o600
