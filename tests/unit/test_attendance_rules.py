"""Attendance rules on exact frame sequences: the vote, its gaps, the cool-down, who may check in,
and the CSV that a spreadsheet opens safely. A real database in a temp folder; no models."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from facegui.config import Settings
from facegui.service import AttendanceService
from facegui.service.attendance import VOTE_MAX_GAP_S
from facegui.storage import Gallery

from .records import DIM, recognition, unit_vector

MODEL = "unit-model:0"
FRAME = np.zeros((240, 320, 3), np.uint8)
T0 = datetime.combine(date.today(), datetime.min.time()).replace(hour=9).astimezone()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(tmp_path, clock):
    with Gallery(tmp_path, MODEL, DIM) as gallery:
        for seed, name in enumerate(["ada", "bob", "=HYPERLINK(\"http://x\")", "+1", "-2", "@cmd"]):
            gallery.enroll(name, unit_vector(seed))
    settings = Settings(data_dir=tmp_path, checkin_cooldown_s=300.0)
    with AttendanceService.open(settings, clock=clock) as opened:
        yield opened


def play(service, clock, frames, fps: float = 10.0) -> list[tuple[int, str]]:
    """Feed frames (a list of names each; "" for an empty frame); returns (frame, name) of each check-in."""
    checkins = []
    for index, names in enumerate(frames):
        recognitions = [recognition(name, 0.6) for name in names]
        checkins += [(index, event.name) for event in service.observe(FRAME, recognitions, "door")]
        clock.tick(1 / fps)
    return checkins


def test_two_hits_in_five_frames_never_check_in(service, clock):
    assert play(service, clock, [["ada"], [], [], ["ada"], [], [], [], ["ada"], [], [], [], []]) == []


def test_three_hits_in_five_frames_check_in_once(service, clock):
    assert play(service, clock, [["ada"], [], ["ada"], [], ["ada"], ["ada"], ["ada"]]) == [(4, "ada")]


def test_weak_matches_alone_never_check_in(service, clock):
    for _ in range(6):
        assert service.observe(FRAME, [recognition("ada", 0.45)], "door") == []
        clock.tick(0.1)
    assert [e.name for e in service.observe(FRAME, [recognition("ada", 0.51)], "door")] == ["ada"]


def test_a_pause_in_the_stream_restarts_the_vote(service, clock):
    assert play(service, clock, [["ada"], ["ada"]]) == []
    clock.tick(VOTE_MAX_GAP_S + 1)  # e.g. the camera stalled: older frames no longer vote
    assert play(service, clock, [["ada"]]) == []
    assert play(service, clock, [["ada"], ["ada"]]) == [(1, "ada")]


def test_the_unknown_never_checks_in(service, clock):
    assert play(service, clock, [["unknown"]] * 10) == []
    assert service.history(T0.date(), T0.date()) == []


def test_the_cool_down_holds_for_its_seconds_then_ends(service, clock):
    assert play(service, clock, [["ada"]] * 3) == [(2, "ada")]
    first = clock.now - timedelta(seconds=0.1)
    clock.now = first + timedelta(seconds=299)
    assert play(service, clock, [["ada"]] * 3) == []
    clock.now = first + timedelta(seconds=301)
    assert play(service, clock, [["ada"]]) == [(0, "ada")]  # the vote of the frames just before still holds
    assert len(service.history(T0.date(), T0.date(), "ada")) == 2


def test_the_cool_down_is_per_person(service, clock):
    assert play(service, clock, [["ada"]] * 3) == [(2, "ada")]
    assert play(service, clock, [["ada", "bob"]] * 3) == [(2, "bob")]


def test_someone_not_enrolled_is_not_checked_in(service, clock):
    assert play(service, clock, [["zed"]] * 5) == []
    assert service.history(T0.date(), T0.date()) == []


def test_a_removed_person_takes_their_check_ins_along(service, clock):
    play(service, clock, [["ada"]] * 3)
    assert service.remove_person("ada") == 1
    assert service.history(T0.date(), T0.date(), "ada") == []


def test_the_csv_escapes_names_a_spreadsheet_would_run(service, clock):
    dangerous = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@cmd"]
    play(service, clock, [dangerous] * 3)
    out = io.StringIO()
    service.export_csv(out, T0.date(), T0.date())
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["date", "name", "status", "first_seen", "last_seen", "sightings"]
    names = sorted(row[1] for row in rows[1:])
    assert all(name[0] not in "=+-@" for name in names), names
    assert sorted(name.lstrip("'") for name in names) == sorted(dangerous + ["ada", "bob"])


def test_the_attendance_table_stays_aligned_with_names_in_any_script():
    """Padding by characters pushed every column after 张学友 three terminal columns to the right."""
    from facegui.service.attendance import display_width, format_table
    from facegui.storage.attendance import DayRecord

    names = ["obama", "张学友", "Zoë", "Zoe\u0308", "Ｆｕｌｌ"]  # wide, precomposed, combining, full-width
    assert [display_width(n) for n in names] == [5, 6, 3, 3, 8]
    day = date(2026, 12, 7)
    seen = datetime(2026, 12, 7, 8, 2).astimezone()
    table = format_table([DayRecord(day, name, True, seen, seen, 1, 1) for name in names])
    header, *rows = table.splitlines()
    assert len(rows) == len(names)
    status_column = display_width(header[:header.index("status")])
    for row, name in zip(rows, names):
        before_status = row[:row.index("present")]
        assert display_width(before_status) == status_column, row
