"""The shared PostgreSQL database: schema versions, stations following each other, the offline outbox.

Every test here runs against a real throwaway server (tests/postgres_server.py).
"""
from __future__ import annotations

import sqlite3
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg
import pytest

from facegui.config import Settings, SettingsError
from facegui.storage import (
    DATABASE_FILE_NAME,
    SCHEMA_VERSION,
    AttendanceStore,
    DatabaseUnavailable,
    FaceDatabase,
    Gallery,
    NewEvent,
    NewUnknown,
    SchemaVersionError,
    StorageError,
    redact_url,
)
from facegui.storage.outbox import Batch, QueuedEvent
from facegui.storage.schema import MIGRATIONS

from .postgres_server import shared_server

pytestmark = pytest.mark.postgres

MODEL = "arcface:test"
DIM = 32
T0 = datetime.combine(date.today(), datetime.min.time()).replace(hour=9).astimezone()
SYNC_DEADLINE_S = 2.0


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


@pytest.fixture
def server():
    return shared_server()


@pytest.fixture
def url(server) -> str:
    return server.create_database()


def wait_until(condition, deadline_s: float) -> float:
    """Seconds until ``condition()`` held; fails the test after ``deadline_s``."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > deadline_s:
            pytest.fail(f"not within {deadline_s} s")
        time.sleep(0.02)
    return time.perf_counter() - started


def top_name(gallery: Gallery, vector: np.ndarray) -> str | None:
    (row,) = gallery.search(vector)
    return row[0].name if row else None


# -- schema ---------------------------------------------------------------------------------------

def test_a_fresh_database_gets_the_current_schema_and_a_newer_one_is_refused(url: str) -> None:
    with FaceDatabase(url) as db:
        assert db.dialect == "postgresql" and db.remote
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT version FROM facegui_schema").fetchone()[0] == SCHEMA_VERSION
        conn.execute("UPDATE facegui_schema SET version = 99")
    with pytest.raises(SchemaVersionError, match="schema version 99; this facegui understands up to") as raised:
        FaceDatabase(url)
    assert "\n" not in str(raised.value)


def test_two_stations_creating_the_schema_at_once_do_not_collide(url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        for db in pool.map(lambda _: FaceDatabase(url), range(4)):
            db.close()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM facegui_schema").fetchone()[0] == 1


def test_an_older_sqlite_database_is_upgraded_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_FILE_NAME
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS["sqlite"][1] + MIGRATIONS["sqlite"][2])
    raw.execute("INSERT INTO people (name, created_at) VALUES ('ada', '2024-01-01T00:00:00+00:00')")
    raw.execute("INSERT INTO attendance_events (person_id, day, at, at_utc, source, similarity) "
                "VALUES (1, '2024-01-01', '2024-01-01T09:00:00+00:00', 1704099600, 'camera', 0.7)")
    raw.execute("PRAGMA user_version = 2")
    raw.commit()
    raw.close()

    with AttendanceStore(tmp_path) as store:
        (event,) = store.events(date(2024, 1, 1), date(2024, 1, 1))
        assert event.name == "ada" and event.uid and event.station == ""
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()


# -- settings and connection security ----------------------------------------------------------------

@pytest.mark.parametrize("bad", ["postgresql://facegui:secret@db/school", "postgresql://db/school?password=secret"])
def test_a_password_in_the_database_url_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(SettingsError, match="PGPASSWORD") as raised:
        Settings(database_url=bad)
    assert "secret" not in str(raised.value)
    assert "secret" not in redact_url(bad)


def test_a_server_that_cannot_be_reached_is_one_clear_error() -> None:
    with pytest.raises(DatabaseUnavailable, match="cannot be reached") as raised:
        FaceDatabase("postgresql://nobody@127.0.0.1:1/none")
    assert "\n" not in str(raised.value)


# -- search stays local; stations follow the change log -------------------------------------------------

def test_an_enrollment_at_one_station_is_recognised_at_another_within_2_s(tmp_path: Path, url: str) -> None:
    with Gallery(tmp_path / "a", MODEL, DIM, database_url=url) as station_a, \
            Gallery(tmp_path / "b", MODEL, DIM, database_url=url) as station_b:
        station_a.enroll("ada", unit(1))
        wait_until(lambda: top_name(station_b, unit(1)) == "ada", SYNC_DEADLINE_S)
        station_a.remove("ada")
        wait_until(lambda: top_name(station_b, unit(1)) is None, SYNC_DEADLINE_S)


def test_catching_up_reads_only_what_changed(tmp_path: Path, url: str) -> None:
    with Gallery(tmp_path / "a", MODEL, DIM, database_url=url) as station_a:
        for i in range(20):
            station_a.enroll(f"p{i}", unit(i))
        with FaceDatabase(url) as db:
            revision = db.revision(MODEL)
            station_a.enroll("newcomer", unit(100))
            station_a.remove("p3")
            changes = db.changes_since(MODEL, revision)
        assert changes is not None
        assert changes.added_names == ["newcomer"] and len(changes.removed_ids) == 1
        np.testing.assert_allclose(changes.added_vectors[0], unit(100), atol=1e-6)


# -- attendance across stations --------------------------------------------------------------------

def test_two_stations_within_the_cool_down_give_one_check_in(tmp_path: Path, url: str) -> None:
    with Gallery(tmp_path / "a", MODEL, DIM, database_url=url) as gallery:
        gallery.enroll("ada", unit(1))
    with AttendanceStore(tmp_path / "a", url, "north door") as north, \
            AttendanceStore(tmp_path / "b", url, "south door") as south:
        cooldown = timedelta(minutes=5)
        first, _ = north.record([NewEvent("ada", T0, "camera", 0.7, not_since=T0 - cooldown)])
        later = T0 + timedelta(minutes=1)
        second, _ = south.record([NewEvent("ada", later, "camera", 0.7, not_since=later - cooldown)])
        assert len(first) == 1 and second == []
        much_later = T0 + timedelta(minutes=30)
        third, _ = south.record([NewEvent("ada", much_later, "camera", 0.7, not_since=much_later - cooldown)])
        assert len(third) == 1

        history = north.events(T0.date(), T0.date())
        assert [(e.name, e.station) for e in history] == [("ada", "north door"), ("ada", "south door")]
        (day,) = south.days(T0.date(), T0.date())
        assert day.present and day.events == 2


def test_a_retried_batch_is_written_once(tmp_path: Path, url: str) -> None:
    with Gallery(tmp_path, MODEL, DIM, database_url=url) as gallery:
        gallery.enroll("ada", unit(1))
    with AttendanceStore(tmp_path, url, "door") as store:
        store.record([NewEvent("ada", T0, "camera", 0.7)], [("ada", T0)])
        with psycopg.connect(url) as conn:
            (batch_uid,) = [row[0] for row in conn.execute("SELECT uid FROM applied_batches")]

        (event,) = store.events(T0.date(), T0.date())
        replay = Batch(batch_uid, "door", (QueuedEvent(event.uid, "ada", T0, "camera", 0.7, None, None),),
                       (("ada", T0),), ())
        assert store._apply(replay) == ([], [], [])
        (day,) = store.days(T0.date(), T0.date())
        assert day.events == 1 and day.sightings == 1


def test_check_ins_queue_while_the_server_is_down_and_arrive_once(tmp_path: Path, server) -> None:
    url = server.create_database()
    with Gallery(tmp_path, MODEL, DIM, database_url=url) as gallery:
        gallery.enroll("ada", unit(1))
        gallery.enroll("bob", unit(2))
    store = AttendanceStore(tmp_path, url, "door", retry_interval_s=0.2)
    try:
        store.record([NewEvent("ada", T0, "camera", 0.7)])
        server.stop()
        try:
            queued, _ = store.record([NewEvent("bob", T0 + timedelta(seconds=1), "camera", 0.7)], [("bob", T0)])
            assert [e.id for e in queued] == [0] and not store.online
            store.record([NewEvent("ada", T0 + timedelta(minutes=10), "camera", 0.7)])
            assert store.waiting() == (2, 2)
        finally:
            server.start()
        wait_until(lambda: store.waiting() == (0, 0), 15)
        names = [e.name for e in store.events(T0.date(), T0.date())]
        assert names == ["ada", "bob", "ada"] and store.online
    finally:
        store.close()


# -- moving from one PC to several -------------------------------------------------------------------

def test_db_copy_moves_everything_to_postgres_and_back(tmp_path: Path, url: str, capsys) -> None:
    from facegui.cli.main import main

    local = tmp_path / "one-pc"
    with Gallery(local, MODEL, DIM) as gallery:
        for i, name in enumerate(["ada", "张学友", "bob", "ada"]):
            gallery.enroll(name, unit(i), f"/photos/{i}.jpg", f"{i:064x}")
        gallery.remove("bob")
    with AttendanceStore(local, station="desk") as store:
        store.record([NewEvent("ada", T0, "camera", 0.7)], [("ada", T0)])
    options = ["--data-dir", str(local), "--config", str(tmp_path / "none.json")]

    assert main([*options, "db", "copy", "--to", url]) == 0
    assert "verified" in capsys.readouterr().out
    assert main([*options, "db", "copy", "--to", url]) == 2  # not empty any more
    assert "not empty" in capsys.readouterr().err

    back = tmp_path / "back" / DATABASE_FILE_NAME
    assert main(["--database", url, *options, "db", "copy", "--to", str(back)]) == 0
    for location in (url, back):
        with FaceDatabase(location) as db:
            assert [(p.name, p.embedding_count) for p in db.people()] == [("ada", 2), ("张学友", 1)]
    with Gallery(tmp_path / "station", MODEL, DIM, database_url=url) as station:
        assert top_name(station, unit(1)) == "张学友" and sorted(station.names_by_id().values()) == ["ada", "ada", "张学友"]
        new_id = station.enroll("carol", unit(9))
        assert new_id > 4  # the server's id sequence moved past the copied ids
    with AttendanceStore(tmp_path / "station", url, "door") as store:
        (event,) = store.events(T0.date(), T0.date())
        assert (event.name, event.station) == ("ada", "desk")


def test_server_status_for_the_window(tmp_path: Path, server) -> None:
    from facegui.service.shared_database import server_status

    url = server.create_database()
    with Gallery(tmp_path, MODEL, DIM, database_url=url) as gallery:
        gallery.enroll("ada", unit(1))
    with AttendanceStore(tmp_path / "local") as local:
        assert server_status(local).text == ""
    with AttendanceStore(tmp_path, url, "door", retry_interval_s=60) as store:
        assert server_status(store).text == "online"
        server.stop()
        try:
            for minute in range(12):
                at = T0 + timedelta(minutes=10 * minute)
                store.record([NewEvent("ada", at, "camera", 0.7)])
            status = server_status(store)
            assert status.text == "offline — 12 check-ins waiting" and "127.0.0.1" in status.server
            assert status.error
        finally:
            server.start()
        assert store.flush_outbox() == 12 and server_status(store).text == "online"


# -- the admin PIN lives with the shared data ------------------------------------------------------

def test_the_admin_pin_guards_every_station_and_moves_with_db_copy(tmp_path: Path, server) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from facegui.service.admin_lock import AdminLock, ScryptCost
    from facegui.service.shared_database import copy_data
    from facegui.storage.admin_store import pin_store_for

    cheap = ScryptCost(n=2 ** 10, r=8, p=1)  # the cost is the pin module's concern; counting is ours here
    local = Settings(data_dir=tmp_path / "one-pc")
    FaceDatabase(local.data_dir / DATABASE_FILE_NAME).close()
    AdminLock(local.data_dir, cost=cheap).set_pin("246810")
    url = server.create_database()

    assert copy_data(local, url).admin_pin
    north = AdminLock(tmp_path / "north", store=pin_store_for(Path("unused"), url), cost=cheap)
    south = AdminLock(tmp_path / "south", store=pin_store_for(Path("unused"), url), cost=cheap)
    assert north.enabled and south.enabled
    assert north.check("246810").allowed
    with ThreadPoolExecutor(8) as pool:  # guesses from both stations at once are each counted
        verdicts = list(pool.map(lambda i: (north if i % 2 else south).check("000000"), range(8)))
    assert not any(v.allowed for v in verdicts)
    assert north._record().failures == 8

    server.stop()
    try:
        assert not south.check("246810").allowed  # server away: locked, never open
    finally:
        server.start()


# -- the documented least-privilege station role ------------------------------------------------------

def documented_station_grants() -> str:
    text = (Path(__file__).resolve().parents[1] / "docs" / "deployment.md").read_text(encoding="utf-8")
    block = text.split("<!-- station-grants")[1].split("<!-- /station-grants -->")[0]
    return block.split("```sql")[1].split("```")[0]


def test_a_station_with_the_documented_role_records_attendance_and_cannot_enroll(tmp_path: Path, server,
                                                                                 capsys) -> None:
    from facegui.cli.main import main
    from facegui.service.admin_lock import AdminLock, ScryptCost
    from facegui.storage.admin_store import pin_store_for

    admin_url = server.create_database()
    with Gallery(tmp_path / "admin", MODEL, DIM, database_url=admin_url) as admin:
        admin.enroll("ada", unit(1))
    cheap = ScryptCost(n=2 ** 10, r=8, p=1)
    AdminLock(tmp_path / "admin", store=pin_store_for(Path("unused"), admin_url), cost=cheap).set_pin("135790")
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS facegui_station")
        conn.execute("CREATE ROLE facegui_station LOGIN")
    database = admin_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO facegui_station')
        conn.execute(documented_station_grants())
    station_url = admin_url.replace("postgres@", "facegui_station@")

    with Gallery(tmp_path / "door", MODEL, DIM, database_url=station_url) as door:
        assert top_name(door, unit(1)) == "ada"
        with pytest.raises(StorageError, match="this role may not do that"):
            door.enroll("mallory", unit(2))
        with Gallery(tmp_path / "admin", MODEL, DIM, database_url=admin_url) as admin:
            admin.enroll("bob", unit(3))
        wait_until(lambda: top_name(door, unit(3)) == "bob", SYNC_DEADLINE_S)
    settings = Settings(data_dir=tmp_path / "door", database_url=station_url, station_name="door")
    from facegui.service import AttendanceService

    with AttendanceService.open(settings) as attendance:  # its retention purge is the admin's job
        unknown = NewUnknown(T0, "camera", 0.2, MODEL, unit(7))
        events, unknowns = attendance.store.record([NewEvent("ada", T0, "camera", 0.7)], [("ada", T0)], [unknown])
        assert events[0].id > 0 and unknowns[0].id > 0
        assert [d.name for d in attendance.roster(T0.date()) if d.present] == ["ada"]
    door_lock = AdminLock(tmp_path / "door", store=pin_store_for(Path("unused"), station_url), cost=cheap)
    assert not door_lock.check("000000").allowed and door_lock.check("135790").allowed

    capsys.readouterr()
    code = main(["--data-dir", str(tmp_path / "door"), "--database", station_url, "--config",
                 str(tmp_path / "none.json"), "db", "copy", "--to", str(tmp_path / "copy.sqlite3")])
    assert code == 0  # reading everything is allowed: a station may make its own archive copy


# -- the user's rights over a shared database ---------------------------------------------------------

def test_data_export_and_delete_work_on_the_shared_database(tmp_path: Path, url: str) -> None:
    from facegui.service.admin_lock import AdminLock, ScryptCost
    from facegui.service.privacy import delete_all_face_data, export_personal_data
    from facegui.storage.admin_store import pin_store_for

    settings = Settings(data_dir=tmp_path / "door", database_url=url, station_name="door")
    with Gallery(settings.data_dir, MODEL, DIM, database_url=url) as door, \
            Gallery(tmp_path / "other", MODEL, DIM, database_url=url) as other_station:
        door.enroll("ada", unit(1))
        door.enroll("张学友", unit(2))
        with AttendanceStore(settings.data_dir, url, "door") as store:
            store.record([NewEvent("ada", T0, "camera", 0.7)])
        AdminLock(settings.data_dir, store=pin_store_for(Path("unused"), url),
                  cost=ScryptCost(n=2 ** 10, r=8, p=1)).set_pin("246810")

        export = export_personal_data(settings, tmp_path / "exports")
        with FaceDatabase(export / DATABASE_FILE_NAME) as copy:
            assert [p.name for p in copy.people()] == ["ada", "张学友"]
        raw = sqlite3.connect(export / DATABASE_FILE_NAME)
        assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'admin_pin'").fetchone() is None
        raw.close()
        assert "ada" in (export / "checkins.csv").read_text(encoding="utf-8-sig")

        wait_until(lambda: len(other_station) == 2, SYNC_DEADLINE_S)
        delete_all_face_data(settings)
        wait_until(lambda: len(other_station) == 0, SYNC_DEADLINE_S)  # every station forgets them
    with FaceDatabase(url) as db:
        assert db.people() == [] and db.embedding_count(MODEL) == 0
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM attendance_events").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM admin_pin").fetchone()[0] == 1  # the PIN still guards
    assert not (settings.data_dir / "index").exists()


def test_the_export_lists_check_ins_still_waiting_for_the_server(tmp_path: Path, server) -> None:
    from facegui.service.privacy import export_personal_data
    from facegui.storage.outbox import OUTBOX_FILE_NAME

    url = server.create_database()
    settings = Settings(data_dir=tmp_path / "door", database_url=url, station_name="door")
    with Gallery(settings.data_dir, MODEL, DIM, database_url=url) as door:
        door.enroll("ada", unit(1))
    with AttendanceStore(settings.data_dir, url, "door", retry_interval_s=600) as store:
        store.record([NewEvent("ada", T0, "camera", 0.7)])
        server.stop()
        try:
            store.record([NewEvent("张学友", T0 + timedelta(minutes=5), "north door", 0.66)])
        finally:
            server.start()
        assert store.waiting()[1] == 1  # the server is back, the queue not flushed yet
        export = export_personal_data(settings, tmp_path / "exports")
        waiting = (export / "waiting-for-server.csv").read_text(encoding="utf-8-sig").splitlines()
        assert len(waiting) == 2 and "张学友" in waiting[1] and "north door" in waiting[1]
        assert "张学友" not in (export / "checkins.csv").read_text(encoding="utf-8-sig")
        assert (export / OUTBOX_FILE_NAME).stat().st_mode & 0o777 == 0o600
        assert store.flush_outbox() == 1  # exporting took nothing out of the queue


def test_a_station_started_while_its_server_is_away_names_faces_from_its_cache(tmp_path: Path, server) -> None:
    url = server.create_database()
    with Gallery(tmp_path / "admin", MODEL, DIM, database_url=url) as admin:
        admin.enroll("ada", unit(1))
        admin.enroll("bob", unit(2))
        with Gallery(tmp_path / "door", MODEL, DIM, database_url=url) as door:
            assert top_name(door, unit(2)) == "bob"
        admin.remove("bob")  # while the door was closed: its cache still holds bob
        server.stop()
        try:
            with Gallery(tmp_path / "door", MODEL, DIM, database_url=url) as door:
                assert not door.online
                assert top_name(door, unit(1)) == "ada"
                server.start()
                admin.enroll("carol", unit(3))
                wait_until(lambda: top_name(door, unit(3)) == "carol", 15)
                assert "bob" not in door.names_by_id().values()  # the change log caught it up
        finally:
            if not server.running:
                server.start()
    with pytest.raises(DatabaseUnavailable):  # no saved index: nothing to recognise from
        Gallery(tmp_path / "new", MODEL, DIM, database_url="postgresql://nobody@127.0.0.1:1/none")


def test_the_first_write_after_a_server_restart_succeeds(tmp_path: Path, server) -> None:
    url = server.create_database()
    with Gallery(tmp_path, MODEL, DIM, database_url=url) as admin:
        admin.enroll("ada", unit(1))
        server.stop()
        server.start()
        admin.enroll("bob", unit(2))  # the old connection is replaced, not failed
        assert sorted(admin.names_by_id().values()) == ["ada", "bob"] and admin.online


def test_tls_through_sslmode_verifies_the_server(tmp_path: Path) -> None:
    from .postgres_server import PostgresServer

    tls_server = PostgresServer(tls=True)
    try:
        url = tls_server.create_database()
        verified = f"{url}?sslmode=verify-full&sslrootcert={tls_server.certificate}"
        with Gallery(tmp_path, MODEL, DIM, database_url=verified) as station:
            station.enroll("ada", unit(1))
            assert top_name(station, unit(1)) == "ada"
        with psycopg.connect(verified) as conn:
            assert conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0]

        impostor = tmp_path / "other-ca.crt"
        impostor.write_bytes(another_certificate(tmp_path))
        with pytest.raises(DatabaseUnavailable, match="cannot be reached") as raised:
            FaceDatabase(f"{url}?sslmode=verify-full&sslrootcert={impostor}")
        assert "\n" not in str(raised.value)
    finally:
        tls_server.destroy()


def another_certificate(folder: Path) -> bytes:
    """Another self-signed certificate: the server's identity must not verify against it."""
    import subprocess

    key, certificate = folder / "other.key", folder / "other.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True)
    return certificate.read_bytes()
