"""Several stations, one PostgreSQL server: each station its own process and its own data folder.

The people come from the real models on the real photos: station A enrolls with the CLI,
the others identify with the CLI or record attendance (tests/station_process.py) from
recognitions the real models made on the Hamilton clip.  The server is real and is stopped
and started again in the middle of a test.
"""
from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from facegui.config import Settings
from facegui.service import Recognizer
from facegui.service.shared_database import copy_data

from .conftest import FACES
from .postgres_server import shared_server
from .station_process import frames

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[1]
CLIP = FACES / "video" / "short_hamilton_clip.mp4"
LIN = "lin-manuel miranda"
STATION_TIMEOUT_S = 240


def station_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["OMP_NUM_THREADS"] = "1"
    return env


def facegui(data_dir: Path, url: str, models_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """One CLI run as a station with its own data folder."""
    command = [sys.executable, "-m", "facegui", "--data-dir", str(data_dir), "--database", url,
               "--models", str(models_dir), "--config", str(data_dir.parent / "no-settings.json"),
               "--threads", "1", *args]
    return subprocess.run(command, capture_output=True, text=True, env=station_env(), timeout=STATION_TIMEOUT_S)


def station(mode: str, data_dir: Path, url: str, name: str, *args: str) -> subprocess.Popen:
    command = [sys.executable, str(REPO / "tests" / "station_process.py"), mode, "--data-dir", str(data_dir),
               "--database", url, "--station", name, *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=station_env())


def reported(output: str) -> tuple[list[dict], int | None]:
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    events = [line for line in lines if "uid" in line]
    waiting = next((line["waiting"] for line in lines if "waiting" in line), None)
    return events, waiting


def server_events(url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT e.uid, p.name, e.station FROM attendance_events e "
                            "JOIN people p ON p.id = e.person_id ORDER BY e.at_utc").fetchall()


@pytest.fixture(scope="module")
def enrolled(tmp_path_factory, models_dir):
    """A SQLite database with lin and the gallery enrolled, and the clip's recognitions against it."""
    root = tmp_path_factory.mktemp("stations")
    settings = Settings(data_dir=root / "template", model_dir=models_dir, intra_op_threads=1)
    with Recognizer.open(settings) as recognizer:
        assert recognizer.enroll_file(FACES / "probes" / "lin-manuel-miranda.png", LIN).status == "enrolled"
        assert recognizer.encode_folder(sorted((FACES / "gallery").glob("*.jpg"))).count("enrolled") == 9
        recognitions = [recognizer.identify(frame) for frame in frames(CLIP)]
    path = root / "recognitions.pickle"
    path.write_bytes(pickle.dumps(recognitions))
    assert any(r.name == LIN for found in recognitions for r in found)
    return settings, path


@pytest.fixture
def shared_url(enrolled) -> str:
    """A fresh server database holding the enrolled people (copied with ``db copy``)."""
    url = shared_server().create_database()
    copy_data(enrolled[0], url)
    return url


def test_enrolled_at_one_station_identified_at_another(tmp_path, models_dir):
    url = shared_server().create_database()
    for photo, name in (("obama_1.jpg", "obama"), ("biden_1.jpg", "biden")):
        result = facegui(tmp_path / "a", url, models_dir, "enroll", str(FACES / "gallery" / photo), "--name", name)
        assert result.returncode == 0, result.stderr

    result = facegui(tmp_path / "b", url, models_dir, "identify", str(FACES / "probes" / "two_people.jpg"), "--json")

    assert result.returncode == 0, result.stderr
    faces = json.loads(result.stdout.splitlines()[0])["faces"]
    assert [face["name"] for face in sorted(faces, key=lambda face: face["box"][0])] == ["obama", "biden"]
    assert not (tmp_path / "b" / "facegui.sqlite3").exists()  # station B holds only its index cache


def test_concurrent_enrollments_from_two_stations(tmp_path, models_dir):
    url = shared_server().create_database()
    folders = {"a": ["kit_harington_1.jpg", "rose_leslie_1.jpg", "obama_1.jpg"],
               "b": ["biden_1.jpg", "alex_lacamoire_1.jpg", "obama_2.jpg"]}
    commands = []
    for station_name, photos in folders.items():
        folder = tmp_path / f"photos-{station_name}"
        folder.mkdir()
        for photo in photos:
            (folder / photo).write_bytes((FACES / "gallery" / photo).read_bytes())
        commands.append([sys.executable, "-m", "facegui", "--data-dir", str(tmp_path / station_name), "--database",
                         url, "--models", str(models_dir), "--config", str(tmp_path / "none.json"), "--threads", "1",
                         "encode", str(folder)])
    running = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=station_env())
               for c in commands]
    for process in running:
        out, err = process.communicate(timeout=STATION_TIMEOUT_S)
        assert process.returncode == 0 and "enrolled 3, skipped 0, failed 0" in out, err

    people = json.loads(facegui(tmp_path / "c", url, models_dir, "people", "--json").stdout)
    assert {p["name"]: p["embeddings"] for p in people} == {
        "alex_lacamoire": 1, "biden": 1, "kit_harington": 1, "obama": 2, "rose_leslie": 1}
    result = facegui(tmp_path / "c", url, models_dir, "identify", str(FACES / "probes" / "kit_with_rose.jpg"), "--json")
    faces = json.loads(result.stdout.splitlines()[0])["faces"]
    assert [f["name"] for f in sorted(faces, key=lambda f: f["box"][0])] == ["rose_leslie", "kit_harington"]


def test_two_stations_seeing_the_same_person_within_the_cool_down_give_one_check_in(tmp_path, enrolled,
                                                                                      shared_url):
    _settings, recognitions = enrolled
    both = [station("replay", tmp_path / name, shared_url, name, "--recognitions", str(recognitions),
                    "--clip", str(CLIP)) for name in ("north door", "south door")]
    outputs = [process.communicate(timeout=STATION_TIMEOUT_S) for process in both]
    assert all(process.returncode == 0 for process in both), [err for _out, err in outputs]

    lin_checkins = [row for row in server_events(shared_url) if row[1] == LIN]
    assert len(lin_checkins) == 1
    reported_uids = [event["uid"] for out, _err in outputs for event in reported(out)[0]]
    assert reported_uids == [lin_checkins[0][0]]  # the other station was refused, and knew it


def test_a_station_killed_in_the_middle_of_flushing_its_outbox_loses_and_doubles_nothing(tmp_path, shared_url):
    server = shared_server()
    data_dir = tmp_path / "door"
    server.stop()
    try:
        queued = station("record", data_dir, shared_url, "door", "--loops", "300", "--drain-timeout-s", "0")
        out, err = queued.communicate(timeout=STATION_TIMEOUT_S)
    finally:
        server.start()
    events, waiting = reported(out)
    assert queued.returncode == 0 and len(events) == 300 and waiting == 300, err
    assert all(event["id"] == 0 for event in events)  # queued, not written

    flushing = station("record", data_dir, shared_url, "door", "--loops", "0")
    deadline = time.monotonic() + 60
    while not server_events(shared_url) and time.monotonic() < deadline:
        time.sleep(0.01)
    flushing.send_signal(signal.SIGKILL)
    flushing.communicate(timeout=30)
    written_before_restart = len(server_events(shared_url))

    finishing = station("record", data_dir, shared_url, "door", "--loops", "0")
    _out, err = finishing.communicate(timeout=STATION_TIMEOUT_S)
    assert finishing.returncode == 0, err

    uids = [row[0] for row in server_events(shared_url)]
    print(f"killed after {written_before_restart} of 300 queued check-ins were flushed")
    assert 0 < written_before_restart
    assert sorted(uids) == sorted(event["uid"] for event in events)  # every one, once


def test_a_station_killed_mid_write_leaves_a_consistent_database(tmp_path, shared_url):
    process = station("record", tmp_path / "door", shared_url, "door", "--loops", "5000")
    printed = []
    assert process.stdout is not None
    while len(printed) < 200:
        line = process.stdout.readline()
        if not line:
            break
        printed.append(json.loads(line)["uid"])
    process.send_signal(signal.SIGKILL)
    rest, _err = process.communicate(timeout=30)
    printed += [json.loads(line)["uid"] for line in rest.splitlines() if line.strip()]

    stored = [row[0] for row in server_events(shared_url)]
    assert set(printed) <= set(stored) and len(stored) == len(set(stored))
    assert len(stored) - len(printed) <= 1  # at most the write committed but not yet printed


def test_postgres_stopped_for_30_s_while_a_station_records_every_check_in_arrives_once(tmp_path, enrolled,
                                                                                       shared_url):
    _settings, recognitions = enrolled
    server = shared_server()
    start = datetime.combine(date.today(), datetime.min.time()).astimezone() + timedelta(minutes=5)
    door = station("replay", tmp_path / "door", shared_url, "door", "--recognitions", str(recognitions),
                   "--clip", str(CLIP), "--start", start.isoformat(), "--loops", "45", "--loop-minutes", "6",
                   "--pace-s", "1.0", "--drain-timeout-s", "90")
    time.sleep(6)
    server.stop()
    try:
        time.sleep(30)
        assert door.poll() is None, "the station stopped while its server was away"
    finally:
        server.start()
    out, err = door.communicate(timeout=STATION_TIMEOUT_S)
    assert door.returncode == 0, err

    events, waiting = reported(out)
    assert waiting == 0
    queued = [event for event in events if event["id"] == 0]
    assert len(events) == 45 and queued  # one check-in per play; some of them while the server was away
    stored = server_events(shared_url)
    assert sorted(row[0] for row in stored) == sorted(event["uid"] for event in events)
    assert {row[1] for row in stored} == {LIN} and {row[2] for row in stored} == {"door"}


def test_every_command_works_on_the_shared_database(tmp_path, models_dir, shared_url, capsys):
    from facegui.cli.main import main

    station = ["--data-dir", str(tmp_path / "door"), "--database", shared_url, "--models", str(models_dir),
               "--config", str(tmp_path / "none.json")]
    assert main([*station, "people", "--json"]) == 0
    assert "obama" in {p["name"] for p in json.loads(capsys.readouterr().out)}
    assert main([*station, "remove", "obama"]) == 0
    assert main([*station, "identify", str(FACES / "probes" / "two_people.jpg"), "--json"]) == 0
    faces = json.loads(capsys.readouterr().out.splitlines()[-1])["faces"]
    assert "obama" not in {face["name"] for face in faces} and "biden" in {face["name"] for face in faces}
    assert main([*station, "attendance", "--csv", str(tmp_path / "report.csv")]) == 0
    assert "biden" in (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert main([*station, "db", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["backend"] == "postgresql" and status["people"] == 5  # lin and the gallery, less obama


def test_a_face_enrolled_at_one_station_cannot_join_another_name_at_a_second_before_its_next_poll(
        tmp_path, models_dir):
    url = shared_server().create_database()

    def station(folder: str) -> Recognizer:
        # A minute between polls: the second station's copy is sure to be behind the first's write.
        return Recognizer.open(Settings(data_dir=tmp_path / folder, model_dir=models_dir, database_url=url,
                                        station_sync_interval_s=60, intra_op_threads=1))

    with station("a") as door_a, station("b") as door_b:
        assert door_a.enroll_file(FACES / "gallery" / "obama_1.jpg", "obama").status == "enrolled"
        outcome = door_b.enroll_file(FACES / "gallery" / "obama_2.jpg", "barack")
        assert outcome.status == "failed"
        assert "this face looks like obama, who is already enrolled" in (outcome.reason or "")
        assert door_b.enroll_file(FACES / "gallery" / "biden_1.jpg", "biden").status == "enrolled"
        assert sorted(p.name for p in door_b.gallery.people()) == ["biden", "obama"]
