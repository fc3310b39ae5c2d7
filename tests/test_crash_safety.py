"""Killing ``facegui encode`` halfway loses nothing that was already enrolled."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import cv2

from facegui.app import main

from .conftest import FACES


def _distinct_photos(folder, copies: int) -> int:
    """Real gallery photos re-encoded at several JPEG qualities: same faces, distinct file hashes."""
    folder.mkdir()
    count = 0
    for source in sorted((FACES / "gallery").iterdir()):
        image = cv2.imread(str(source))
        name = source.stem.rsplit("_", 1)[0]
        for k in range(copies):
            cv2.imwrite(str(folder / f"{name}_{source.stem[-1]}{k}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 60 + 4 * k])
            count += 1
    return count


def _embedding_count(db) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not created yet
        return 0


def test_sigkill_during_encode_keeps_every_completed_enrollment(tmp_path, cli_args, capsys):
    photos = tmp_path / "photos"
    total = _distinct_photos(photos, copies=6)
    db = tmp_path / "data" / "facegui.sqlite3"
    child = subprocess.Popen([sys.executable, "-m", "facegui", "encode", str(photos), *cli_args],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while _embedding_count(db) < 8 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "encode finished before it could be killed"

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        survived = conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    assert 8 <= survived < total

    # Re-running finds every survivor intact (skipped by hash) and finishes the rest.
    assert main(["encode", str(photos), *cli_args]) == 0
    assert f"enrolled {total - survived}, skipped {survived}, failed 0" in capsys.readouterr().out
    assert main(["identify", str(FACES / "probes" / "two_people.jpg"), "--json", *cli_args]) == 0
    assert '"name": "obama"' in capsys.readouterr().out


def test_random_sigkills_of_enrollment_and_attendance_lose_nothing(tmp_path, models_dir):
    from .crash_harness import run_kills

    report = run_kills(8, tmp_path, FACES, models_dir, seed=11)
    assert report.kills == 8
    assert report.enrollments_reported > 0 and report.events_reported > 0, report
    assert report.lost == [] and report.integrity_failures == 0 and report.index_mismatches == 0, report
