"""Attendance without the models: the vote, cool-down, sightings, storage, privacy, CLI, crash safety.

Recognitions here are built from the engine's own data classes with chosen
names and similarities, so each rule is tested on an exact frame sequence; the
tests on the real clip are in test_attendance_video.py.
"""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import os
import sqlite3
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from facegui.app import main
from facegui.config import Settings, SettingsError
from facegui.engine import Face, Recognition
from facegui.engine.align import ARCFACE_TEMPLATE
from facegui.engine.tracking import TrackedRecognition
from facegui.service import AttendanceService, encode_snapshot
from facegui.service.people import enroll_unknowns
from facegui.storage import (
    DATABASE_FILE_NAME,
    AttendanceStore,
    FaceDatabase,
    Gallery,
    NewEvent,
)
from facegui.storage.schema import SCHEMA_VERSION
from facegui.storage.schema import _SQLITE_V1 as _SCHEMA_V1

from .crash_harness import kill_mid_run

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL = "test-model:0"
DIM = 16
T0 = datetime.combine(date.today(), datetime.min.time()).replace(hour=9).astimezone()  # today 09:00 local
RNG = np.random.default_rng(3)
FRAME = RNG.integers(0, 255, (240, 320, 3), dtype=np.uint8)


def unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def seen(name: str, similarity: float = 0.6, seed: int | None = None) -> Recognition:
    """A face in FRAME named ``name`` (``unknown`` for nobody)."""
    landmarks = ARCFACE_TEMPLATE + 100  # a plausible 112-pixel face inside FRAME
    face = Face(np.array([90, 90, 210, 210], np.float32), landmarks.astype(np.float32), 0.99,
                unit(seed if seed is not None else hash(name) % 1000))
    return Recognition(face, name, similarity)


def tracked(recognition: Recognition, track_id: int, fresh: bool = True) -> TrackedRecognition:
    """The recognition as the live tracker reports it: on track ``track_id``, embedded in this frame or not."""
    return TrackedRecognition(recognition, track_id, fresh)


class Clock:
    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


def enroll(data_dir: Path, *names: str) -> None:
    with FaceDatabase(data_dir / DATABASE_FILE_NAME) as db:
        for i, name in enumerate(names):
            db.enroll(name, unit(100 + i), MODEL, None, None)


def open_service(data_dir: Path, clock: Clock, **settings) -> AttendanceService:
    return AttendanceService.open(Settings(data_dir=data_dir, **settings), clock=clock)


def play(service, clock, frames, source="camera", fps=10.0):
    """Feed frames (lists of recognitions) at ``fps``; returns the check-ins per frame index."""
    events = {}
    for index, recognitions in enumerate(frames):
        written = service.observe(FRAME, recognitions, source)
        if written:
            events[index] = written
        clock.tick(1 / fps)
    return events


# -- the vote ---------------------------------------------------------------------


def test_stray_frames_never_check_in_but_three_of_five_do(data_dir):
    enroll(data_dir, "ada")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        strays = [[seen("ada")], [], [], [], [seen("ada")], [], [], [], [seen("ada")], [], [], [], []]
        assert play(service, clock, strays) == {}
        assert service.roster(T0.date())[0].status == "absent"
        # hit, miss, hit, miss, hit: three of the last five frames.
        events = play(service, clock, [[seen("ada")], [], [seen("ada")], [], [seen("ada", 0.7)]])
    assert list(events) == [4]
    (event,) = events[4]
    assert event.name == "ada" and event.source == "camera" and event.similarity == pytest.approx(0.7)
    assert event.at.utcoffset() is not None  # local time with its offset


def test_a_vote_of_weak_matches_needs_one_strong_frame(data_dir):
    enroll(data_dir, "ada")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        assert play(service, clock, [[seen("ada", 0.40)]] * 6) == {}  # named, but never above 0.5
        assert list(play(service, clock, [[seen("ada", 0.40)], [seen("ada", 0.55)]])) == [1]


def test_settings_change_the_vote(data_dir):
    enroll(data_dir, "ada")
    clock = Clock()
    with open_service(data_dir, clock, checkin_min_hits=1, checkin_window=1) as service:
        assert list(play(service, clock, [[seen("ada")]])) == [0]
    with pytest.raises(SettingsError, match="checkin_min_hits"):
        Settings(checkin_min_hits=6, checkin_window=5)


def test_each_camera_source_votes_on_its_own_frames(data_dir):
    enroll(data_dir, "ada")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        checkins = []
        for _ in range(3):  # the door camera's empty frames are no misses for the desk camera
            checkins += service.observe(FRAME, [seen("ada")], "desk")
            checkins += service.observe(FRAME, [], "door")
            clock.tick(0.1)
    assert [(e.name, e.source) for e in checkins] == [("ada", "desk")]


def test_two_people_in_one_frame_and_a_duplicate_name(data_dir):
    enroll(data_dir, "ada", "bob")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        frame = [seen("ada", 0.6), seen("bob", 0.6), seen("ada", 0.8, seed=5), seen("unknown", 0.1)]
        events = play(service, clock, [frame] * 3)
    assert sorted((e.name, round(e.similarity, 2)) for e in events[2]) == [("ada", 0.8), ("bob", 0.6)]


# -- cool-down and sightings ----------------------------------------------------------


def test_cooldown_holds_across_sessions_and_a_new_day_checks_in_again(data_dir):
    enroll(data_dir, "ada")
    clock = Clock(T0.replace(hour=23, minute=50))
    present = [[seen("ada")]] * 5
    with open_service(data_dir, clock) as service:
        assert list(play(service, clock, present)) == [2]
        clock.tick(120)
        assert play(service, clock, present) == {}  # 2 minutes later: cooling down
    with open_service(data_dir, clock) as service:  # restarted app: the cool-down is in the database
        clock.tick(60)
        assert play(service, clock, present) == {}
        clock.tick(180)  # 6 minutes after the first check-in; a 3-minute gap also restarts the vote
        assert list(play(service, clock, present)) == [2]
        clock.now = clock.now.replace(hour=23, minute=59)
        assert play(service, clock, present) == {}
        clock.tick(90)  # just past midnight: a new day always checks in
        assert list(play(service, clock, present)) == [2]
        day1, day2 = clock.now.date() - timedelta(days=1), clock.now.date()
        assert [e.at.date() for e in service.history(day1, day2, "ada")] == [day1, day1, day2]
        (first_day,) = service.report(day1, day1)
        # Seen at 23:59 while cooling down: no check-in, but "last seen" follows.
        assert first_day.events == 2 and first_day.first_seen.minute == 50 and first_day.last_seen.minute == 59


def test_sightings_count_seconds_of_confirmed_presence(data_dir):
    enroll(data_dir, "ada", "bob")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        # 3.5 s at 30 FPS: confirmed from the third frame on, one sighting per second.
        play(service, clock, [[seen("ada")]] * 105, fps=30.0)
        play(service, clock, [[seen("bob")], [], []] * 20, fps=30.0)  # never 3 of 5: no sighting
        roster = {r.name: r for r in service.roster(T0.date())}
    assert roster["ada"].sightings == 4 and roster["ada"].events == 1
    # "Last seen" moves while she stays in view (the latest sighting), not only at the next check-in.
    assert roster["ada"].last_seen - roster["ada"].first_seen >= timedelta(seconds=3)
    assert roster["bob"].sightings == 0 and roster["bob"].status == "absent"


def test_observe_is_thread_safe(data_dir):
    enroll(data_dir, "ada")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        results, errors = [], []

        def camera():
            try:
                for _ in range(100):
                    results.extend(service.observe(FRAME, [seen("ada")]))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=camera) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors and len(results) == 1
        assert len(service.history(T0.date())) == 1


def test_idle_frames_touch_nothing(data_dir):
    enroll(data_dir, "ada")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        service.store.close()  # any database access would now fail
        assert service.observe(FRAME, []) == []
        assert service.observe(FRAME, [seen("unknown", 0.2)]) == []  # unknown logging is off


# -- snapshots ---------------------------------------------------------------------


def test_snapshots_are_small_aligned_faces_and_optional(data_dir):
    enroll(data_dir, "ada", "bob")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        (event,) = play(service, clock, [[seen("ada")]] * 3)[2]
    assert event.snapshot.parent == data_dir / "snapshots" / T0.date().isoformat()
    assert 0 < event.snapshot.stat().st_size <= 20_000
    assert cv2.imread(str(event.snapshot)).shape == (112, 112, 3)
    if os.name == "posix":
        assert event.snapshot.stat().st_mode & 0o077 == 0

    with open_service(data_dir, clock, attendance_snapshots=False) as service:
        (event,) = play(service, clock, [[seen("bob")]] * 3)[2]
    assert event.snapshot is None
    assert len(list((data_dir / "snapshots").rglob("*.jpg"))) == 1


def test_snapshot_quality_drops_until_it_fits_the_cap():
    noisy = np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8)
    face = seen("x").face
    full = encode_snapshot(noisy, face, 1_000_000)
    capped = encode_snapshot(noisy, face, len(full) // 2)
    assert capped is not None and len(capped) <= len(full) // 2
    assert cv2.imdecode(np.frombuffer(capped, np.uint8), cv2.IMREAD_COLOR).shape == (112, 112, 3)
    assert encode_snapshot(noisy, face, 100) is None  # cannot fit: no snapshot rather than a big one


# -- unknown faces ------------------------------------------------------------------


def test_unknown_faces_are_logged_once_and_enrolled_in_one_call(data_dir):
    enroll(data_dir, "ada")
    clock = Clock()
    settings = Settings(data_dir=data_dir, log_unknown_faces=True)
    with Gallery(data_dir, MODEL, DIM) as gallery, \
            AttendanceService.open(settings, gallery, clock=clock) as service:
        stranger = [tracked(seen("unknown", 0.2, seed=7), 1)]
        play(service, clock, [stranger] * 30)  # 3 s in view: logged once
        clock.tick(60)
        play(service, clock, [[tracked(seen("unknown", 0.2, seed=7), 2)]] * 5)  # back: same face, cooling down
        play(service, clock, [[tracked(seen("unknown", 0.2, seed=8), 3)]] * 4)  # four looks: not enough
        (record,) = service.unknown_faces()
        assert record.snapshot.is_file() and record.model_id == MODEL
        assert np.allclose(record.embedding, unit(7), atol=1e-6)

        embedding_id = service.enroll_unknown(record.id, "carol")
        assert service.unknown_faces() == [] and not record.snapshot.exists()
        assert gallery.search(unit(7))[0][0].name == "carol"
        assert gallery.search(unit(7))[0][0].embedding_id == embedding_id
        with pytest.raises(KeyError):
            service.enroll_unknown(record.id, "carol")

        clock.tick(400)  # past the unknown cool-down
        play(service, clock, [[tracked(seen("unknown", 0.2, seed=7), 4)]] * 5)
        assert len(service.unknown_faces()) == 1
        assert service.dismiss_unknown(service.unknown_faces()[0].id)
        assert service.unknown_faces() == []


def test_an_unknown_face_that_looks_like_someone_enrolled_keeps_its_name_or_none(tmp_path):
    """Enrolling a logged unknown under a new name is refused when the gallery already names that face
    (someone was enrolled since it was logged); under that person's own name it joins them."""
    data_dir, clock = tmp_path / "data", Clock(T0)
    settings = Settings(data_dir=data_dir, log_unknown_faces=True)
    with Gallery(data_dir, MODEL, DIM) as gallery, \
            AttendanceService.open(settings, gallery, clock=clock) as service:
        play(service, clock, [[tracked(seen("unknown", 0.2, seed=7), 1)]] * 30)
        (record,) = service.unknown_faces()
        gallery.enroll("dave", unit(7) + 0.05 * unit(8))  # enrolled from a photo meanwhile
        with pytest.raises(ValueError, match=rf"unknown face #{record.id}: this face looks like dave"):
            service.enroll_unknown(record.id, "carol")
        assert [p.name for p in gallery.people()] == ["dave"]
        assert [u.id for u in service.unknown_faces()] == [record.id]  # kept for another try
        result = enroll_unknowns(service, [record.id], "carol")  # the review's bulk step: the refusal as data
        (refusal,) = result.problems
        assert result.done == 0 and refusal.unknown_face == record.id and refusal.problem.values[0] == "dave"
        assert str(refusal).startswith(f"unknown face #{record.id}: this face looks like dave")
        service.enroll_unknown(record.id, "dave")
        assert [(p.name, p.embedding_count) for p in gallery.people()] == [("dave", 2)]



def test_the_review_says_which_unknown_faces_are_gone_or_of_another_model_as_data(tmp_path):
    """A face dismissed (or enrolled at another window) meanwhile, and one logged under an older model, are
    each one refusal with its rule, so the window can say it in its own language; the batch goes on."""
    from facegui.service.enrollment import GONE, OTHER_MODEL
    from facegui.service.people import dismiss_unknowns

    data_dir, clock = tmp_path / "data", Clock(T0)
    settings = Settings(data_dir=data_dir, log_unknown_faces=True)
    with Gallery(data_dir, MODEL, DIM) as gallery, \
            AttendanceService.open(settings, gallery, clock=clock) as service:
        play(service, clock, [[tracked(seen("unknown", 0.2, seed=7), 1)]] * 30)
        clock.tick(400)
        play(service, clock, [[tracked(seen("unknown", 0.2, seed=9), 2)]] * 30)
        first, second = sorted(u.id for u in service.unknown_faces())
        assert service.dismiss_unknown(first)

        result = enroll_unknowns(service, [first, second], "carol")
        (gone,) = result.problems
        assert result.done == 1 and gone.unknown_face == first and gone.problem.rule == GONE
        assert str(gone) == f"unknown face #{first}: already gone (dismissed, or enrolled elsewhere)"
        (again,) = dismiss_unknowns(service, [first]).problems
        assert again.problem.rule == GONE

        play(service, clock, [[tracked(seen("unknown", 0.2, seed=11), 3)]] * 30)
        (logged,) = service.unknown_faces()
    with Gallery(data_dir, "newer-model:1", DIM) as newer, \
            AttendanceService.open(settings, newer, clock=clock) as service:
        (other,) = enroll_unknowns(service, [logged.id], "dave").problems
        assert other.problem.rule == OTHER_MODEL and other.problem.values == (MODEL, "newer-model:1")
        assert newer.people() == [] and [u.id for u in service.unknown_faces()] == [logged.id]


@contextlib.contextmanager
def logging_unknowns(data_dir: Path, clock: Clock):
    """The attendance service with unknown-face logging on, over a gallery of ``ada``."""
    enroll(data_dir, "ada")
    with Gallery(data_dir, MODEL, DIM) as gallery, \
            AttendanceService.open(Settings(data_dir=data_dir, log_unknown_faces=True), gallery,
                                   clock=clock) as service:
        yield service


def test_only_fresh_confident_far_looks_of_a_never_named_track_log_an_unknown(data_dir):
    clock = Clock()
    with logging_unknowns(data_dir, clock) as service:
        held = tracked(seen("unknown", 0.1, seed=20), 1, fresh=False)
        play(service, clock, [[held]] * 20)  # a held look is no evidence
        near = tracked(seen("unknown", 0.3, seed=21), 2)
        play(service, clock, [[near]] * 20)  # between 0.25 and the threshold: maybe someone enrolled, turned away
        named_once = [[tracked(seen("ada", 0.6, seed=22), 3)]] + [[tracked(seen("unknown", 0.1, seed=22), 3)]] * 20
        play(service, clock, named_once)  # a track once named is never logged as unknown
        blurred = tracked(dataclasses.replace(seen("unknown", 0.1, seed=23), face=dataclasses.replace(
            seen("unknown", 0.1, seed=23).face, score=0.7)), 4)
        play(service, clock, [[blurred]] * 20)
        assert service.unknown_faces() == []
        untracked = seen("unknown", 0.1, seed=24)
        play(service, clock, [[untracked]] * 20)  # no track: nothing to be settled about
        assert service.unknown_faces() == []


def test_an_unknown_face_resembling_a_confirmed_person_is_not_logged(data_dir):
    clock = Clock()
    with logging_unknowns(data_dir, clock) as service:
        play(service, clock, [[tracked(seen("ada", seed=11), 1)]] * 5)
        play(service, clock, [[tracked(seen("unknown", 0.2, seed=11), 2)]] * 10)  # ada, far from her photo
        assert service.unknown_faces() == []


def test_only_fresh_embeddings_vote_for_a_check_in(data_dir):
    enroll(data_dir, "ada")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        # One fresh look, then the tracker holds the name: held frames neither vote nor miss.
        held = [[tracked(seen("ada", 0.8), 1)]] + [[tracked(seen("ada", 0.8), 1, fresh=False)]] * 20
        assert play(service, clock, held) == {}
        fresh = [[tracked(seen("ada", 0.8), 1)], [tracked(seen("ada", 0.8), 1, fresh=False)],
                 [tracked(seen("ada", 0.8), 1)]]
        assert list(play(service, clock, fresh)) == [2]


# -- reports, export, history ------------------------------------------------------------


def test_report_lists_everyone_enrolled_present_or_absent(data_dir, tmp_path):
    enroll(data_dir, "ada", "bob", "张学友")
    today = date.today()
    clock = Clock(datetime.combine(today, datetime.min.time()).astimezone() + timedelta(hours=9))
    with open_service(data_dir, clock) as service:
        play(service, clock, [[seen("张学友")]] * 3)
        clock.tick(3600)
        play(service, clock, [[seen("ada")]] * 3)
        clock.tick(600)
        play(service, clock, [[seen("ada")]] * 3)
        rows = service.export_csv(tmp_path / "today.csv")
        history = service.history(name="ada")
        yesterday = service.report(today - timedelta(days=1), today - timedelta(days=1))
    assert rows == 3 and yesterday == []  # nobody was enrolled yet yesterday
    assert [e.name for e in history] == ["ada", "ada"]
    with open(tmp_path / "today.csv", encoding="utf-8-sig", newline="") as file:
        table = list(csv.DictReader(file))
    assert list(table[0]) == ["date", "name", "status", "first_seen", "last_seen", "sightings"]
    by_name = {row["name"]: row for row in table}
    assert by_name["bob"] == {"date": today.isoformat(), "name": "bob", "status": "absent",
                              "first_seen": "", "last_seen": "", "sightings": "0"}
    ada = by_name["ada"]
    assert ada["status"] == "present" and ada["sightings"] == "2"
    first, last = datetime.fromisoformat(ada["first_seen"]), datetime.fromisoformat(ada["last_seen"])
    assert first.utcoffset() is not None and (last - first) == timedelta(seconds=600)
    assert by_name["张学友"]["status"] == "present"


# -- privacy ----------------------------------------------------------------------------


def test_removing_a_person_removes_their_events_and_snapshots(data_dir):
    enroll(data_dir, "ada", "bob")
    clock = Clock()
    with open_service(data_dir, clock) as service:
        (ada_event,) = play(service, clock, [[seen("ada")]] * 3)[2]
        (bob_event,) = play(service, clock, [[seen("bob")]] * 3)[2]
        assert service.remove_person("ada") == 1
        assert [e.name for e in service.history(T0.date())] == ["bob"]
        assert [r.name for r in service.roster(T0.date())] == ["bob"]
    assert not ada_event.snapshot.exists() and bob_event.snapshot.exists()
    raw = sqlite3.connect(data_dir / DATABASE_FILE_NAME)
    try:
        assert raw.execute("SELECT COUNT(*) FROM attendance_sightings").fetchone()[0] == 1
    finally:
        raw.close()


def test_expired_events_and_snapshots_are_purged_at_start_up(data_dir):
    enroll(data_dir, "ada")
    clock = Clock(datetime.now().astimezone() - timedelta(days=100))
    with open_service(data_dir, clock, retention_days=0) as service:
        (old,) = play(service, clock, [[seen("ada")]] * 3)[2]
    clock.now = datetime.now().astimezone()
    with open_service(data_dir, clock, retention_days=0) as service:  # 0 keeps everything
        (recent,) = play(service, clock, [[seen("ada")]] * 3)[2]
        assert len(service.history(old.at.date(), recent.at.date())) == 2
    orphan = data_dir / "snapshots" / recent.at.date().isoformat() / "orphan.jpg"
    orphan.write_bytes(b"left by a crash")
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))

    with open_service(data_dir, clock, retention_days=90) as service:
        assert [e.id for e in service.history(old.at.date(), recent.at.date())] == [recent.id]
        assert not old.snapshot.exists() and not old.snapshot.parent.exists()
        assert recent.snapshot.exists() and not orphan.exists()
        again = service.purge_expired()
    assert (again.events, again.files) == (0, 0)


# -- database ---------------------------------------------------------------------------


def test_a_version_1_database_is_migrated_in_place(tmp_path):
    path = tmp_path / DATABASE_FILE_NAME
    raw = sqlite3.connect(path)
    raw.executescript(_SCHEMA_V1)
    raw.execute("INSERT INTO people (name, created_at) VALUES ('ada', '2024-01-01T00:00:00+00:00')")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()

    with AttendanceStore(tmp_path) as store:
        assert [p.name for p in store.people()] == ["ada"]
        (event,) = store.record([NewEvent("ada", T0, "camera", 0.6)])[0]
        assert store.events(T0.date(), T0.date()) == [event]
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        raw.close()


def test_a_snapshot_that_cannot_be_written_costs_the_picture_not_the_check_in(tmp_path, caplog):
    """The snapshot folder cannot take a file (here the day's folder is a file; a full disk is the same
    OSError): the check-in is recorded without its picture, and one log line says why. Before, the whole
    check-in was refused, frame after frame."""
    enroll(tmp_path, "ada", "bob")
    with AttendanceStore(tmp_path) as store:
        store.snapshot_dir.mkdir(parents=True, exist_ok=True)
        (store.snapshot_dir / T0.date().isoformat()).write_text("in the way")
        with caplog.at_level("WARNING", logger="facegui.storage.attendance"):
            events, _ = store.record([NewEvent("ada", T0, "door", 0.6, b"\xff\xd8 jpeg"),
                                      NewEvent("bob", T0, "door", 0.7, b"\xff\xd8 jpeg")])
        assert [(e.name, e.snapshot) for e in events] == [("ada", None), ("bob", None)]
        assert [(e.name, e.snapshot) for e in store.events(T0.date(), T0.date())] == [("ada", None), ("bob", None)]
        (line,) = [r.getMessage() for r in caplog.records]
        assert line.startswith(f"Recorded without 2 snapshots: cannot write under {store.snapshot_dir} (")


RECORD_UNTIL_KILLED = r"""
import sys
from datetime import datetime, timedelta
from pathlib import Path
import numpy as np
from facegui.config import Settings
from facegui.engine import Face, Recognition
from facegui.engine.align import ARCFACE_TEMPLATE
from facegui.engine.tracking import TrackedRecognition
from facegui.service import AttendanceService

data_dir = Path(sys.argv[1])
clock_now = [datetime(2024, 5, 6, 9, 0).astimezone()]
settings = Settings(data_dir=data_dir, checkin_min_hits=1, checkin_window=1, checkin_cooldown_s=0,
                    retention_days=0)
frame = np.random.default_rng(1).integers(0, 255, (240, 320, 3), dtype=np.uint8)
face = Face(np.array([90, 90, 210, 210], np.float32), (ARCFACE_TEMPLATE + 100).astype(np.float32), 0.99,
            np.ones(16, np.float32) / 4)
with AttendanceService.open(settings, clock=lambda: clock_now[0]) as service:
    for i in range(5000):
        clock_now[0] += timedelta(seconds=1)
        for event in service.observe(frame, [Recognition(face, f"p{i % 5}", 0.9)]):
            print(event.id, flush=True)
"""


def test_killing_a_writer_loses_no_committed_event(data_dir):
    enroll(data_dir, *[f"p{i}" for i in range(5)])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    printed = [int(line) for line in kill_mid_run(
        [sys.executable, "-c", RECORD_UNTIL_KILLED, str(data_dir)], 200, 5000, env)]

    raw = sqlite3.connect(data_dir / DATABASE_FILE_NAME)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = dict(raw.execute("SELECT id, snapshot FROM attendance_events").fetchall())
    finally:
        raw.close()
    assert set(printed) <= set(stored)
    assert all((data_dir / "snapshots" / snapshot).is_file() for snapshot in stored.values())

    clock = Clock(datetime(2024, 5, 6, 9, 0).astimezone())
    with open_service(data_dir, clock, retention_days=0) as service:  # reopens and keeps writing
        assert len(service.history(date(2024, 5, 6))) == len(stored)


# -- CLI ----------------------------------------------------------------------------------


def test_cli_attendance_prints_the_table_or_writes_csv(cli_args, tmp_path, capsys):
    data_dir = tmp_path / "data"  # what cli_args points at
    enroll(data_dir, "ada", "bob")
    clock = Clock(datetime.now().astimezone())
    with open_service(data_dir, clock) as service:
        play(service, clock, [[seen("ada")]] * 3)
    today = date.today().isoformat()

    assert main(["attendance", *cli_args]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["date", "name", "status", "first_seen", "last_seen", "sightings"]
    assert [line.split()[1:3] for line in lines[1:]] == [["ada", "present"], ["bob", "absent"]]

    out = tmp_path / "report.csv"
    assert main(["attendance", "--from", today, "--to", today, "--csv", str(out), *cli_args]) == 0
    assert "wrote 2 rows" in capsys.readouterr().err
    with open(out, encoding="utf-8-sig", newline="") as file:
        assert [(r["name"], r["status"]) for r in csv.DictReader(file)] == [("ada", "present"), ("bob", "absent")]

    assert main(["attendance", "--from", "2024-05-07", "--to", "2024-05-06", *cli_args]) == 2
    assert "before" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["attendance", "--from", "yesterday", *cli_args])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_csv_names_cannot_run_as_spreadsheet_formulas():
    from facegui.service.attendance import spreadsheet_safe

    assert spreadsheet_safe("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert spreadsheet_safe("-1+2") == "'-1+2" and spreadsheet_safe("@sum") == "'@sum"
    assert spreadsheet_safe("张学友") == "张学友" and spreadsheet_safe("obama") == "obama"
