"""Personal data at rest: every file 0600 in a 0700 folder, whatever the umask and the folder's mode;
stored snapshot paths confined to the snapshot folder; every CSV cell safe in a spreadsheet."""
from __future__ import annotations

import csv
import os
import sqlite3
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from facegui.app import main
from facegui.config import Settings
from facegui.service import AttendanceService
from facegui.storage import DATABASE_FILE_NAME, AttendanceStore, FaceDatabase, NewEvent

from .conftest import FACES

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
MODEL = "test-model:0"
JPEG = b"\xff\xd8\xff\xe0 not really a jpeg, a snapshot's bytes \xff\xd9"


def unit(seed: int, dim: int = 16) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def permissive_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def modes_under(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)) or ".": stat.S_IMODE(p.stat().st_mode)
            for p in [folder, *folder.rglob("*")]}


def assert_private(folder: Path) -> None:
    wrong = {name: oct(mode) for name, mode in modes_under(folder).items()
             if mode != (0o700 if (folder / name).is_dir() else 0o600)}
    assert not wrong, f"not user-only under {folder}: {wrong}"


@posix_only
def test_everything_stored_or_exported_is_user_only(permissive_umask, tmp_path, models_dir, capsys):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # a pre-existing, world-readable data folder
    args = ["--data-dir", str(data), "--models", str(models_dir), "--config", str(tmp_path / "none.json")]
    assert main(["encode", str(FACES / "gallery"), *args]) == 0
    settings = Settings(data_dir=data, model_dir=models_dir)
    with AttendanceStore(data) as store:  # a check-in with its snapshot
        store.record([NewEvent("obama", datetime.now().astimezone(), "door", 0.8, JPEG)])
        # While the database is open, its WAL and shared-memory files exist: they must be private too.
        assert (data / f"{DATABASE_FILE_NAME}-wal").exists() and (data / f"{DATABASE_FILE_NAME}-shm").exists()
        assert_private(data)
    from facegui.gui.core.thumbnails import ThumbnailStore
    ThumbnailStore(data).save("obama", np.zeros((112, 112, 3), np.uint8))
    assert_private(data)
    assert {p.name for p in data.iterdir()} >= {DATABASE_FILE_NAME, "index", "snapshots", "thumbnails"}

    npy = tmp_path / "npy"
    assert main(["export", "--npy", str(npy), *args]) == 0
    assert_private(npy)
    exports = tmp_path / "exports"
    exports.mkdir(mode=0o755)
    os.chmod(exports, 0o755)
    assert main(["data", "export", str(exports), *args]) == 0
    (export,) = exports.iterdir()
    assert {p.name for p in export.iterdir()} >= {DATABASE_FILE_NAME, "people.json", "checkins.csv", "snapshots",
                                                  "thumbnails"}
    assert_private(export)
    annotated = tmp_path / "annotated"
    assert main(["identify", str(FACES / "probes" / "two_people.jpg"), "--out", str(annotated), *args]) == 0
    assert_private(annotated)
    report = tmp_path / "report.csv"
    assert main(["attendance", "--csv", str(report), *args]) == 0
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    video = tmp_path / "annotated.mp4"  # OpenCV creates it with the umask's mode (it was 0644)
    assert main(["video", str(FACES / "video" / "short_hamilton_clip.mp4"), "--max-frames", "3", "--out", str(video),
                 *args]) == 0
    assert video.stat().st_size > 0 and stat.S_IMODE(video.stat().st_mode) == 0o600
    capsys.readouterr()
    del settings


@posix_only
def test_an_old_world_readable_database_is_made_private_on_open(permissive_umask, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    database = data / DATABASE_FILE_NAME
    sqlite3.connect(database).close()
    os.chmod(database, 0o644)
    with FaceDatabase(database):
        pass
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


# -- snapshot paths ---------------------------------------------------------------
def _planted_rows(data: Path, victim: Path, today: date) -> None:
    """Check-in rows whose snapshot column points outside the snapshot folder, as a tampered or
    hostile database file would have them."""
    with FaceDatabase(data / DATABASE_FILE_NAME) as db:
        db.enroll("mallory", unit(1), MODEL, None, None)
    old = (today - timedelta(days=400)).isoformat()
    with sqlite3.connect(data / DATABASE_FILE_NAME) as conn:
        person = conn.execute("SELECT id FROM people WHERE name = 'mallory'").fetchone()[0]
        for day, snapshot in ((today.isoformat(), "../../victim.txt"), (today.isoformat(), str(victim)),
                              (old, "../../victim.txt"), (old, str(victim))):
            conn.execute("INSERT INTO attendance_events (person_id, day, at, at_utc, source, similarity, snapshot) "
                         "VALUES (?, ?, ?, 0, 'door', 0.9, ?)", (person, day, f"{day}T09:00:00+00:00", snapshot))


def test_remove_and_purge_never_delete_outside_the_snapshot_folder(tmp_path, models_dir, capsys):
    data = tmp_path / "a" / "data"
    victim = tmp_path / "a" / "victim.txt"  # what ../../victim.txt from data/snapshots/ reaches
    data.mkdir(parents=True)
    victim.write_text("precious")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("precious too")
    _planted_rows(data, elsewhere, date.today())
    settings = Settings(data_dir=data, retention_days=30)
    with AttendanceService.open(settings) as attendance:  # opening purges the rows of 400 days ago
        assert all(event.snapshot is None for event in attendance.history(date.today(), date.today()))
    assert victim.read_text() == "precious" and elsewhere.read_text() == "precious too"
    # The absolute path does not crash remove, and the person is removed.
    assert main(["remove", "mallory", "--data-dir", str(data), "--models", str(models_dir),
                 "--config", str(tmp_path / "none.json")]) == 0
    assert "Traceback" not in capsys.readouterr().err
    with FaceDatabase(data / DATABASE_FILE_NAME) as db:
        assert [p.name for p in db.people()] == []
    assert victim.read_text() == "precious" and elsewhere.read_text() == "precious too"


def test_a_symlinked_day_folder_does_not_lead_the_sweep_out(tmp_path):
    data = tmp_path / "data"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.jpg").write_bytes(JPEG)
    os.utime(outside / "keep.jpg", (0, 0))  # old enough to look like an orphan
    with AttendanceStore(data) as store:
        store.record([], [], [])
        (data / "snapshots").mkdir(exist_ok=True)
        (data / "snapshots" / "2999-01-01").symlink_to(outside, target_is_directory=True)
        store.sweep_orphans()
        store.purge(date(3000, 1, 1))
    assert (outside / "keep.jpg").exists()


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_deleting_all_data_removes_a_linked_folder_not_what_it_points_to(tmp_path, capsys):
    data = tmp_path / "data"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.jpg").write_bytes(JPEG)
    with FaceDatabase(data / DATABASE_FILE_NAME) as db:
        db.enroll("mallory", unit(3), MODEL, None, None)
    (data / "snapshots").symlink_to(outside, target_is_directory=True)
    assert main(["data", "delete", "--yes", "--data-dir", str(data), "--config", str(tmp_path / "none.json")]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert not (data / "snapshots").exists() and (outside / "keep.jpg").exists()


# -- CSV cells --------------------------------------------------------------------
def test_every_text_column_of_every_csv_is_spreadsheet_safe(tmp_path, capsys):
    data = tmp_path / "data"
    hostile_name, hostile_source = "=cmd|' /C calc'!A0", '=HYPERLINK("http://evil","x")'
    with FaceDatabase(data / DATABASE_FILE_NAME) as db:
        db.enroll(hostile_name, unit(2), MODEL, None, None)
    with AttendanceStore(data) as store:
        store.record([NewEvent(hostile_name, datetime.now().astimezone(), hostile_source, 0.9)])
    args = ["--data-dir", str(data), "--config", str(tmp_path / "none.json")]
    assert main(["data", "export", str(tmp_path / "out"), *args]) == 0
    (export,) = (tmp_path / "out").iterdir()
    assert main(["attendance", "--csv", str(tmp_path / "report.csv"), *args]) == 0
    capsys.readouterr()
    for path in (export / "checkins.csv", tmp_path / "report.csv"):
        with open(path, encoding="utf-8-sig", newline="") as file:
            for row in list(csv.reader(file))[1:]:
                for cell in row:
                    assert not cell.lstrip(" ").startswith(("=", "+", "-", "@")), (path.name, row)
    with open(export / "checkins.csv", encoding="utf-8-sig", newline="") as file:
        (row,) = list(csv.DictReader(file))
    assert row["source"] == "'" + hostile_source and row["name"] == "'" + hostile_name
