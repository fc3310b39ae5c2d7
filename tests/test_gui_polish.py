"""What users notice: the status bar, words, room for the video, small screens, stale text.

Offscreen, with the real models and the real video.
"""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QAction  # noqa: E402
from PySide6.QtWidgets import QAbstractButton  # noqa: E402

from facegui.gui.core.text import count  # noqa: E402

from .gui_window import VIDEO, open_window  # noqa: E402


@pytest.fixture
def window(qtbot, settings, tmp_path):
    win = open_window(qtbot, settings, tmp_path)
    yield win
    assert win.shutdown(), "a thread was still running at teardown"


def test_a_long_message_never_overprints_a_permanent_field(qtbot, window):
    window.resize(800, 600)
    frames = []
    window.camera.frameShown.connect(frames.append)
    window.camera.start()
    qtbot.waitUntil(lambda: len(frames) >= 2, timeout=20_000)
    bar, status = window.statusBar(), window.status
    long_path = "/home/reception/" + "very-long-folder-name/" * 8 + "export"
    for send in (lambda text: window.context.notice.emit(text, 5000),  # the window's own messages
                 lambda text: bar.showMessage(text)):  # what a menu item's status tip does
        send(f"Exported all face data to {long_path}")
        qtbot.wait(50)
        shown = bar.currentMessage()
        assert "…" in shown and shown.startswith("Exported") and shown.endswith("/export")
        assert bar.fontMetrics().horizontalAdvance(shown) <= status.message_width()
        first_field = min(w.x() for w in status.fields if w.isVisible())
        assert 6 + bar.fontMetrics().horizontalAdvance(shown) < first_field
    for field in status.fields:  # every permanent field whole: nothing squeezed it
        assert field.isVisible() and field.width() >= field.sizeHint().width(), field.text()
    assert "short_hamilton_clip.mp4" in status.source.text() and "FPS" in status.fps.text()
    assert window.context.engine.embedder_id not in "".join(f.text() for f in status.fields)  # in About now


def test_the_video_gets_the_room_and_the_window_fits_800x600(qtbot, window):
    qtbot.waitExposed(window)
    qtbot.wait(50)
    assert window.station.video.width() >= 0.6 * window.width()
    assert window.minimumSizeHint().width() <= 800 and window.minimumSizeHint().height() <= 600
    window.resize(800, 600)
    qtbot.wait(50)
    assert window.width() <= 800 and window.height() <= 600
    assert window.station.video.width() >= 0.45 * window.width()


def test_words_real_plurals_no_ampersands_in_tips_no_emoji(window):
    assert (count(0, "face"), count(1, "photo"), count(2, "photo"), count(3, "person", "people")) == (
        "0 faces", "1 photo", "2 photos", "3 people")
    for action in window.findChildren(QAction):
        assert "&" not in action.statusTip(), action.statusTip()
    texts = [a.text() for a in window.findChildren(QAction)] + [b.text() for b in window.findChildren(QAbstractButton)]
    emoji = [t for t in texts if any(0x1F000 <= ord(c) <= 0x1FAFF or 0x2600 <= ord(c) <= 0x27BF for c in t)]
    assert emoji == [], "needs an emoji font"


def test_who_is_in_the_frame_is_cleared_when_the_camera_stops(qtbot, window):
    frames = []
    window.camera.frameShown.connect(frames.append)
    window.camera.start()
    qtbot.waitUntil(lambda: any(p.faces for p in frames) and window.station.in_frame.count() > 0, timeout=20_000)
    window.camera.stop()
    assert window.station.in_frame.count() == 0 and window.status.faces.text() == "0 faces"


def test_settings_speak_plainly_keep_the_advanced_apart_and_restore_defaults(qtbot, window):
    import onnxruntime
    from PySide6.QtWidgets import QLabel

    from facegui.config import Settings
    from facegui.gui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.applied.connect(window.apply_settings)
    dialog.show()
    page = dialog.page
    shown = " ".join(label.text() for label in page.findChildren(QLabel) if label.isVisible())
    assert "NMS" not in shown and "IoU" not in shown and "How alike a face must be to get a name" in shown
    assert not page.advanced.isVisible()
    page.show_advanced.click()
    assert page.advanced.isVisible()
    cuda = page.provider.model().item(page.provider.findData("cuda"))
    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
        assert not cuda.isEnabled() and "not available" in cuda.toolTip()

    page.threshold.setValue(0.61)
    page.checkin_cooldown.setValue(10)
    page.det_size.setValue(320)
    assert dialog.apply()
    changed = window.context.settings
    assert (changed.similarity_threshold, changed.checkin_cooldown_s, changed.detector_input_size) == (0.61, 10, 320)
    page.restore_button.click()
    assert dialog.apply()
    defaults, now = Settings(), window.context.settings
    assert (now.similarity_threshold, now.checkin_cooldown_s, now.detector_input_size) == (
        defaults.similarity_threshold, defaults.checkin_cooldown_s, defaults.detector_input_size)
    assert now.data_dir == changed.data_dir  # where the data lives is not a default to restore
    assert window.context.prefs.camera_source == str(VIDEO)  # nor the camera


def test_a_video_file_that_does_not_exist_is_refused_when_chosen(qtbot, window, tmp_path):
    from facegui.gui.dialogs.settings import SettingsDialog
    from facegui.gui.dialogs.source import SourceDialog

    missing = str(tmp_path / "no-such-clip.mp4")
    dialog = SourceDialog(str(VIDEO), window.context.file_dialogs, window)
    qtbot.addWidget(dialog)
    dialog.file.setText(missing)
    dialog.file_radio.setChecked(True)
    dialog._accept()
    assert dialog.result() == 0 and "no such video file" in dialog.error.text()
    settings = SettingsDialog(window.context, window)
    qtbot.addWidget(settings)
    settings.page.source.setText(missing)
    assert not settings.apply() and "no such video file" in settings.error.text()
    assert window.context.prefs.camera_source == str(VIDEO)
    assert missing not in window.context.prefs.recent_sources


def test_toolbar_icons_from_the_theme_or_bundled(window):
    from facegui.gui.widgets.action_icons import BUNDLED_SVG, bundled_icon

    toolbar = window.commands.toolbar
    with_icons = [a for a in toolbar.actions() if not a.isSeparator()]
    assert with_icons and all(not a.icon().isNull() for a in with_icons)
    assert all(not bundled_icon(name).pixmap(24, 24).isNull() for name in BUNDLED_SVG)  # no theme needed


def test_enroll_person_from_the_menu_opens_the_dialog(qtbot, window):
    window.commands.enroll.trigger()  # QAction passes "checked": the dialog must not take it for a name
    assert window.people.enroll_dialog.isVisible() and window.people.enroll_dialog.name.currentText() == ""
