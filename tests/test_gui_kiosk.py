"""Issue 7 in the window: the admin PIN and kiosk mode, a camera that stalls, and the privacy actions.

Offscreen, with the real models where recognition matters. PIN prompts go through ``Guard.prompt``
(no modal dialog); the rate limit is driven by AdminLock's clock, never by waiting.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import replace
from datetime import datetime

import cv2
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from facegui.gui.core.preferences import PreferenceStore  # noqa: E402
from facegui.gui.dialogs.pin import SetPinDialog  # noqa: E402
from facegui.gui.core.context import AppContext  # noqa: E402
from facegui.gui.main_window import MainWindow  # noqa: E402
from facegui.service import AdminLock, Recognizer  # noqa: E402
from facegui.storage import DATABASE_FILE_NAME, NewEvent  # noqa: E402

from .conftest import FACES  # noqa: E402

VIDEO = FACES / "video" / "short_hamilton_clip.mp4"
LIN = "Lin-Manuel Miranda"
PIN = "471147"


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


class Prompt:
    """Stands in for the PIN dialog: answers with ``pin`` and records what it was asked for."""

    def __init__(self):
        self.pin: str | None = PIN
        self.asked: list[str] = []

    def __call__(self, label):
        self.asked.append(label)
        return self.pin


@pytest.fixture
def recognizer(settings):
    with Recognizer.open(settings) as rec:
        yield rec


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def window(qtbot, recognizer, settings, tmp_path, clock):
    store = PreferenceStore(tmp_path / "gui.ini")
    store.save(replace(store.load(), camera_source=str(VIDEO), pace_video_files=False, loop_video_files=True))
    win = MainWindow(AppContext(recognizer, store=store, config_file=tmp_path / "settings.json",
                                admin_lock=AdminLock(settings.data_dir, clock=clock)))
    win.context.guard.prompt = Prompt()
    win.messages = []
    win.context.guard.notify = win.messages.append
    qtbot.addWidget(win)
    win.show()
    yield win
    win.context.guard.prompt.pin = PIN  # so qtbot's closing of the window is never refused
    win.kiosk_mode.leave()
    assert win.shutdown(), "a thread was still running at teardown"
    qtbot.waitUntil(lambda: not win.context.tasks.busy, timeout=10_000)  # no late result for a deleted window


@pytest.fixture
def settings_dialogs(monkeypatch):
    """SettingsDialog.exec without the modal loop: records each dialog that would have been shown."""
    from facegui.gui.dialogs.settings import SettingsDialog

    shown = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: (shown.append(self), 0)[1])
    return shown


def enroll_obama(window):
    assert window.context.recognizer.enroll_file(FACES / "gallery" / "obama_1.jpg", "obama").status == "enrolled"
    window.context.peopleChanged.emit()


def test_the_admin_pin_lives_with_the_data_whatever_the_config_file(recognizer, settings, tmp_path, qtbot):
    AdminLock(settings.data_dir).set_pin(PIN)
    win = MainWindow(AppContext(recognizer, store=PreferenceStore(tmp_path / "gui.ini"),
                                config_file=tmp_path / "elsewhere" / "settings.json"))
    qtbot.addWidget(win)
    assert win.context.guard.lock.data_dir == settings.data_dir and win.context.guard.enabled
    qtbot.waitUntil(lambda: not win.context.tasks.busy, timeout=10_000)  # no late result for a deleted window
    assert win.shutdown()


def test_without_a_pin_nothing_asks_for_one(qtbot, window, settings_dialogs, monkeypatch, tmp_path):
    enroll_obama(window)
    window.people.open_enroll_dialog()
    assert window.people.enroll_dialog is not None and window.people.enroll_dialog.isVisible()
    window.people.enroll_dialog.close()
    window.open_settings()
    assert len(settings_dialogs) == 1
    dialog = window.today.open_history()
    with qtbot.waitSignal(dialog.exported, timeout=10_000):
        assert dialog.export_csv(tmp_path / "history.csv")
    window.commands.kiosk.trigger()
    assert window.context.kiosk
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.context.kiosk and window.menuBar().isVisible()
    with qtbot.waitSignal(window.people.refreshed, timeout=10_000):
        window.people.remove_person("obama")
    assert window.people.names() == []
    assert window.context.guard.prompt.asked == [] and window.messages == []


def test_every_guarded_action_is_refused_with_a_wrong_pin_and_done_with_the_right_one(
        qtbot, window, settings_dialogs, monkeypatch, tmp_path):
    enroll_obama(window)
    window.context.guard.lock.set_pin(PIN)
    prompt = window.context.guard.prompt

    def attempt(pin, action):
        prompt.pin = pin
        before = len(window.messages)
        result = action()
        return result, window.messages[before:]

    # enroll
    _, said = attempt("0000", window.people.open_enroll_dialog)
    assert window.people.enroll_dialog is None and said == ["Wrong PIN"] and prompt.asked[-1] == "enroll a person"
    _, said = attempt(PIN, window.people.open_enroll_dialog)
    assert window.people.enroll_dialog is not None and window.people.enroll_dialog.isVisible() and said == []
    window.people.enroll_dialog.close()

    # settings
    attempt("0000", window.open_settings)
    assert settings_dialogs == []
    attempt(PIN, window.open_settings)
    assert len(settings_dialogs) == 1

    # the camera source (a setting too) and the data folder (everyone's snapshots)
    from facegui.gui.core import data_rights
    from facegui.gui.dialogs.source import SourceDialog

    sources, folders = [], []
    monkeypatch.setattr(SourceDialog, "exec", lambda self: (sources.append(self), 0)[1])
    monkeypatch.setattr(data_rights.QDesktopServices, "openUrl", lambda url: folders.append(url))
    for pin in ("0000", PIN):
        attempt(pin, window.choose_source)
        attempt(pin, window.data_rights.open_data_folder)
    assert len(sources) == 1 and len(folders) == 1 and window.messages[-2:] == ["Wrong PIN", "Wrong PIN"]

    # history export (CSV): viewing the history is free, exporting is not
    dialog = window.today.open_history()
    out = tmp_path / "history.csv"
    ok, said = attempt("0000", lambda: dialog.export_csv(out))
    assert not ok and said == ["Wrong PIN"] and not out.exists()
    with qtbot.waitSignal(dialog.exported, timeout=10_000):
        ok, _ = attempt(PIN, lambda: dialog.export_csv(out))
    assert ok and out.is_file()

    # export my data
    exports = tmp_path / "exports"
    exports.mkdir()
    ok, said = attempt("0000", lambda: window.data_rights.export_my_data(exports))
    assert not ok and said == ["Wrong PIN"] and list(exports.iterdir()) == []
    with qtbot.waitSignal(window.data_rights.dataExported, timeout=15_000) as exported:
        ok, _ = attempt(PIN, lambda: window.data_rights.export_my_data(exports))
    people = json.loads((tmp_path / exported.args[0] / "people.json").read_text(encoding="utf-8"))
    assert ok and [p["name"] for p in people] == ["obama"]
    assert str(exports) in window.status.last_message  # in full; the bar shows it elided when it is too long

    # exit kiosk
    window.kiosk_mode.enter()
    ok, said = attempt("0000", window.kiosk_mode.leave)
    assert not ok and window.context.kiosk and said == ["Wrong PIN"]
    ok, _ = attempt(PIN, window.kiosk_mode.leave)
    assert ok and not window.context.kiosk

    # remove (after the confirmation PeoplePanel asks)
    _, said = attempt("0000", lambda: window.people.remove_person("obama"))
    qtbot.wait(200)
    assert said == ["Wrong PIN"] and [p.name for p in window.context.recognizer.gallery.people()] == ["obama"]
    with qtbot.waitSignal(window.people.refreshed, timeout=10_000):
        attempt(PIN, lambda: window.people.remove_person("obama"))
    assert window.context.recognizer.gallery.people() == []

    # delete all face data (the confirmation is answered yes)
    enroll_obama(window)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Yes)
    ok, said = attempt("0000", window.data_rights.delete_all_data)
    assert not ok and said == ["Wrong PIN"] and window.people.names() == ["obama"]
    ok, _ = attempt(PIN, window.data_rights.delete_all_data)
    assert ok and window.people.names() == []

    # the prompt always said what it was for; the PIN survives everything (it guards the data, it is not face data)
    assert {"change the settings", "export the attendance history", "export all face data", "leave kiosk mode",
            "remove a person or a record", "delete all face data"} <= set(prompt.asked)
    assert window.context.guard.lock.enabled


def test_rate_limited_pins_tell_the_user_when_to_try_again(window, clock, settings_dialogs):
    window.context.guard.lock.set_pin(PIN)
    window.context.guard.prompt.pin = "1111"
    for _ in range(2):
        window.open_settings()
    assert window.messages == ["Wrong PIN", "Wrong PIN"]
    window.open_settings()  # the third wrong PIN starts the 30 s wait
    assert window.messages[-1] == "Too many wrong PINs; try again in 30 s"
    clock.now += 10
    window.context.guard.prompt.pin = PIN  # even the right PIN waits
    window.open_settings()
    assert window.messages[-1] == "Too many wrong PINs; try again in 20 s" and settings_dialogs == []
    clock.now += 21
    window.open_settings()
    assert len(settings_dialogs) == 1 and len(window.messages) == 4


def test_a_damaged_pin_record_is_not_reported_as_a_wrong_pin(window, settings_dialogs):
    window.context.guard.lock.set_pin(PIN)
    window.context.guard.lock.store.update(lambda record: replace(record, secret="{}"))
    window.context.guard.prompt.pin = PIN
    window.open_settings()
    assert settings_dialogs == [] and "damaged" in window.messages[-1]


def test_kiosk_mode_is_full_screen_without_menus_and_needs_the_pin_to_leave(qtbot, window, clock):
    window.context.guard.lock.set_pin(PIN)
    prompt = window.context.guard.prompt
    window.commands.kiosk.trigger()
    assert window.context.kiosk and window.commands.kiosk.isChecked()
    assert window.isFullScreen() and window.windowState() & Qt.WindowState.WindowFullScreen
    assert not window.menuBar().isVisible() and not window.commands.toolbar.isVisible()
    assert window.status.unlock_button.isVisible()  # the one small way out
    assert not prompt.asked  # entering needs no PIN

    prompt.pin = "0000"
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.context.kiosk and window.isFullScreen() and window.messages == ["Wrong PIN"]
    assert prompt.asked == ["leave kiosk mode"]
    window.status.unlock_button.click()
    window.commands.kiosk.trigger()  # F11
    assert window.context.kiosk and window.commands.kiosk.isChecked()
    assert window.messages == ["Wrong PIN", "Wrong PIN", "Too many wrong PINs; try again in 30 s"]
    clock.now += 31
    assert not window.close() and window.isVisible() and window.context.kiosk  # closing needs the PIN too
    assert window.messages[-1] == "Too many wrong PINs; try again in 60 s"
    assert prompt.asked == ["leave kiosk mode"] * 4
    clock.now += 61
    prompt.pin = None  # cancelled: refused without a message
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.context.kiosk and len(window.messages) == 4

    prompt.pin = PIN
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.context.kiosk and not window.isFullScreen() and not window.commands.kiosk.isChecked()
    assert window.menuBar().isVisible() and window.commands.toolbar.isVisible() and not window.status.unlock_button.isVisible()

    window.kiosk_mode.enter()
    assert window.close() and not window.isVisible()  # the right PIN closes it


def test_set_admin_pin_first_time_change_and_clear(qtbot, window):
    guard = window.context.guard
    dialog = SetPinDialog(guard, window)
    qtbot.addWidget(dialog)
    assert not dialog.current.isVisibleTo(dialog)  # nothing to confirm the first time
    dialog.new.setText("246800")
    dialog.repeat.setText("246900")
    assert not dialog.submit() and "differ" in dialog.error.text() and not guard.enabled
    dialog.new.setText("12")
    dialog.repeat.setText("12")
    assert not dialog.submit() and "at least 6 digits" in dialog.error.text()
    dialog.new.setText("246800")
    dialog.repeat.setText("246800")
    assert dialog.submit() and guard.enabled and guard.lock.check("246800").allowed

    dialog = SetPinDialog(guard, window)
    qtbot.addWidget(dialog)
    assert dialog.current.isVisibleTo(dialog) and dialog.clear.isVisibleTo(dialog)
    dialog.current.setText("135700")
    dialog.new.setText(PIN)
    dialog.repeat.setText(PIN)
    assert not dialog.submit() and dialog.error.text() == "Wrong PIN"
    dialog.current.setText("246800")
    assert dialog.submit() and guard.lock.check(PIN).allowed and not guard.lock.check("246800").allowed

    dialog = SetPinDialog(guard, window)
    qtbot.addWidget(dialog)
    dialog.current.setText(PIN)
    dialog.clear.setChecked(True)
    assert not dialog.new.isEnabled()
    assert dialog.submit() and not guard.enabled and "cleared" in dialog.result_message
    assert window.context.guard.lock.store.read().secret is None


# -- a camera that stops delivering frames ------------------------------------------------------
class FaultyCamera:
    """A capture factory for the worker: each open gives a real cv2 capture of the clip, paced like a
    30 fps camera and looping over the frames where Lin-Manuel Miranda is in view, that hangs in
    ``read`` (as an unplugged camera or a dead stream does) while ``stall`` is set."""

    FIRST, LAST = 90, 210

    def __init__(self):
        self.stall = threading.Event()
        self.unblock = threading.Event()  # set at teardown only: a hung read stays hung until then
        self.opens = 0
        self.blocked = 0
        self.stalled_at: float | None = None
        self._lock = threading.Lock()

    def __call__(self, source, open_timeout_ms=0):
        self.opens += 1
        return FaultyCamera.Capture(self)

    class Capture:
        def __init__(self, camera):
            self.camera = camera
            self.capture = cv2.VideoCapture(str(VIDEO))
            self.capture.set(cv2.CAP_PROP_POS_FRAMES, FaultyCamera.FIRST)
            self.position = FaultyCamera.FIRST

        def get(self, prop):
            return 0.0

        def read(self):
            camera = self.camera
            if camera.stall.is_set():
                with camera._lock:
                    camera.blocked += 1
                    if camera.stalled_at is None:
                        camera.stalled_at = time.monotonic()
                camera.unblock.wait(120)  # never returns while the test runs
                return False, None
            time.sleep(1 / 30)
            if self.position > FaultyCamera.LAST:
                self.capture.set(cv2.CAP_PROP_POS_FRAMES, FaultyCamera.FIRST)
                self.position = FaultyCamera.FIRST
            self.position += 1
            return self.capture.read()

        def release(self):
            self.capture.release()


@pytest.fixture
def faulty_camera(window):
    camera = FaultyCamera()
    window.camera.capture_factory = camera
    window.camera.set_source("rtsp://camera.local/stream", restart=False)
    yield camera
    window.camera.stop()
    camera.unblock.set()  # let the abandoned readers finish and release their captures


def test_a_stalled_camera_is_reported_retried_and_recovers(qtbot, window, faulty_camera):
    camera = faulty_camera
    assert window.context.recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
    packets, states = [], []
    window.camera.frameShown.connect(packets.append)
    window.camera.start()
    window.camera.worker.stateChanged.connect(lambda s: states.append((time.monotonic(), s)))
    qtbot.waitUntil(lambda: any(LIN in {f.name for f in p.faces} for p in packets), timeout=20_000)

    camera.stall.set()  # the camera hangs mid-stream
    qtbot.waitUntil(lambda: "no frames from" in window.station.video.message, timeout=10_000)
    assert window.station.video.message.startswith("no frames from rtsp://camera.local/stream for 3 s, retrying")
    assert window.station.video.message_is_error and "retrying" in window.status.source.text()
    noticed = next(at for at, s in states if s.message.startswith("no frames from"))
    assert 2.5 <= noticed - camera.stalled_at <= 3 + 3, f"stall reported after {noticed - camera.stalled_at:.1f} s"
    assert window.camera.running and camera.opens == 1

    # The camera comes back: the worker reopens it by itself and names Lin again.
    shown_before = len(packets)
    camera.stall.clear()
    qtbot.waitUntil(lambda: any(LIN in {f.name for f in p.faces} for p in packets[shown_before:]), timeout=20_000)
    assert camera.opens == 2 and window.station.video.message == "" and "streaming" in window.status.source.text()

    # Hung again; stopping does not wait for the read that never returns.
    blocked = camera.blocked
    camera.stall.set()
    qtbot.waitUntil(lambda: camera.blocked > blocked, timeout=5_000)
    worker = window.camera.worker
    started = time.perf_counter()
    assert window.camera.stop()
    assert time.perf_counter() - started < 1.0 and worker.isFinished()


# -- the user's rights over their data -------------------------------------------------------------
def test_delete_all_face_data_leaves_a_working_window_with_nobody_enrolled(qtbot, window, settings, monkeypatch):
    enroll_obama(window)
    (event,), _ = window.context.attendance.store.record([NewEvent("obama", datetime.now(), "camera 0", 0.8,
                                                           snapshot_jpeg=b"\xff\xd8 jpeg bytes")])
    window.context.thumbnails.save("obama", cv2.imread(str(FACES / "gallery" / "obama_1.jpg"))[:64, :64])
    qtbot.waitUntil(lambda: window.today.row_of("obama") is not None, timeout=10_000)
    window.camera.start()
    qtbot.waitUntil(lambda: window.camera.last_packet is not None, timeout=20_000)
    questions = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: (
        questions.append(text), QMessageBox.StandardButton.Cancel)[1])
    assert not window.data_rights.delete_all_data()
    assert window.people.names() == ["obama"] and event.snapshot.is_file()
    assert "every enrolled person (1)" in questions[0] and "cannot be undone" in questions[0]
    assert "attendance check-ins" in questions[0] and "snapshots" in questions[0]

    old_gallery = window.context.recognizer.gallery
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.data_rights.faceDataDeleted, timeout=10_000) as deleted:
        assert window.data_rights.delete_all_data()
    removed = {p.rsplit("/", 1)[-1] for p in deleted.args[0]}
    assert {DATABASE_FILE_NAME, "snapshots", "thumbnails"} <= removed
    assert not event.snapshot.exists() and not window.context.thumbnails.has("obama")
    assert window.context.recognizer.gallery is not old_gallery and window.people.names() == []
    qtbot.waitUntil(lambda: window.today.row_of("obama") is None, timeout=10_000)
    assert window.context.attendance.history() == []
    with sqlite3.connect(settings.data_dir / DATABASE_FILE_NAME) as db:  # re-created, empty
        for table in ("people", "embeddings", "attendance_events", "attendance_sightings", "unknown_faces"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table

    # Working: the camera was restarted, and a new person can be enrolled and is named live.
    assert window.camera.running
    assert window.context.recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
    window.context.peopleChanged.emit()
    assert window.people.names() == [LIN]
    qtbot.waitUntil(lambda: window.camera.last_packet is not None
                    and LIN in {f.name for f in window.camera.last_packet.faces}, timeout=30_000)


def test_stopping_the_camera_in_kiosk_mode_needs_the_pin(qtbot, window):
    window.context.guard.lock.set_pin(PIN)
    window.camera.start()
    qtbot.waitUntil(lambda: window.camera.running, timeout=10_000)
    window.context.guard.prompt.pin = PIN
    window.kiosk_mode.enter()
    window.context.guard.prompt.pin = "0000"
    window.toggle_camera()  # F5
    assert window.camera.running and window.messages[-1] == "Wrong PIN"
    window.context.guard.prompt.pin = PIN
    window.toggle_camera()
    assert not window.camera.running
    window.toggle_camera()  # starting it again needs nobody's permission
    qtbot.waitUntil(lambda: window.camera.running, timeout=10_000)


def test_the_window_shows_the_wait_cursor_while_it_checks_the_pin(qtbot, window):
    from PySide6.QtWidgets import QApplication

    lock = window.context.guard.lock
    lock.set_pin(PIN)
    cursors = []
    real_check = lock.check
    lock.check = lambda pin: (cursors.append(QApplication.overrideCursor()), real_check(pin))[1]
    assert window.context.guard.allow("remove")  # the real scrypt check, about 0.4 s
    window.context.guard.prompt.pin = "000000"
    assert not window.context.guard.allow("remove") and window.messages[-1] == "Wrong PIN"
    assert len(cursors) == 2 and all(c is not None and c.shape() == Qt.CursorShape.WaitCursor for c in cursors)
    assert QApplication.overrideCursor() is None  # restored after each check
