"""The problems log (service/diagnostics.py) and the CLI's one line for a bug: written only when something goes
wrong, private, rotated, reopened when moved or deleted, and never able to stop the program."""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from facegui.app import main
from facegui.config import Settings
from facegui.service import diagnostics
from facegui.service.diagnostics import (LOG_FILE, log_path, recent_lines, start_problems_log, stop_problems_log,
                                         unexpected_error_line)

log = logging.getLogger("facegui.test")


@pytest.fixture
def settings(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", log_max_bytes=10_000, log_backups=2)
    yield settings
    stop_problems_log()


def raised(error: Exception) -> Exception:
    try:
        raise error
    except Exception as caught:  # noqa: BLE001 - the point: a real traceback to keep
        return caught


def test_nothing_is_created_until_something_goes_wrong(settings):
    start_problems_log(settings, "test")
    log.info("all is well")  # below a warning: not a problem
    assert not Path(settings.data_dir).exists()
    log.warning("camera 0 stopped delivering frames; reconnecting in 1 s")
    assert recent_lines(settings)[-1].endswith("facegui.test: camera 0 stopped delivering frames; reconnecting in 1 s")


def test_the_log_is_private_whatever_the_umask(settings):
    old = os.umask(0o022)
    try:
        start_problems_log(settings, "test")
        log.warning("张学友's photo: not an image")
    finally:
        os.umask(old)
    path = log_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "张学友's photo" in recent_lines(settings)[-1]


def test_an_unexpected_error_keeps_its_traceback_and_gives_one_line(settings):
    start_problems_log(settings, "test")
    error = raised(KeyError("tile 3"))
    line = unexpected_error_line(error, "the camera worker")
    assert line == (f"unexpected error in the camera worker (KeyError: 'tile 3'); a bug: its details are in "
                    f"{log_path(settings)}")
    text = "\n".join(recent_lines(settings))
    assert "ERROR" in text and "Traceback (most recent call last):" in text and "in raised" in text


def test_without_a_log_the_line_still_names_the_error(settings):
    start_problems_log(Settings(data_dir=settings.data_dir, log_max_bytes=0), "test")
    assert unexpected_error_line(raised(ValueError("bad\nvalue"))) == "unexpected error (ValueError: bad value); a bug"
    assert not Path(settings.data_dir).exists()


def test_it_rotates_and_keeps_the_older_files_it_is_told_to(settings):
    start_problems_log(settings, "test")
    for index in range(400):
        log.warning("line %d of a camera that is gone for good", index)
    folder = log_path(settings).parent
    assert sorted(p.name for p in folder.iterdir()) == [LOG_FILE, f"{LOG_FILE}.1", f"{LOG_FILE}.2"]
    assert all(p.stat().st_size <= settings.log_max_bytes for p in folder.iterdir())
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    assert recent_lines(settings)[-1].endswith("line 399 of a camera that is gone for good")
    # Just after a rotation the current file holds few lines: the older one fills the view.
    current = log_path(settings).read_text(encoding="utf-8").count("\n")
    numbers = [int(line.split("line ")[1].split()[0]) for line in recent_lines(settings, current + 20)]
    assert numbers == list(range(400 - current - 20, 400))


def test_a_log_deleted_or_moved_away_is_started_again(settings):
    start_problems_log(settings, "test")
    log.warning("before")
    path = log_path(settings)
    path.rename(path.with_name(f"{LOG_FILE}.1"))  # another facegui process rotated it
    log.warning("after the move")
    assert path.read_text(encoding="utf-8").count("\n") == 1 and "after the move" in path.read_text(encoding="utf-8")
    assert [line.rsplit(": ", 1)[1] for line in recent_lines(settings)] == ["before", "after the move"]
    path.unlink()  # all face data deleted, the log with it
    path.with_name(f"{LOG_FILE}.1").unlink()
    log.warning("after the deletion")
    assert len(recent_lines(settings)) == 1 and "after the deletion" in recent_lines(settings)[0]


def test_a_full_disk_is_said_once_and_the_program_goes_on(settings, capsys, monkeypatch):
    handler = start_problems_log(settings, "test")
    assert handler is not None
    # The disk is full: every write fails with ENOSPC, as writes to /dev/full do.
    monkeypatch.setattr(diagnostics, "open_private", lambda path, mode, **kw: open("/dev/full", mode, **kw))
    log.warning("first")
    log.warning("second")
    log.warning("third")
    errors = capsys.readouterr().err.splitlines()
    said = [line for line in errors if "problems log" in line]
    assert said == [f"facegui: cannot write the problems log {log_path(settings)} (No space left on device); "
                    "going on without it"]
    assert handler.failed == "No space left on device"
    assert unexpected_error_line(raised(OSError("x"))).endswith(
        "a bug (the problems log could not be written: No space left on device)")


@pytest.mark.parametrize("kind", ["fifo", "folder", "symlink"])
def test_something_else_in_the_logs_place_is_refused_not_written_through(settings, tmp_path, capsys, kind):
    path = log_path(settings)
    path.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere"
    target.write_text("")
    {"fifo": lambda: os.mkfifo(path), "folder": path.mkdir, "symlink": lambda: path.symlink_to(target)}[kind]()
    start_problems_log(settings, "test")
    log.warning("a problem")  # no hang on the pipe, no traceback
    assert "cannot write the problems log" in capsys.readouterr().err
    assert target.read_text() == ""
    assert recent_lines(settings) == []


def test_a_bug_in_a_command_is_one_line_and_exit_code_3(settings, monkeypatch, capsys):
    import facegui.service.roster as roster

    def broken(_settings):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(roster, "enrolled_people", broken)
    code = main(["--data-dir", str(settings.data_dir), "people"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.splitlines() == [f"facegui: unexpected error (RuntimeError: a bug over two lines); a bug: its "
                                f"details are in {log_path(settings)}"]
    assert "Traceback" not in err
    text = "\n".join(recent_lines(settings))
    assert "[facegui people " in text and "in broken" in text and "RuntimeError: a bug" in text
    assert diagnostics.active_log() is None  # the command's log is closed once it has ended


def test_a_setup_error_is_no_bug_and_writes_no_log(settings, tmp_path):
    # No models here: the user is told what to do, in one line, exit code 2; nothing for the problems log.
    assert main(["--data-dir", str(settings.data_dir), "--models", str(tmp_path / "no models"), "people"]) == 2
    assert not (Path(settings.data_dir) / diagnostics.LOG_FOLDER).exists()


def test_the_log_command_prints_the_last_lines(settings, capsys):
    data = ["--data-dir", str(settings.data_dir)]
    assert main(["log", *data]) == 0
    assert capsys.readouterr().err == f"facegui: nothing has gone wrong here: {log_path(settings)} holds no problems\n"
    start_problems_log(settings, "window")
    for index in range(60):
        log.warning("camera %d: retrying in 10 s", index)
    stop_problems_log()
    assert main(["log", "--lines", "3", *data]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and out[-1].endswith("camera 59: retrying in 10 s") and "WARNING [window " in out[0]
    assert main(["log", *data]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 50
    with pytest.raises(SystemExit):
        main(["log", "--lines", "0", *data])
    assert "'0' is not a whole number of at least 1" in capsys.readouterr().err


def test_problems_after_the_last_look_are_counted_a_traceback_with_its_line():
    from facegui.service.diagnostics import problems_after

    lines = ["2026-12-07 15:03:01,043 WARNING [window 7] facegui.gui: camera 0: retrying in 1 s",
             "2026-12-07 15:03:02,100 ERROR [window 7] facegui: unexpected error",
             "Traceback (most recent call last):",
             '  File "x.py", line 1, in <module>',
             "KeyError: 'k'"]
    assert problems_after(lines, "") == (2, "2026-12-07 15:03:02,100")
    assert problems_after(lines, "2026-12-07 15:03:01,043") == (1, "2026-12-07 15:03:02,100")
    assert problems_after(lines, "2026-12-07 15:03:02,100") == (0, "2026-12-07 15:03:02,100")
    assert problems_after([], "2026-12-07 15:03:02,100") == (0, "2026-12-07 15:03:02,100")
