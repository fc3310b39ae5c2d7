"""The desktop app end to end, offscreen, with the real models on the real photos and video."""
from __future__ import annotations

import csv
import json
import threading
import time
import warnings
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import cv2
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from facegui.config import Settings  # noqa: E402
from facegui.gui.pages.attendance import TodayRoster  # noqa: E402
from facegui.service.live import LiveRecognizer  # noqa: E402
from facegui.gui.drawing import FaceResult, draw_faces  # noqa: E402
from facegui.gui.dialogs.enroll import EnrollDialog  # noqa: E402
from facegui.gui.core.preferences import PreferenceStore  # noqa: E402
from facegui.gui.core.context import AppContext  # noqa: E402
from facegui.gui.main_window import MainWindow  # noqa: E402
from facegui.gui.dialogs.settings import SettingsDialog  # noqa: E402
from facegui.service import Recognizer  # noqa: E402
from facegui.storage import AttendanceEvent, DayRecord, NewEvent  # noqa: E402

from .conftest import FACES  # noqa: E402

VIDEO = FACES / "video" / "short_hamilton_clip.mp4"
LIN = "Lin-Manuel Miranda"


@pytest.fixture
def recognizer(settings):
    with Recognizer.open(settings) as rec:
        yield rec


@pytest.fixture
def store(tmp_path):
    store = PreferenceStore(tmp_path / "gui.ini")
    # Full speed and looping: every frame of the clip is processed, and it never runs out.
    store.save(replace(store.load(), camera_source=str(VIDEO), pace_video_files=False, loop_video_files=True))
    return store


@pytest.fixture
def window(qtbot, recognizer, settings, store, tmp_path):
    win = MainWindow(AppContext(recognizer, store=store, config_file=tmp_path / "settings.json"))
    qtbot.addWidget(win)
    win.show()
    yield win
    assert win.shutdown(), "a thread was still running at teardown"


def names_in(packet) -> set[str]:
    return {f.name for f in packet.faces}


class FrameLog:
    """Every frame the window rendered, recorded on the GUI thread."""

    def __init__(self, win):
        self.packets = []
        win.camera.frameShown.connect(self.packets.append)

    def named(self, name) -> bool:
        return any(name in names_in(p) for p in self.packets)


def drop_files(win, paths) -> None:
    """What a file manager's drag does: a drag-enter the window accepts, then the drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the QPoint overload is the one PySide offers
        enter = QDragEnterEvent(QPoint(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(win, enter)
    assert enter.isAccepted(), "the window refused the drag"
    event = QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(win, event)


def test_main_window_opens(window, recognizer):
    assert window.isVisible()
    assert window.windowTitle() == "facegui"
    assert recognizer.engine.embedder_id in window.about_text()  # not in the status bar: too long for it
    assert window.status.device.text().startswith(recognizer.engine.device)
    assert "short_hamilton_clip.mp4" in window.status.source.text()
    assert window.people.names() == []
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&View", "&Camera", "&People", "&Attendance", "&Help"]
    assert window.today_dock.isVisible() and window.today.table.rowCount() == 0
    assert not window.camera.running


def test_video_names_enrolled_person_and_stop_restart_work(qtbot, window, recognizer):
    assert recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
    log = FrameLog(window)
    window.camera.start()
    qtbot.waitUntil(lambda: log.named(LIN), timeout=20_000)
    packet = next(p for p in log.packets if LIN in names_in(p))
    assert (packet.image.width(), packet.image.height()) == (640, 360)
    lin = next(f for f in packet.faces if f.name == LIN)
    assert lin.is_known and lin.similarity >= recognizer.settings.similarity_threshold
    assert packet.fps > 5
    assert "FPS" in window.status.fps.text() and "face" in window.status.faces.text()

    worker = window.camera.worker
    started = time.perf_counter()
    window.camera.stop()
    assert time.perf_counter() - started < 1.0
    assert not worker.isRunning() and not window.camera.running
    count = len(log.packets)
    qtbot.wait(200)
    assert len(log.packets) == count, "frames arrived after stop"

    window.camera.start()
    qtbot.waitUntil(lambda: len(log.packets) > count + 5, timeout=10_000)
    assert log.packets[-1].index < log.packets[count - 1].index  # a new worker, from the start of the clip
    assert window.camera.running


def test_enrolling_while_streaming_changes_live_results(qtbot, window):
    log = FrameLog(window)
    window.camera.start()
    qtbot.waitUntil(lambda: sum(1 for p in log.packets if p.faces) >= 5, timeout=10_000)
    assert not log.named(LIN)
    assert all(not f.is_known for p in log.packets for f in p.faces)
    worker = window.camera.worker

    window.people.open_enroll_dialog()
    dialog = window.people.enroll_dialog
    assert isinstance(dialog, EnrollDialog) and dialog.isVisible()
    with qtbot.waitSignal(dialog.photoAnalyzed, timeout=10_000) as analysed:
        dialog.capture_button.click()  # the live frame as a source
    assert analysed.args[0].label.startswith("camera frame") and analysed.args[0].path is None
    dialog.remove_current_photo()
    with qtbot.waitSignal(dialog.photoAnalyzed, timeout=10_000) as analysed:
        drop_files(dialog, [FACES / "probes" / "lin-manuel-miranda.png"])  # dragged from a file manager
    photo = analysed.args[0]
    assert photo.error is None and len(photo.faces) == 1
    assert len(dialog.photos) == 1
    assert not dialog.preview.pixmap().isNull()
    dialog.name.setCurrentText(LIN)
    with qtbot.waitSignal(dialog.enrolled, timeout=10_000) as enrolled:
        dialog.enroll_button.click()
    assert enrolled.args[0].enrolled == 1
    assert window.people.names() == [LIN]
    assert "1 photo" in window.people.list.item(0).text()
    assert dialog.context.thumbnails.has(LIN)

    before = len(log.packets)
    # No restart: the running worker sees the new gallery on its next frames (the clip loops).
    qtbot.waitUntil(lambda: any(LIN in names_in(p) for p in log.packets[before:]), timeout=30_000)
    assert window.camera.worker is worker and worker.isRunning()


def test_enroll_dialog_refuses_bad_input_and_offers_other_faces(qtbot, window, tmp_path):
    window.people.open_enroll_dialog()
    dialog = window.people.enroll_dialog
    # Nothing to enroll yet: the buttons say so by being off; asked anyway (Enter), the dialog says why.
    assert not dialog.enroll_button.isEnabled() and not dialog.remove_button.isEnabled()
    with qtbot.waitSignal(dialog.refused) as refused:
        dialog.enroll()
    assert "cannot be empty" in refused.args[0]
    dialog.name.setCurrentText("somebody")
    with qtbot.waitSignal(dialog.refused) as refused:
        dialog.enroll()
    assert "Add a photo" in refused.args[0]

    with qtbot.waitSignal(dialog.photoAnalyzed, timeout=10_000) as analysed:
        dialog.add_files([FACES / "probes" / "two_people.jpg"])
    photo = analysed.args[0]
    assert len(photo.faces) == 2 and photo.chosen == 0
    area = lambda f: (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1])  # noqa: E731
    assert area(photo.faces[0]) >= area(photo.faces[1])  # the largest is picked first
    assert "2 faces found" in dialog.warning.text()
    dialog.face_picker.setCurrentRow(1)
    assert photo.chosen == 1 and "your choice" in dialog.warning.text()

    dialog.name.setCurrentText("   ")
    with qtbot.waitSignal(dialog.refused) as refused:
        dialog.enroll_button.click()
    assert "cannot be empty" in refused.args[0]

    dialog.remove_current_photo()
    blurred = tmp_path / "blurred.jpg"
    image = cv2.imread(str(FACES / "gallery" / "obama_1.jpg"))
    cv2.imwrite(str(blurred), cv2.GaussianBlur(image, (0, 0), 6))
    with qtbot.waitSignal(dialog.photoAnalyzed, timeout=10_000):
        dialog.add_files([blurred])
    dialog.name.setCurrentText("obama")
    with qtbot.waitSignal(dialog.refused) as refused:
        dialog.enroll_button.click()
    assert "too blurry" in refused.args[0]

    dialog.remove_current_photo()
    with qtbot.waitSignal(dialog.photoAnalyzed, timeout=10_000):
        dialog.add_files([FACES / "probes" / "obama-240p.jpg"])
    window.context.recognizer.configure(window.context.settings.replace(enroll_min_face_size=80))  # what the settings dialog does
    with qtbot.waitSignal(dialog.refused) as refused:
        dialog.enroll_button.click()
    assert "smaller than the minimum of 80 px" in refused.args[0]

    dialog.remove_current_photo()
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg")
    with qtbot.waitSignal(dialog.photoAnalyzed, timeout=10_000) as analysed:
        dialog.add_files([corrupt])
    # Not a picture: the dialog says what the list says (cannot be decoded), never "no face".
    assert analysed.args[0].error and analysed.args[0].error in dialog.warning.text()
    assert "No face" not in dialog.warning.text() and dialog.preview.text() != "No face"
    assert window.context.recognizer.gallery.people() == []


def enroll_in_dialog(qtbot, window, photos: list[Path], name: str):
    """One batch of the enrollment dialog, as an admin makes it: the report, and the dialog."""
    window.people.open_enroll_dialog()
    dialog = window.people.enroll_dialog
    for photo in photos:
        with qtbot.waitSignal(dialog.photoAnalyzed, timeout=10_000):
            dialog.add_files([photo])
    dialog.name.setCurrentText(name)
    with qtbot.waitSignal(dialog.enrolled, timeout=10_000) as enrolled:
        dialog.enroll_button.click()
    return enrolled.args[0], dialog


def test_enroll_dialog_skips_a_face_someone_else_is_enrolled_with(qtbot, window, recognizer):
    """The service's rule, seen in the window: obama's photo under another name is skipped with the reason,
    the other photo of the batch (lin, whom nobody resembles) is enrolled."""
    recognizer.enroll_file(FACES / "gallery" / "obama_1.jpg", "obama")
    report, dialog = enroll_in_dialog(qtbot, window, [FACES / "probes" / "obama-480p.jpg",
                                                      FACES / "probes" / "lin-manuel-miranda.png"], "new hire")
    assert report.enrolled == 1
    assert [refusal.subject for refusal in report.skipped] == ["obama-480p.jpg"]
    assert "looks like obama, who is already enrolled" in dialog.message.text()
    assert {p.name: p.embedding_count for p in recognizer.gallery.people()} == {"obama": 1, "new hire": 1}


def test_enroll_dialog_skips_a_photo_unlike_the_persons_first(qtbot, window, recognizer):
    """One batch for a new person whose second photo is somebody else's (kit's, enrolled nowhere, so no
    look-alike): the first photo makes the person, the second is skipped with the reason."""
    report, dialog = enroll_in_dialog(qtbot, window, [FACES / "probes" / "lin-manuel-miranda.png",
                                                      FACES / "gallery" / "kit_harington_1.jpg"], "new hire")
    assert report.enrolled == 1
    assert [refusal.subject for refusal in report.skipped] == ["kit_harington_1.jpg"]
    assert "does not look like new hire's enrolled faces" in dialog.message.text()
    assert {p.name: p.embedding_count for p in recognizer.gallery.people()} == {"new hire": 1}


def test_removing_a_person_asks_first(qtbot, window, recognizer, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    recognizer.enroll_file(FACES / "gallery" / "obama_1.jpg", "obama")
    recognizer.enroll_file(FACES / "gallery" / "obama_2.jpg", "obama")
    window.context.peopleChanged.emit()
    assert window.people.list.item(0).text() == "obama\n2 photos"
    # A check-in with a snapshot, as the camera worker would have recorded it.
    (event,), _ = window.context.attendance.store.record([NewEvent("obama", datetime.now(), "camera 0", 0.8,
                                                           snapshot_jpeg=b"\xff\xd8 jpeg bytes")])
    assert event.snapshot.is_file()
    window.people.list.setCurrentRow(0)
    questions = []

    def answer(reply):
        return lambda _parent, _title, text, *a, **k: (questions.append(text), reply)[1]

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    window.commands.remove.trigger()
    qtbot.wait(100)
    assert [p.name for p in recognizer.gallery.people()] == ["obama"]
    assert "attendance history" in questions[0] and "deleted too" in questions[0]
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(window.people.refreshed, timeout=5_000):
        window.commands.remove.trigger()
    assert recognizer.gallery.people() == [] and window.people.names() == []
    # Removed through the attendance service: the check-in and its snapshot went with the person.
    assert window.context.attendance.history() == [] and not event.snapshot.exists()


def _enroll_gallery(recognizer):
    for path in sorted((FACES / "gallery").glob("*.jpg")):
        assert recognizer.enroll_file(path).status == "enrolled"


def test_dropping_two_people_names_obama_and_biden(qtbot, window, recognizer):
    _enroll_gallery(recognizer)
    window.context.peopleChanged.emit()
    with qtbot.waitSignal(window.identifier.finished, timeout=15_000) as finished:
        drop_files(window, [FACES / "probes" / "two_people.jpg"])
    (result,) = finished.args[0]
    assert result.error is None
    assert result.names_left_to_right == ["obama", "biden"]
    assert all(f.similarity >= recognizer.settings.similarity_threshold for f in result.faces)
    dialog = window.identifier.results_dialog
    assert dialog.isVisible() and dialog.files.count() == 1
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == ["obama", "biden"]
    assert result.image.width() > 0


def test_dropping_corrupt_and_non_image_files_reports_errors(qtbot, window, recognizer, tmp_path):
    _enroll_gallery(recognizer)
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 100)
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "obama.jpg").write_bytes((FACES / "probes" / "obama1.jpg").read_bytes())
    outer = tmp_path / "outer"  # its photos are one folder further down, where a drop does not look
    (outer / "inner").mkdir(parents=True)
    (outer / "inner" / "obama.jpg").write_bytes((FACES / "probes" / "obama1.jpg").read_bytes())
    with qtbot.waitSignal(window.identifier.finished, timeout=15_000) as finished:
        drop_files(window, [corrupt, text, folder, outer])
    results = {r.path.name: r for r in finished.args[0]}
    assert set(results) == {"corrupt.jpg", "notes.txt", "obama.jpg", "outer"}
    assert "corrupt" in results["corrupt.jpg"].error
    assert results["notes.txt"].error
    assert results["outer"].error == "no images found"
    assert results["obama.jpg"].names_left_to_right == ["obama"]
    items = [window.identifier.results_dialog.files.item(i).text() for i in range(window.identifier.results_dialog.files.count())]
    assert sum(1 for t in items if t.startswith("✗")) == 3
    assert window.isVisible()


def test_closing_the_window_while_streaming_stops_every_thread(qtbot, window, qtlog):
    log = FrameLog(window)
    window.camera.start()
    qtbot.waitUntil(lambda: len(log.packets) >= 3, timeout=10_000)
    worker = window.camera.worker
    started = time.perf_counter()
    window.close()
    assert time.perf_counter() - started < 1.0
    assert not worker.isRunning()
    assert not any(t.name == "facegui-capture" and t.is_alive() for t in threading.enumerate())
    # The preferences were saved on close.
    assert window.context.store.window_state()[0] is not None
    assert worker.isFinished()  # so destroying it cannot print "QThread: Destroyed while thread is still running"
    qtbot.wait(50)
    assert not [r.message for r in qtlog.records if "QThread" in r.message]


def test_recognition_runs_off_the_gui_thread_while_the_event_loop_keeps_running(qtbot, window, monkeypatch):
    """Frames are recognised on the worker thread, interleaved with the GUI's own timers.

    How late those timers are is a speed figure, measured by bench/bench_gui_latency.py (a timed
    assertion here would fail whenever other processes load the machine)."""
    gui_thread = threading.get_ident()
    recognising_threads = set()
    begin = LiveRecognizer.begin  # where each frame's recognition starts

    def spy(self, frame):
        recognising_threads.add(threading.get_ident())
        return begin(self, frame)

    monkeypatch.setattr(LiveRecognizer, "begin", spy)
    log = FrameLog(window)
    window.camera.start()
    qtbot.waitUntil(lambda: len(log.packets) >= 3, timeout=10_000)
    frames_seen_at_tick = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: frames_seen_at_tick.append(len(log.packets)))
    timer.start()
    qtbot.waitUntil(lambda: len(frames_seen_at_tick) >= 150, timeout=10_000)
    timer.stop()
    assert recognising_threads and gui_thread not in recognising_threads
    frames = frames_seen_at_tick[-1] - frames_seen_at_tick[0]
    assert frames >= 15, f"the worker rendered only {frames} frames while the timer ran"
    # Frames kept arriving between ticks, not in one burst after the timer was done.
    assert len(set(frames_seen_at_tick)) >= 10


def test_recognition_that_fails_is_reported_and_tried_again_until_it_works(qtbot, window, monkeypatch):
    """A station left at the door must not stop for good on one failure (memory short for a moment, a driver's
    hiccup): the view says so, the worker waits, then recognises again by itself with fresh tracks."""
    assert window.context.recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
    begin, failures = LiveRecognizer.begin, []

    def failing_twice(self, frame):
        if len(failures) < 2:
            failures.append(frame.shape)
            raise MemoryError("Unable to allocate 3.52 MiB")
        return begin(self, frame)

    monkeypatch.setattr(LiveRecognizer, "begin", failing_twice)
    states, log = [], FrameLog(window)
    window.camera.stateChanged.connect(states.append)
    window.camera.start()
    qtbot.waitUntil(lambda: window.station.video.message.startswith("recognition failed"), timeout=10_000)
    assert window.station.video.message == "recognition failed: Unable to allocate 3.52 MiB; trying again in 1 s"
    assert window.station.video.message_is_error and window.camera.running
    qtbot.waitUntil(lambda: log.named(LIN), timeout=30_000)
    errors = [s.message for s in states if s.state == "error"]
    assert errors == ["recognition failed: Unable to allocate 3.52 MiB; trying again in 1 s",
                      "recognition failed: Unable to allocate 3.52 MiB; trying again in 2 s"]
    assert states[-1].state == "streaming" and window.station.video.message == ""


def test_missing_source_is_reported_and_retried(qtbot, window, tmp_path):
    window.camera.start(str(tmp_path / "unplugged.mp4"))
    qtbot.waitUntil(lambda: "retrying" in window.station.video.message, timeout=5_000)
    assert "no such video file" in window.station.video.message and window.station.video.message_is_error
    assert window.camera.running  # the worker keeps retrying with backoff
    started = time.perf_counter()
    window.camera.stop()
    assert time.perf_counter() - started < 1.0
    assert window.context.store.load().recent_sources[0] == str(tmp_path / "unplugged.mp4")


def test_settings_dialog_validates_and_applies_live(qtbot, window, recognizer, tmp_path):
    dialog = SettingsDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.applied.connect(window.apply_settings)
    dialog.page.threshold.setValue(0.9)
    dialog.page.det_size.setValue(480)
    dialog.page.enroll_min_sharpness.setValue(123)
    dialog.page.enroll_min_own.setValue(0.3)
    assert not dialog.page.log_unknown.isChecked() and not window.unknown_faces.logging
    dialog.page.log_unknown.setChecked(True)
    dialog.page.checkin_min_hits.setValue(2)
    dialog.page.checkin_window.setValue(4)
    dialog.page.checkin_cooldown.setValue(60)
    dialog.page.retention.setValue(30)
    dialog.page.snapshots.setChecked(False)
    assert dialog.apply()
    assert recognizer.engine.settings.similarity_threshold == 0.9
    assert recognizer.engine.detector.input_size == 480
    assert recognizer.settings.enroll_min_sharpness == 123  # the enrollment dialog reads it from there
    assert recognizer.settings.enroll_min_own_similarity == 0.3
    attendance = window.context.attendance.settings
    assert (attendance.log_unknown_faces, attendance.checkin_min_hits, attendance.checkin_window,
            attendance.checkin_cooldown_s, attendance.retention_days, attendance.attendance_snapshots) == (
        True, 2, 4, 60.0, 30, False)
    assert window.context.attendance.recorder.settings is attendance  # the live recorder too
    assert window.unknown_faces.logging and "review" in window.unknown_faces.hint.text()
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved["similarity_threshold"] == 0.9 and "data_dir" not in saved
    assert saved["enroll_min_sharpness"] == 123 and saved["log_unknown_faces"] is True
    assert saved["enroll_min_own_similarity"] == 0.3
    assert Settings.load(tmp_path / "settings.json", environ={}).checkin_window == 4  # what the CLI sees
    assert "enroll_min_sharpness" not in (tmp_path / "gui.ini").read_text()  # a Setting, no longer GUI state

    dialog.page.checkin_min_hits.setValue(5)  # more hits than frames in the window
    assert not dialog.apply()
    assert "checkin_min_hits" in dialog.error.text() and window.context.attendance.settings.checkin_min_hits == 2

    dialog.page.source.setText("  ")
    assert not dialog.apply()
    assert "cannot be empty" in dialog.error.text()


def test_unicode_names_are_drawn(qtbot):
    from PySide6.QtGui import QImage

    image = QImage(200, 120, QImage.Format.Format_RGB888)
    image.fill(0)
    draw_faces(image, [FaceResult("张学友", 0.8, (40, 50, 120, 110), 0.99, True),
                       FaceResult("unknown", 0.1, (130, 30, 190, 100), 0.9, False)])
    assert image.pixelColor(40, 80).green() > 150   # known: green box
    assert image.pixelColor(190, 60).red() > 150  # unknown: red box


# -- attendance in the live view ------------------------------------------------------------
def play_clip_once(qtbot, window, timeout=60_000) -> None:
    """Play the whole clip at full engine speed (no pacing, no loop) and wait for its end."""
    window.context.prefs = replace(window.context.prefs, pace_video_files=False, loop_video_files=False)
    window.camera.start()
    qtbot.waitUntil(lambda: window.camera.worker is None, timeout=timeout)  # the worker ends with the clip


def test_live_video_checks_lin_in_once_and_the_today_panel_and_history_show_it(qtbot, window, recognizer, tmp_path):
    assert recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
    assert recognizer.enroll_file(FACES / "gallery" / "obama_1.jpg", "obama").status == "enrolled"
    window.context.peopleChanged.emit()
    qtbot.waitUntil(lambda: window.today.row_of("obama") is not None, timeout=5_000)
    assert window.today.row_of(LIN)["Status"] == "absent" and window.today.row_of(LIN)["First seen"] == "—"

    checkins, log = [], FrameLog(window)
    window.today.checkedIn.connect(checkins.append)
    play_clip_once(qtbot, window)
    qtbot.waitUntil(lambda: not window.context.tasks.busy, timeout=5_000)

    # One check-in over 275 frames (the 3-of-5 vote, then the cool-down), not one per frame.
    (event,) = checkins
    assert isinstance(event, AttendanceEvent) and event.name == LIN and event.source.endswith("short_hamilton_clip.mp4")
    assert event.similarity >= recognizer.settings.checkin_min_similarity
    lin, obama = window.today.row_of(LIN), window.today.row_of("obama")
    assert lin["Status"] == "present" and lin["First seen"] == event.at.strftime("%H:%M:%S")
    assert obama == {"Name": "obama", "Status": "absent", "First seen": "—", "Last seen": "—"}
    assert "1 of 2 present" in window.today.summary.text()
    assert [e.id for e in window.context.attendance.history()] == [event.id]  # and the database agrees

    # Tracking: every face shown carries a track id; Lin keeps his track and is never named anyone else on it.
    faces = [f for p in log.packets for f in p.faces]
    assert faces and all(isinstance(f.track_id, int) for f in faces)
    names_by_track = defaultdict(list)
    for face in faces:
        names_by_track[face.track_id].append(face.name)
    lin_tracks = [t for t, names in names_by_track.items() if LIN in names]
    assert lin_tracks, "Lin was named in no frame shown"
    for track in lin_tracks:
        names = names_by_track[track]
        # Never anyone else; "unknown" on the frames whose own embedding does not name him (turned away).
        assert set(names) <= {LIN, "unknown"}

    # History: today's days, filtered to Lin, then everyone's exported as CSV.
    dialog = window.today.open_history()
    qtbot.waitUntil(lambda: date.today() in {r.day for r in dialog.records}, timeout=5_000)
    with qtbot.waitSignal(dialog.loaded, timeout=5_000) as loaded:
        dialog.person.setCurrentText(LIN)
    assert {(r.name, r.status) for r in loaded.args[0] if r.day == date.today()} == {(LIN, "present")}
    assert dialog.table.item(dialog.table.rowCount() - 1, 2).text() == "present"
    out = tmp_path / "history.csv"
    with qtbot.waitSignal(dialog.exported, timeout=5_000):
        dialog.export_csv(out)
    with open(out, encoding="utf-8-sig", newline="") as file:
        rows = {row["name"]: row for row in csv.DictReader(file) if row["date"] == date.today().isoformat()}
    assert rows[LIN]["status"] == "present" and rows["obama"]["status"] == "absent"
    assert datetime.fromisoformat(rows[LIN]["first_seen"]) == event.at and int(rows[LIN]["sightings"]) >= 1


def test_unknown_faces_are_listed_and_enroll_as_makes_them_known(qtbot, window, recognizer, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window.apply_settings(window.context.settings.replace(log_unknown_faces=True), window.context.prefs)
    assert window.unknown_faces.logging and window.unknown_faces.entries == []
    window.context.prefs = replace(window.context.prefs, pace_video_files=False)
    window.camera.start()
    qtbot.waitUntil(lambda: bool(window.unknown_faces.entries), timeout=30_000)
    window.camera.stop()
    entry = window.unknown_faces.entries[0]
    assert entry.image is not None and entry.image.width() == 112  # the snapshot, decoded off the GUI thread
    assert window.unknown_faces.list.item(0).text().startswith(entry.at.strftime("%Y-%m-%d %H:%M:%S"))
    assert window.unknown_dock.windowTitle().startswith("Unknown faces (")

    window.unknown_faces.list.setCurrentRow(0)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("ensemble member", True))
    with qtbot.waitSignal(window.people.refreshed, timeout=10_000):
        window.unknown_faces.enroll_button.click()
    assert [p.name for p in recognizer.gallery.people()] == ["ensemble member"]  # known now, in one step
    assert window.people.names() == ["ensemble member"] and window.context.thumbnails.has("ensemble member")
    qtbot.waitUntil(lambda: entry.id not in {e.id for e in window.unknown_faces.entries}, timeout=5_000)

    if window.unknown_faces.entries:  # dismiss the next one
        other = window.unknown_faces.entries[0].id
        window.unknown_faces.list.setCurrentRow(0)
        window.unknown_faces.dismiss_button.click()
        qtbot.waitUntil(lambda: other not in {e.id for e in window.unknown_faces.entries}, timeout=5_000)
        assert other not in {u.id for u in window.context.attendance.unknown_faces()}


def test_people_enrolled_with_the_cli_get_a_thumbnail_from_their_photo(qtbot, window, recognizer, tmp_path):
    gone = tmp_path / "gone.jpg"
    gone.write_bytes((FACES / "gallery" / "biden_1.jpg").read_bytes())
    assert recognizer.enroll_file(FACES / "gallery" / "obama_1.jpg", "obama").status == "enrolled"  # as the CLI does
    assert recognizer.enroll_file(gone, "biden").status == "enrolled"
    gone.unlink()
    assert window.context.attendance.store.first_source("obama") == str(FACES / "gallery" / "obama_1.jpg")
    assert window.context.attendance.store.first_source("nobody") is None
    assert not window.context.thumbnails.has("obama")
    window.context.peopleChanged.emit()  # shows placeholders at once; the thumbnails are made in a pool thread
    placeholder_key = window.people.list.item(1).icon().cacheKey()
    assert window.people.list.item(1).data(Qt.ItemDataRole.UserRole) == "obama"
    qtbot.waitUntil(lambda: window.context.thumbnails.has("obama") and not window.context.tasks.busy, timeout=10_000)
    from PySide6.QtGui import QImage

    thumbnail = QImage(str(window.context.thumbnails.path_for("obama")))
    assert (thumbnail.width(), thumbnail.height()) == (112, 112)  # the aligned face
    assert not window.context.thumbnails.has("biden")  # its photo is gone: the placeholder stays, nothing breaks
    obama_item = next(window.people.list.item(i) for i in range(window.people.list.count())
                      if window.people.list.item(i).data(Qt.ItemDataRole.UserRole) == "obama")
    assert obama_item.icon().cacheKey() != placeholder_key


def test_live_recognizer_tracks_faces_and_falls_back_without_tracking(recognizer):
    frames = []
    capture = cv2.VideoCapture(str(VIDEO))
    for _ in range(6):
        frames.append(capture.read()[1])
    capture.release()
    tracked = LiveRecognizer(recognizer, source="clip")
    results = [tracked.process(frame)[0] for frame in frames]
    ids = [[f.track_id for f in faces] for faces in results]
    assert all(isinstance(i, int) for frame_ids in ids for i in frame_ids) and ids[0]
    assert set(ids[0]) & set(ids[-1]), "no face kept its track over six frames"
    assert tracked.tracker.embed_calls < len(frames)  # settled faces are not re-embedded every frame

    untracked = LiveRecognizer(recognizer.__class__(recognizer.engine, recognizer.gallery,
                                                    recognizer.settings.replace(tracking=False)))
    faces, events = untracked.process(frames[0])
    assert untracked.tracker is None and events == []
    assert [f.track_id for f in faces] == [None] * len(results[0])


def test_today_roster_marks_check_ins_at_once():
    today = date(2024, 5, 1)
    at = datetime(2024, 5, 1, 9, 30).astimezone()
    roster = TodayRoster(today)
    roster.set_records(today, [DayRecord(today, "ann", False, None, None, 0, 0),
                               DayRecord(today, "bob", False, None, None, 0, 0)])
    assert roster.apply_event(AttendanceEvent(1, "ann", at, "camera 0", 0.7, None))
    assert roster.apply_event(AttendanceEvent(2, "ann", at + timedelta(minutes=6), "camera 0", 0.7, None))
    assert roster.apply_event(AttendanceEvent(3, "cleo", at, "camera 0", 0.7, None))  # enrolled since the last read
    assert not roster.apply_event(AttendanceEvent(4, "bob", at + timedelta(days=1), "camera 0", 0.7, None))
    ann = roster.records["ann"]
    assert ann.present and ann.first_seen == at and ann.last_seen == at + timedelta(minutes=6)
    assert [r.name for r in roster.rows()] == ["ann", "bob", "cleo"] and roster.present_count == 2


# Keep this test last: after its QApplication.quit(), qtbot.wait no longer runs the event loop.
def test_facegui_without_a_command_opens_the_window(qtbot, cli_args, tmp_path):
    from facegui.app import main

    opened = []

    def close_window():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        opened.extend(windows)
        for w in windows:
            w.close()
        QApplication.instance().quit()

    QTimer.singleShot(300, close_window)
    assert main(cli_args) == 0
    assert len(opened) == 1 and opened[0].status.device.text()
    assert (tmp_path / "gui.ini").is_file()  # preferences next to --config, not in the user's folder
