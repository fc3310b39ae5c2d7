"""The command line under hostile or odd conditions: one line on stderr naming the thing and the reason,
never a traceback, never a hang, and a batch goes on with its other files."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from facegui.app import main
from facegui.storage import DATABASE_FILE_NAME, AttendanceStore, FaceDatabase, NewEvent

from .conftest import FACES

REPO = Path(__file__).resolve().parents[1]
UNDER_A_FILE = "/etc/passwd/x"  # a path whose parent is a regular file: no folder can be made there


def one_clean_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip() and "running on CPU" not in line]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def enrolled(cli_args, capsys):
    assert main(["encode", str(FACES / "gallery"), *cli_args]) == 0
    capsys.readouterr()
    return cli_args


@pytest.mark.parametrize("argv", [
    ["export", "--npy", UNDER_A_FILE],
    ["identify", str(FACES / "probes" / "obama1.jpg"), "--out", UNDER_A_FILE],
    ["data", "export", UNDER_A_FILE],
    ["attendance", "--csv", UNDER_A_FILE + "/report.csv"],
])
def test_output_under_a_regular_file_is_one_line(enrolled, capsys, argv):
    assert main([*argv, *enrolled]) in (1, 2)
    line = one_clean_line(capsys.readouterr().err)
    assert "/etc/passwd/x" in line and "Not a directory" in line


def test_enroll_name_with_a_newline_is_refused_in_one_line(cli_args, capsys):
    assert main(["enroll", str(FACES / "gallery" / "obama_1.jpg"), "--name", "a\nb", *cli_args]) == 1
    line = one_clean_line(capsys.readouterr().err)
    assert "control characters" in line and "a\\nb" in line


def test_encode_goes_on_past_a_file_named_with_a_newline(cli_args, tmp_path, capsys):
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(FACES / "gallery" / "obama_1.jpg", folder / "bad\nname_1.jpg")
    shutil.copy(FACES / "gallery" / "biden_1.jpg", folder / "biden_1.jpg")
    assert main(["encode", str(folder), *cli_args]) == 1
    captured = capsys.readouterr()
    assert "bad\\nname_1.jpg" in one_clean_line(captured.err)
    assert "enrolled 1, skipped 0, failed 1" in captured.out
    assert main(["people", "--json", *cli_args]) == 0
    assert '"biden"' in capsys.readouterr().out


def small_disk(mount_point: Path, size: str):
    """A real, tiny filesystem (tmpfs of ``size``) at ``mount_point``, so writes fail with the real ENOSPC."""
    mount_point.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount_point)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture
def full_disk(tmp_path):
    yield from small_disk(tmp_path / "full", "64k")


def test_a_data_folder_on_a_full_disk_is_named_as_full_and_keeps_what_it_had(cli_args, tmp_path, capsys):
    """SQLite says only "disk I/O error" when a full disk leaves no room for its WAL files; the line names
    the full disk. The admin PIN's check says it cannot read the record (before: "an admin PIN is set",
    with none set). Once there is room again, nothing enrolled is lost."""
    for disk in small_disk(tmp_path / "disk", "1m"):
        args = list(cli_args)
        args[args.index("--data-dir") + 1] = str(disk / "data")
        photo = str(FACES / "probes" / "obama1.jpg")
        assert main(["enroll", str(FACES / "gallery" / "obama_1.jpg"), "--name", "obama", *args]) == 0
        capsys.readouterr()
        filler = disk / "filler"
        with open(filler, "wb") as out, contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * 65536)
        assert shutil.disk_usage(disk).free < 65536
        assert main(["identify", photo, *args]) == 2
        line = one_clean_line(capsys.readouterr().err)
        assert line.startswith(f"facegui: cannot open the face database {disk / 'data' / DATABASE_FILE_NAME}: ")
        assert line.endswith(f"(the disk holding {disk / 'data'} is full: 0 bytes free)")
        assert main(["remove", "obama", *args]) == 2
        line = one_clean_line(capsys.readouterr().err)
        assert "the admin PIN record cannot be read, so the lock stays closed" in line and "is full" in line
        filler.unlink()
        assert main(["identify", photo, "--json", *args]) == 0
        assert '"name": "obama"' in capsys.readouterr().out


def test_data_export_on_a_full_disk_says_so_and_leaves_nothing(enrolled, full_disk, tmp_path, capsys):
    data = Path(enrolled[enrolled.index("--data-dir") + 1])
    with AttendanceStore(data) as store:  # snapshots make the export larger than the disk
        for i in range(40):
            store.record([NewEvent("obama", datetime.now().astimezone(), f"door {i}", 0.9, os.urandom(3000))])
    assert main(["data", "export", str(full_disk), *enrolled]) == 1
    line = one_clean_line(capsys.readouterr().err)
    assert "No space left on device" in line or "disk is full" in line
    assert list(full_disk.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_data_export_into_something_that_is_not_a_folder_names_what_it_is(enrolled, tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "notes.txt").write_text("a shopping list")
    for target, what in (("pipe", "is a named pipe (FIFO)"), ("notes.txt", "is a file")):
        assert main(["data", "export", str(tmp_path / target), *enrolled]) == 1
        assert one_clean_line(capsys.readouterr().err).endswith(f"{tmp_path / target}: {what}, not a folder to export into")
        # The other commands that write a folder say the same (before: "cannot create this folder (File exists)").
        for argv in (["export", "--npy", str(tmp_path / target)],
                     ["identify", str(FACES / "probes" / "obama1.jpg"), "--out", str(tmp_path / target)]):
            assert main([*argv, *enrolled]) == 2
            assert one_clean_line(capsys.readouterr().err).endswith(
                f"{tmp_path / target}: {what}, not a folder to write into")
    assert main(["video", str(FACES / "video" / "short_hamilton_clip.mp4"), "--max-frames", "2", "--out",
                 str(tmp_path / "pipe"), *enrolled]) == 2
    assert one_clean_line(capsys.readouterr().err).endswith("pipe: is a named pipe (FIFO), not a video file to write")
    # A report into a pipe that nothing reads: one line at once (before: it waited for ever; hence a
    # process of its own, which a regression cannot hang).
    done = subprocess.run([sys.executable, "-c", _MAIN, "attendance", "--csv", str(tmp_path / "pipe"), *enrolled],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 2
    assert one_clean_line(done.stderr).endswith("pipe: cannot write (a named pipe (FIFO) that nothing reads)")


_MAIN = "import sys; from facegui.app import main; sys.exit(main(sys.argv[1:]))"

_LONG_RANGE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))
from facegui.app import main
sys.exit(main(sys.argv[1:]))
"""


def test_attendance_over_ten_thousand_years_stays_small_and_quick(tmp_path):
    data = tmp_path / "data"
    rng = np.random.default_rng(0)
    with FaceDatabase(data / DATABASE_FILE_NAME) as db:
        for i in range(115):
            vector = rng.standard_normal(16).astype(np.float32)
            db.enroll(f"person {i:03d}", vector / np.linalg.norm(vector), "test-model:0", None, None)
    for extra in ([], ["--csv", str(tmp_path / "all.csv")]):
        # Hang guard only (the real figure is a fraction of a second): today's code ran over 60 s and 4.9 GB.
        done = subprocess.run([sys.executable, "-c", _LONG_RANGE, "attendance", "--from", "0001-01-01",
                               "--to", "9999-12-31", "--data-dir", str(data), "--config", str(tmp_path / "none"),
                               *extra], capture_output=True, text=True, timeout=120, cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        if not extra:
            lines = done.stdout.splitlines()
            assert len(lines) == 1 + 115  # today only: nobody enrolled before, nothing after today
            assert lines[1].startswith(datetime.now().date().isoformat())
