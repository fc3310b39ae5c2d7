"""Kill the real write paths with SIGKILL at random points and check that nothing committed is lost.

The child process (``python tests/crash_harness.py child DATA MODELS PHOTOS``) opens the real
recognizer and attendance service and, in turn, enrolls a photo and logs attendance for a video
frame, printing ``E <sha256>`` after each committed enrollment and ``A <event id>`` after each
committed check-in. The parent kills it at a random moment, then checks the database.
``python tests/crash_harness.py report N`` runs N kills and writes docs/reliability.md.
"""
from __future__ import annotations

import hashlib
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import cv2


def _distinct_photos(faces_dir: Path, folder: Path, copies: int) -> list[Path]:
    """Real gallery photos re-encoded at several JPEG qualities: the same faces, distinct hashes."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for source in sorted((faces_dir / "gallery").iterdir()):
        image = cv2.imread(str(source))
        name = source.stem.rsplit("_", 1)[0]
        for k in range(copies):
            path = folder / f"{name}_{source.stem[-1]}{k}.jpg"
            cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 55 + 5 * k])
            paths.append(path)
    return paths


def child(data_dir: str, models_dir: str, photos_dir: str, video: str) -> None:
    from facegui.config import Settings
    from facegui.service import AttendanceService, Recognizer

    settings = Settings(data_dir=Path(data_dir), model_dir=Path(models_dir), execution_provider="cpu",
                        checkin_min_hits=1, checkin_window=1, checkin_min_similarity=0.0, checkin_cooldown_s=0)
    capture = cv2.VideoCapture(video)
    frames = []
    for _ in range(120):
        ok, frame = capture.read()
        frames.append(frame)
    moment = datetime.now().astimezone()
    with Recognizer.open(settings) as recognizer, AttendanceService.open(settings, recognizer.gallery) as attendance:
        recognizer.enroll_file(Path(photos_dir).parent / "lin.png", "lin")
        for index, path in enumerate(sorted(Path(photos_dir).iterdir())):
            outcome = recognizer.enroll_file(path)
            if outcome.status == "enrolled":
                print("E", hashlib.sha256(path.read_bytes()).hexdigest(), flush=True)
            for frame in frames[index * 8 % 80 + 80: index * 8 % 80 + 88]:  # the singer's close-up
                moment += timedelta(seconds=1)
                for event in attendance.observe(frame, recognizer.identify(frame), "harness", now=moment):
                    print("A", event.id, flush=True)


def kill_mid_run(args: list[str], min_lines: int, max_lines: int, env: dict | None = None) -> list[str]:
    """Run a child that prints a line after each committed write, SIGKILL it at a random moment once it
    printed ``min_lines``, and return the lines it completed (each a promise that the write is durable)."""
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    printed: list[str] = []
    try:
        while len(printed) < min_lines:
            line = child.stdout.readline()
            if not line:
                break
            printed.append(line)
        # Without a pause the kill always lands right after a print; a random one spreads it over the
        # SQLite commit and the index save.
        time.sleep(random.uniform(0.0, 0.02))
        child.kill()
        remaining = child.stdout.read()
        child.wait(timeout=10)
        stderr = child.stderr.read()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    assert len(printed) >= min_lines, f"child stopped early:\n{stderr}"
    # A line cut by the kill was never fully printed, so it makes no promise.
    printed += [line for line in remaining.splitlines(keepends=True) if line.endswith("\n")]
    assert len(printed) < max_lines, "the kill should land mid-run"
    assert child.returncode == -signal.SIGKILL
    return [line.strip() for line in printed]


@dataclass
class KillReport:
    kills: int = 0
    enrollments_reported: int = 0
    events_reported: int = 0
    lost: list[str] = field(default_factory=list)
    integrity_failures: int = 0
    index_mismatches: int = 0


def run_kills(kills: int, work: Path, faces_dir: Path, models_dir: Path, seed: int = 7) -> KillReport:
    photos = work / "photos"
    if not photos.exists():
        _distinct_photos(faces_dir, photos, copies=4)
        (work / "lin.png").write_bytes((faces_dir / "probes" / "lin-manuel-miranda.png").read_bytes())
    rng = random.Random(seed)
    report = KillReport()
    for kill in range(kills):
        # A fresh data folder every ten kills, so enrollments (which later runs skip) keep being killed too.
        data = work / f"data{kill // 10}"
        db = data / "facegui.sqlite3"
        child_process = subprocess.Popen(
            [sys.executable, __file__, "child", str(data), str(models_dir), str(photos),
             str(faces_dir / "video" / "short_hamilton_clip.mp4")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        time.sleep(rng.uniform(0.8, 4.0))  # model loading takes ~0.5 s; kill anywhere after
        child_process.send_signal(signal.SIGKILL)
        output, _ = child_process.communicate(timeout=30)
        report.kills += 1
        committed = [line.split() for line in output.splitlines() if line[:2] in ("E ", "A ")]
        report.enrollments_reported += sum(1 for kind, _ in committed if kind == "E")
        report.events_reported += sum(1 for kind, _ in committed if kind == "A")
        with sqlite3.connect(db) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                report.integrity_failures += 1
            for kind, key in committed:
                query = ("SELECT 1 FROM embeddings WHERE source_sha256 = ?" if kind == "E"
                         else "SELECT 1 FROM attendance_events WHERE id = ?")
                if conn.execute(query, (key,)).fetchone() is None:
                    report.lost.append(f"{kind} {key}")
        if not _index_consistent(data):
            report.index_mismatches += 1
    return report


def _index_consistent(data: Path) -> bool:
    """Open each model's gallery as the next start would: its index must match the database."""
    from facegui.storage import FaceDatabase, Gallery

    with sqlite3.connect(data / "facegui.sqlite3") as conn:
        model_ids = [row[0] for row in conn.execute("SELECT DISTINCT model_id FROM embeddings")]
    for model_id in model_ids:
        with FaceDatabase(data / "facegui.sqlite3") as db:
            count = db.embedding_count(model_id)
        with Gallery(data, model_id, 128) as gallery:
            if len(gallery) != count:
                return False
    return True


def report_markdown(report: KillReport) -> str:
    return f"""## Crash safety under SIGKILL

Made by `python tests/crash_harness.py report {report.kills}` (the test suite runs the same harness with
fewer kills). A child process runs the real write paths, enrolling re-encoded gallery photos and logging
attendance check-ins for frames of the test video, and prints each enrollment and check-in once it is
committed. It is killed with SIGKILL at a random moment 0.8 to 4 s after it starts, so kills land in
model loading, enrollment transactions, index saves and event writes. After every kill the database must
pass `PRAGMA integrity_check` and hold every reported enrollment and check-in, and the faiss index that
the next start opens must match the database.

| kills | enrollments reported committed | check-ins reported committed | lost | integrity failures | index mismatches after restart |
|---|---|---|---|---|---|
| {report.kills} | {report.enrollments_reported} | {report.events_reported} | {len(report.lost)} | {report.integrity_failures} | {report.index_mismatches} |"""


if __name__ == "__main__":
    if sys.argv[1] == "child":
        child(*sys.argv[2:6])
    elif sys.argv[1] == "report":
        import tempfile

        repo = Path(__file__).resolve().parents[1]
        sys.path.insert(0, str(repo))
        from facegui.modelstore import ModelStore

        shared = repo.parent / "shared"
        with tempfile.TemporaryDirectory() as tmp:
            models = Path(tmp) / "models"
            ModelStore([], models).install_from(shared / "models")
            result = run_kills(int(sys.argv[2]), Path(tmp), shared / "faces", models)
        print(result)
        sys.path.insert(0, str(repo / "bench"))
        from report import write_section

        write_section("kills", report_markdown(result), repo / "docs" / "reliability.md", title="# Reliability")
