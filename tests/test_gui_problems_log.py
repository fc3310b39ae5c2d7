"""The problems log seen from the window: a bug in a slot does not stop the station, a camera that goes and
comes back is on record, and Help ▸ Problems log shows both. Offscreen, with the real models and video."""
from __future__ import annotations

import shutil

import pytest

pytest.importorskip("PySide6")

from facegui.service.diagnostics import log_path, recent_lines, start_problems_log, stop_problems_log  # noqa: E402

from .gui_window import VIDEO, open_window  # noqa: E402


@pytest.fixture
def window(qtbot, settings, tmp_path):
    start_problems_log(settings, "window")  # as the launcher does
    win = open_window(qtbot, settings, tmp_path)
    win.context.unexpected.install()
    yield win
    win.context.unexpected.uninstall()
    assert win.shutdown(), "a thread was still running at teardown"
    stop_problems_log()


def test_a_bug_in_a_slot_is_said_logged_and_the_station_goes_on(qtbot, window, settings, capsys):
    frames = []
    window.camera.frameShown.connect(frames.append)

    def broken_slot(packet) -> None:
        window.camera.frameShown.disconnect(broken_slot)
        raise RuntimeError("a slot with a bug")

    window.camera.frameShown.connect(broken_slot)
    window.camera.start()
    qtbot.waitUntil(lambda: "Unexpected error" in window.statusBar().currentMessage(), timeout=20_000)
    assert "RuntimeError: a slot with a bug" in window.statusBar().currentMessage()
    seen = len(frames)
    qtbot.waitUntil(lambda: len(frames) >= seen + 10, timeout=20_000)  # still streaming, still recognising
    log = "\n".join(recent_lines(settings))
    assert "unexpected error" in log and "in broken_slot" in log and "RuntimeError: a slot with a bug" in log
    assert "Traceback" not in capsys.readouterr().err  # one line there, the traceback in the log


def test_a_camera_that_goes_and_comes_back_is_in_the_log_and_the_dialog(qtbot, window, settings, tmp_path):
    from facegui.gui.dialogs.problems_log import ProblemsLogDialog

    clip = tmp_path / "door camera.mp4"
    shutil.copy(VIDEO, clip)
    states = []
    window.camera.stateChanged.connect(lambda state: states.append(state.state))
    window.camera.start(str(clip))
    qtbot.waitUntil(lambda: "streaming" in states, timeout=20_000)
    clip.rename(tmp_path / "gone.mp4")  # the camera goes: its next pass cannot open
    qtbot.waitUntil(lambda: "retrying" in states, timeout=30_000)
    back_at = len(states)
    (tmp_path / "gone.mp4").rename(clip)  # and comes back
    qtbot.waitUntil(lambda: "streaming" in states[back_at:], timeout=30_000)
    lines = recent_lines(settings)
    problem = next(i for i, line in enumerate(lines) if "retrying in" in line or "reconnecting in" in line)
    assert "WARNING [window " in lines[problem]
    assert any(line.endswith("(recovered)") and "door camera.mp4" in line for line in lines[problem:])

    dialog = ProblemsLogDialog(settings, window)
    qtbot.addWidget(dialog)
    assert str(log_path(settings)) in dialog.heading.text()
    shown = dialog.text.toPlainText()
    assert "(recovered)" in shown and dialog.copy.isEnabled()


def test_recognition_that_fails_keeps_its_traceback_once_per_run_of_failures(qtbot, window, settings, monkeypatch):
    from facegui.service.live import LiveRecognizer

    begin, failures = LiveRecognizer.begin, []

    def failing_twice(self, frame):
        if len(failures) < 2:
            failures.append(1)
            raise MemoryError("Unable to allocate 3.52 MiB")
        return begin(self, frame)

    monkeypatch.setattr(LiveRecognizer, "begin", failing_twice)
    states = []
    window.camera.stateChanged.connect(lambda state: states.append(state.state))
    window.camera.start()
    qtbot.waitUntil(lambda: states.count("error") == 2 and states[-1] == "streaming", timeout=30_000)
    lines = recent_lines(settings)
    assert sum("Recognition failed (MemoryError: Unable to allocate 3.52 MiB); trying again in" in line
               for line in lines) == 2
    assert sum("ERROR [window " in line and line.endswith("facegui: recognition failed") for line in lines) == 1
    assert sum("in failing_twice" in line for line in lines) == 1  # one traceback for the run of failures


def test_the_dialog_says_when_nothing_went_wrong(qtbot, window, settings):
    from facegui.gui.dialogs.problems_log import ProblemsLogDialog

    dialog = ProblemsLogDialog(settings, window)
    qtbot.addWidget(dialog)
    assert "holds no problems" in dialog.heading.text() and not dialog.copy.isEnabled()
    assert not log_path(settings).exists()


def test_the_status_bar_counts_problems_until_the_admin_has_looked(qtbot, window, settings, monkeypatch):
    import logging

    from facegui.gui.dialogs.problems_log import ProblemsLogDialog

    button = window.status.problems
    assert not button.isVisible()
    logging.getLogger("facegui.test").warning("the database server is away; check-ins are queued")
    qtbot.waitUntil(button.isVisible, timeout=5_000)
    assert button.text() == "⚠ 1 new problem logged"
    (log_path(settings).parent / "facegui.log").open("a", encoding="utf-8").write(
        "2999-01-01 00:00:00,000 WARNING [station keeper 1] facegui.service.station_keeper: the station window "
        "crashed (SIGSEGV) after 754 s; starting it again in 2 s\n")  # another process's line counts too
    qtbot.waitUntil(lambda: button.text() == "⚠ 2 new problems logged", timeout=5_000)

    window.kiosk_mode.enter()  # not at the door
    assert not button.isVisible()
    window.kiosk_mode.leave()
    qtbot.waitUntil(button.isVisible, timeout=5_000)

    shown = []
    monkeypatch.setattr(ProblemsLogDialog, "exec", lambda dialog: shown.append(dialog.text.toPlainText()) or 0)
    button.click()
    assert "crashed (SIGSEGV)" in shown[0]
    assert not button.isVisible() and window.context.prefs.problems_seen_until == "2999-01-01 00:00:00,000"
    assert window.context.store.load().problems_seen_until == "2999-01-01 00:00:00,000"  # kept for the next start
