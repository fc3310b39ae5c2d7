"""The station at the door (kiosk mode): the video alone, a large check-in confirmation, quiet states.

The greeting's rule is plain Python (``facegui.service.station.Greeter``) and is tested first without Qt;
then the window, offscreen, with the real models on the real video.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from facegui.config import Settings
from facegui.service.station import Greeter, SeenFace

from .conftest import FACES

VIDEO = FACES / "video" / "short_hamilton_clip.mp4"
LIN = "Lin-Manuel Miranda"
T0 = datetime(2026, 11, 30, 8, 15).astimezone()


def lin(similarity=0.6, fresh=True):
    return SeenFace(LIN, similarity, True, fresh)


class Checkins(dict):
    def __call__(self, name):
        return self.get(name)


def test_greeting_a_new_check_in_and_someone_already_checked_in():
    earlier = T0 - timedelta(minutes=13)
    greeter = Greeter(lambda: Settings(), Checkins({LIN: earlier}))
    assert greeter.check_in("obama", T0).headline == "Checked in"
    # Two fresh frames are not yet the vote (3 of 5); frames where the tracker only holds the name keep it.
    assert greeter.frame([lin()], T0) == [] and greeter.frame([lin(fresh=False)], T0) == []
    assert greeter.frame([lin()], T0) == []
    greeting, = greeter.frame([lin()], T0 + timedelta(seconds=1))
    assert greeting.already and greeting.at == earlier and greeting.headline == "Already checked in at 08:02"
    # Staying in view: said once.
    for second in range(2, 40):
        assert greeter.frame([lin(fresh=second % 3 == 0)], T0 + timedelta(seconds=second)) == []
    # Gone for longer than REAPPEAR_S, then back: said again.
    for second in range(40, 70):
        greeter.frame([], T0 + timedelta(seconds=second))
    back = T0 + timedelta(seconds=70)
    assert [g.already for f in range(3) for g in greeter.frame([lin()], back)] == [True]


def test_no_greeting_for_weak_unknown_or_not_yet_checked_in_faces():
    greeter = Greeter(lambda: Settings(), Checkins({LIN: T0}))
    # Below checkin_min_similarity in every frame: named on screen, but never greeted in large letters.
    assert all(greeter.frame([lin(0.45)], T0) == [] for _ in range(6))
    assert all(greeter.frame([SeenFace("unknown", 0.2, False, True)], T0) == [] for _ in range(6))
    # Confirmed but not checked in yet: the attendance service's check-in greets them, not this.
    greeter = Greeter(lambda: Settings(), Checkins())
    assert all(greeter.frame([lin()], T0) == [] for _ in range(6))
    # A new check-in counts as greeted: no "already" right after it.
    greeter = Greeter(lambda: Settings(), Checkins({LIN: T0}))
    greeter.check_in(LIN, T0)
    assert all(greeter.frame([lin()], T0 + timedelta(seconds=1)) == [] for _ in range(6))


# -- the window ------------------------------------------------------------------------------------------
pytest.importorskip("PySide6")


@pytest.fixture
def window(qtbot, settings, tmp_path):
    from .gui_window import open_window

    win = open_window(qtbot, settings, tmp_path)
    yield win
    win.kiosk_mode.leave()
    assert win.shutdown(), "a thread was still running at teardown"


def test_the_station_confirms_a_check_in_then_says_already_checked_in(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from facegui.gui.widgets.checkin_banner import SHOW_MS

    beeps = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    window.context.set_preferences(replace(window.context.prefs, checkin_sound=True))

    assert window.context.recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
    window.context.peopleChanged.emit()
    window.kiosk_mode.enter()
    station, banner = window.station, window.station.banner
    # The door shows the video alone: no roster, no enrolled list, no unknown faces.
    assert not station.in_frame_row.isVisible() and not window.today_dock.isVisible()
    assert not window.unknown_dock.isVisible() and not window.people.isVisible()
    assert station.video.width() >= 0.9 * window.width()

    with qtbot.waitSignal(window.today.checkedIn, timeout=30_000) as checked:
        window.camera.start()
    event = checked.args[0]
    assert banner.isVisible() and banner.name.text() == LIN and banner.headline.text() == "Checked in"
    assert banner.time.text() == f"{event.at:%H:%M}" and not banner.photo.pixmap().isNull()
    assert beeps == [1]  # the optional short sound, once per check-in
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=SHOW_MS + 3000)  # gone after a few seconds

    # A new stream (the same person back at the door): told they are already checked in, at the first time.
    window.camera.start()
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=30_000)
    assert banner.name.text() == LIN and banner.headline.text() == f"Already checked in at {event.at:%H:%M}"
    assert [e.name for e in window.context.attendance.history()] == [LIN]  # and no second check-in

    window.kiosk_mode.leave()
    assert station.in_frame_row.isVisible() and window.today_dock.isVisible() and not banner.isVisible()


class BlankCamera:
    """A camera looking at an empty corridor (black frames at 30 fps), or one that is unplugged."""

    def __init__(self, unplugged=False):
        self.unplugged = unplugged

    def __call__(self, source, open_timeout_ms=0):
        from facegui.engine.video import CAMERA_UNAVAILABLE, VideoSourceError

        if self.unplugged:
            raise VideoSourceError("camera 0: cannot be opened (no such camera, or another program is using it)",
                                   0, CAMERA_UNAVAILABLE)
        return self

    def get(self, prop):
        return 0.0

    def read(self):
        import time

        time.sleep(1 / 30)
        return True, np.zeros((360, 640, 3), np.uint8)

    def release(self):
        pass


def test_quiet_states_look_at_the_camera_and_camera_lost(qtbot, window):
    from facegui.gui.pages.station import CAMERA_LOST, LOOK_AT_THE_CAMERA

    window.kiosk_mode.enter()
    window.camera.capture_factory = BlankCamera()
    window.camera.start("0")
    qtbot.waitUntil(lambda: window.station.video.hint == LOOK_AT_THE_CAMERA, timeout=10_000)
    assert window.station.video.message == ""
    window.camera.capture_factory = BlankCamera(unplugged=True)
    window.camera.start("0")
    qtbot.waitUntil(lambda: window.station.video.message == CAMERA_LOST, timeout=10_000)
    assert window.station.video.message_is_error


# Keep this test last: it runs the application's own event loop and quits it.
def test_facegui_kiosk_starts_the_station_with_the_last_source(qtbot, cli_args, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from facegui.app import main
    from facegui.gui.core.preferences import PreferenceStore
    from facegui.gui.main_window import MainWindow

    store = PreferenceStore(tmp_path / "gui.ini")  # next to --config, as the window keeps it
    store.save(replace(store.load(), camera_source=str(VIDEO), loop_video_files=True))
    seen = {}

    def look():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows and windows[0].camera.last_packet is None and look.tries < 150:
            look.tries += 1
            QTimer.singleShot(100, look)  # wait for the first frame
            return
        for w in windows:
            seen.update(kiosk=w.context.kiosk, full=w.isFullScreen(), running=w.camera.running,
                        frame=w.camera.last_packet is not None, roster=w.today_dock.isVisible(),
                        source=w.context.prefs.camera_source)
            w.close()  # no PIN set: closing is allowed
        QApplication.instance().quit()

    look.tries = 0
    QTimer.singleShot(300, look)
    # The window itself, as the station keeper starts it (tests/test_station_keeper.py runs the keeper).
    assert main(["--kiosk", "--station-child", *cli_args]) == 0
    assert seen == {"kiosk": True, "full": True, "running": True, "frame": True, "roster": False,
                    "source": str(VIDEO)}


def test_on_a_full_disk_the_station_says_check_ins_are_not_recorded_and_counts_lin_once_there_is_room(
        qtbot, settings, tmp_path):
    """A full disk used to leave the station naming people but confirming nothing, with no word to anyone: a
    person walked off believing they had checked in. Now the door says check-ins cannot be recorded, the status
    bar says so to the office; once there is room, the next check-in is written, once. A real tmpfs fills up."""
    import contextlib
    import shutil

    from .gui_window import open_window
    from .test_cli_hostile import small_disk
    from facegui.gui.pages.station import NOT_RECORDING

    for disk in small_disk(tmp_path / "disk", "2m"):
        window = open_window(qtbot, settings.replace(data_dir=disk / "data"), tmp_path)
        try:
            context = window.context
            assert context.recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
            context.peopleChanged.emit()
            filler = disk / "filler"
            with contextlib.suppress(OSError), open(filler, "wb", buffering=0) as out:
                while True:
                    out.write(b"\0" * 4096)
            assert shutil.disk_usage(disk).free == 0
            events = []
            window.camera.checkedIn.connect(events.append)
            window.kiosk_mode.enter()
            window.camera.start()
            qtbot.waitUntil(lambda: window.station.video.hint == window.station.tr(NOT_RECORDING), timeout=30_000)
            assert context.attendance.recording_problem and "full" in context.attendance.recording_problem
            window.kiosk_mode.leave()
            qtbot.waitUntil(lambda: window.status.recording.isVisible(), timeout=5_000)
            assert window.status.recording.text() == "check-ins not recorded"
            assert "full" in window.status.recording.toolTip()
            assert events == [] and context.attendance.history() == []

            filler.unlink()  # room again: Lin, still in view, is checked in by the next confirming frames
            qtbot.waitUntil(lambda: bool(events), timeout=30_000)
            qtbot.waitUntil(lambda: not window.status.recording.isVisible(), timeout=5_000)
            assert context.attendance.recording_problem is None
            window.camera.stop()
            assert [e.name for e in context.attendance.history()] == [LIN]
        finally:
            window.kiosk_mode.leave()
            assert window.shutdown(), "a thread was still running at teardown"
