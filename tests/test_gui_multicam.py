"""Several cameras in one window and one process, with the real models on the real clip shown as two doors.

The clip is linked under two names (two sources, two attendance source names); the window recognises both
in one worker thread over one recognizer: one FaceEngine, one detector and one embedder session.
"""
from __future__ import annotations

import gc
from dataclasses import replace

import pytest
from pytestqt.exceptions import TimeoutError as WaitTimeout

from facegui.engine import FaceEngine
from facegui.gui.core.camera_worker import MAX_CAMERAS, CameraWorker
from facegui.gui.core.preferences import GuiPreferences, PreferenceStore
from facegui.gui.widgets.video_grid import grid_position
from facegui.service.sources import source_label

from .conftest import FACES
from .gui_window import VIDEO, open_window

LIN = "Lin-Manuel Miranda"
FRAME_TIMEOUT_MS = 60_000


def engines() -> set[int]:
    """Every FaceEngine alive in the process (earlier tests may have left some for the collector)."""
    gc.collect()
    return {id(o) for o in gc.get_objects() if isinstance(o, FaceEngine)}


@pytest.fixture
def doors(tmp_path):
    """The clip twice, as the cameras of two doors."""
    paths = []
    for name in ("north-door.mp4", "south-door.mp4"):
        (tmp_path / name).symlink_to(VIDEO)
        paths.append(str(tmp_path / name))
    return paths


@pytest.fixture
def window(qtbot, settings, tmp_path, doors):
    # No cool-down: the same person may check in at both doors, so both doors' check-ins are seen.
    window = open_window(qtbot, replace(settings, checkin_cooldown_s=0.0), tmp_path)
    result = window.context.recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN)
    assert result.status == "enrolled"
    window.camera.set_source(doors[0], restart=False)
    assert window.camera.add_source(doors[1])
    yield window
    window.camera.stop()
    window.camera.wait_for_stopped_workers()


def test_the_grid_puts_two_cameras_side_by_side_and_four_in_two_rows():
    assert [grid_position(i, 2) for i in range(2)] == [(0, 0), (0, 1)]
    assert [grid_position(i, 4) for i in range(4)] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [grid_position(i, 3) for i in range(3)] == [(0, 0), (0, 1), (1, 0)]


def test_two_doors_in_one_window_share_one_engine_and_both_name_the_singer(qtbot, window, doors):
    station = window.station
    assert len(station.grid.views) == 2 and station.grid.views[1].isVisible()
    shown: dict[int, list] = {0: [], 1: []}
    window.camera.frameShown.connect(lambda packet: shown[packet.tile].append(packet))
    events = []
    window.camera.checkedIn.connect(events.append)
    engines_before = engines()
    window.camera.start()
    worker = window.camera.worker
    assert isinstance(worker, CameraWorker) and len(worker.feeds) == 2

    def named(tile: int) -> bool:
        return any(face.name == LIN and face.is_known for packet in shown[tile] for face in packet.faces)

    qtbot.waitUntil(lambda: named(0) and named(1), timeout=FRAME_TIMEOUT_MS)
    # Both tiles render their own frames.
    for view in station.grid.views:
        assert view.image is not None and not view.image.isNull() and view.message == ""
    # One set of model sessions: the streams use the window's recognizer, and no second engine exists.
    context = window.context
    assert worker.streams is not None and worker.streams.recognizer is context.recognizer
    assert {id(live.recognizer.engine) for live in worker.streams.streams} == {id(context.engine)}
    assert [live.source for live in worker.streams.streams] == [source_label(d) for d in doors]
    assert engines() == engines_before  # no model loaded again for the second camera
    # A check-in at each door, under each door's own attendance source name.
    try:
        qtbot.waitUntil(lambda: {e.source for e in events if e.name == LIN} == {source_label(d) for d in doors},
                        timeout=FRAME_TIMEOUT_MS)
    except WaitTimeout:  # say what each door was doing, so a rare failure explains itself
        pytest.fail(f"check-ins {sorted({(e.name, e.source) for e in events})}; frames shown "
                    f"{ {tile: len(packets) for tile, packets in shown.items()} }; tiles "
                    f"{[(v.message, v.hint) for v in station.grid.views]}; feeds "
                    f"{[(f.label, f.opened, f.ended, f.is_alive()) for f in worker.feeds]}; worker running "
                    f"{worker.isRunning()}, failed {worker._failed}")
    logged = context.attendance.history(None, None, LIN)
    assert {e.source for e in logged} == {source_label(d) for d in doors}
    assert window.status.fps.text().count("·") == 1  # a frame rate per camera
    assert "2 cameras" in window.status.source.text()


def test_the_station_confirms_check_ins_on_the_tile_of_the_door(qtbot, window, doors):
    window.kiosk_mode.enter()
    window.camera.start()
    banners = window.station.grid.banners
    greeted: dict[int, set] = {0: set(), 1: set()}
    for tile, banner in enumerate(banners):
        original = banner.show_greeting
        banner.show_greeting = (lambda greeting, photo, tile=tile, original=original:
                                (greeted[tile].add(greeting.name), original(greeting, photo)))
    qtbot.waitUntil(lambda: LIN in greeted[0] and LIN in greeted[1], timeout=FRAME_TIMEOUT_MS)
    assert all(view.image is not None for view in window.station.grid.views)
    window.kiosk_mode.leave()


def test_cameras_are_added_removed_and_remembered(qtbot, settings, tmp_path, doors):
    window = open_window(qtbot, settings, tmp_path)
    camera = window.camera
    camera.set_source(doors[0], restart=False)
    assert camera.add_source(doors[1]) and not camera.add_source(doors[1])  # shown once
    assert len(window.station.grid.views) == 2
    # Each tile says which door it is; a single camera needs no caption.
    assert [v.caption for v in window.station.grid.views] == [source_label(d) for d in doors]
    # Remembered across restarts: a new window over the same preferences file shows both.
    assert PreferenceStore(tmp_path / "gui.ini").load().more_sources == (doors[1],)
    camera.remove_source(doors[0])
    assert camera.sources == [doors[1]] and len(window.station.grid.views) == 1
    assert window.station.grid.views[0].caption == ""
    assert not camera.remove_source(doors[1])  # the last camera is changed, never removed
    for n in range(MAX_CAMERAS - 1):
        assert camera.add_source(f"{n + 1}")
    assert len(camera.sources) == MAX_CAMERAS and not camera.add_source("9")
    assert [grid_position(i, MAX_CAMERAS) for i in range(MAX_CAMERAS)][-1] == (1, 1)
    assert GuiPreferences().more_sources == ()


def test_the_settings_list_the_cameras_beside_the_main_one_and_take_one_away(qtbot, settings, tmp_path, doors):
    from facegui.gui.dialogs.settings import SettingsDialog

    window = open_window(qtbot, settings, tmp_path)
    window.camera.set_source(doors[0], restart=False)
    assert window.camera.add_source(doors[1]) and window.camera.add_source("rtsp://door:secret@10.0.0.9/live")
    dialog = SettingsDialog(window.context, window)
    dialog.applied.connect(window.apply_settings)
    cameras = dialog.page.more_cameras
    shown = [cameras.list.item(row).text() for row in range(cameras.list.count())]
    assert shown == [doors[1], "rtsp://10.0.0.9/live"]  # never the URL's password
    cameras.list.setCurrentRow(0)
    cameras.remove_selected()
    dialog.page.restore_defaults()  # the defaults leave the cameras as they are
    assert dialog.apply()
    assert window.camera.sources == [doors[0], "rtsp://door:secret@10.0.0.9/live"]
    assert len(window.station.grid.views) == 2
    assert PreferenceStore(tmp_path / "gui.ini").load().more_sources == ("rtsp://door:secret@10.0.0.9/live",)
    dialog.close()


class HangingCamera:
    """A camera that gives a few frames, then hangs in ``read`` (a network stream gone silent)."""

    def __init__(self, frames: int = 5):
        import threading

        self.frames, self.released = frames, threading.Event()

    def get(self, prop):
        return 0.0

    def read(self):
        import numpy as np

        if self.frames <= 0:
            self.released.wait(30)  # never returns while the test looks
            return False, None
        self.frames -= 1
        return True, np.zeros((360, 640, 3), np.uint8)

    def release(self):
        self.released.set()


def test_a_camera_gone_silent_reconnects_while_the_other_door_streams_on(qtbot, settings, tmp_path, doors):
    from facegui.engine.video import open_capture

    window = open_window(qtbot, replace(settings, camera_stall_timeout_s=1.0), tmp_path)
    hanging = []

    def capture_factory(source, open_timeout_ms=0):
        if source == "rtsp://10.0.0.9/door":
            hanging.append(HangingCamera())
            return hanging[-1]
        return open_capture(source, open_timeout_ms=open_timeout_ms)

    window.camera.capture_factory = capture_factory
    window.camera.set_source(doors[0], restart=False)
    assert window.camera.add_source("rtsp://10.0.0.9/door")
    shown = {0: 0, 1: 0}
    window.camera.frameShown.connect(lambda packet: shown.__setitem__(packet.tile, shown[packet.tile] + 1))
    try:
        window.camera.start()
        lost = window.station.grid.views[1]
        qtbot.waitUntil(lambda: lost.message_is_error and "no frames from rtsp://10.0.0.9/door" in lost.message,
                        timeout=FRAME_TIMEOUT_MS)
        before = shown[0]
        qtbot.waitUntil(lambda: shown[0] > before + 5, timeout=FRAME_TIMEOUT_MS)  # the other door streams on
        qtbot.waitUntil(lambda: len(hanging) >= 2, timeout=FRAME_TIMEOUT_MS)  # reopened by itself
        assert shown[1] >= 1 and window.station.grid.views[0].message == ""
    finally:
        window.camera.stop()
        for camera in hanging:
            camera.release()
        window.camera.wait_for_stopped_workers()


def test_a_camera_that_cannot_be_opened_says_why_on_its_tile_only(qtbot, settings, tmp_path, doors):
    from facegui.engine.video import CAMERA_UNAVAILABLE, VideoSourceError, open_capture

    window = open_window(qtbot, settings, tmp_path)

    def capture_factory(source, open_timeout_ms=0):
        if source == "3":
            raise VideoSourceError("camera 3: cannot be opened (no such camera, or another program is using it)",
                                   3, CAMERA_UNAVAILABLE)
        return open_capture(source, open_timeout_ms=open_timeout_ms)

    window.camera.capture_factory = capture_factory
    window.camera.set_source(doors[0], restart=False)
    assert window.camera.add_source("3")
    try:
        window.camera.start()
        views = window.station.grid.views
        qtbot.waitUntil(lambda: views[1].message_is_error and "camera 3: cannot be opened" in views[1].message
                        and views[0].image is not None and views[0].message == "", timeout=FRAME_TIMEOUT_MS)
    finally:
        window.camera.stop()
        window.camera.wait_for_stopped_workers()


def test_a_camera_s_password_is_never_shown_when_it_cannot_be_opened(qtbot, settings, tmp_path, doors):
    """An IP camera's address often carries its password. The capture's own error named the source as given,
    so the tile of a door camera that could not be reached showed rtsp://door:secret@… on the station's
    screen, for anyone walking past; now every error names it as the labels do, without the password."""
    from facegui.engine.video import VideoSourceError, open_capture

    unreachable = "rtsp://door:secret@127.0.0.1:9/live"  # nothing listens on port 9 here: refused at once
    with pytest.raises(VideoSourceError) as error:
        open_capture(unreachable, open_timeout_ms=2000)
    assert str(error.value) == ("rtsp://127.0.0.1:9/live: cannot be opened (nothing answered at this address, or it "
                                "sends no video)")
    assert error.value.source == "rtsp://127.0.0.1:9/live"
    window = open_window(qtbot, settings, tmp_path)
    window.camera.set_source(doors[0], restart=False)
    assert window.camera.add_source(unreachable)
    try:
        window.camera.start()
        views = window.station.grid.views
        qtbot.waitUntil(lambda: views[1].message_is_error and "cannot be opened" in views[1].message,
                        timeout=FRAME_TIMEOUT_MS)
        assert "rtsp://127.0.0.1:9/live" in views[1].message and "secret" not in views[1].message
        assert "secret" not in window.status.bar.currentMessage() + window.status.source.text()
    finally:
        window.camera.stop()
        window.camera.wait_for_stopped_workers()
